from django.contrib import admin
from django.urls import include, path, re_path

from dateline.core import views as core_views
from dateline.public import views as public_views

urlpatterns = [
    path("admin/", admin.site.urls),
    # Uploaded media; in production nginx serves /media/ itself (see deploy/).
    re_path(r"^media/(?P<path>.*)$", core_views.media),
    path("desk/", include("dateline.desk.urls")),
    path("", include("dateline.search.urls")),
    path("", include("dateline.discovery.urls")),
    path("desk/media/", include("dateline.media.urls")),
    path("desk/ingest/", include("dateline.ingest.urls")),
    path("", include("dateline.public.urls")),
]

handler404 = public_views.page_not_found
handler500 = public_views.server_error
