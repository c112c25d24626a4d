from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from dateline.public import views as public_views

urlpatterns = [
    path("admin/", admin.site.urls),
    # Uploaded media; in production nginx serves /media/ itself (see deploy/).
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    path("desk/", include("dateline.desk.urls")),
    path("", include("dateline.search.urls")),
    path("", include("dateline.discovery.urls")),
    path("", include("dateline.public.urls")),
]

handler404 = public_views.page_not_found
handler500 = public_views.server_error
