from django.conf import settings
from django.views.static import serve


def media(request, path):
    """Uploaded media for the embedded server; nginx serves /media/ itself in production.

    MEDIA_ROOT is read per request (not at import) so a changed setting, as in
    tests, is honoured.
    """
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
