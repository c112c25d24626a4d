from django.urls import path

from . import views

app_name = "ingest"

urlpatterns = [
    path("", views.index, name="index"),
    path("wires/", views.wire_list, name="wires"),
    path("wires/<int:pk>/use/", views.wire_use, name="wire-use"),
    path("wires/<int:pk>/discard/", views.wire_discard, name="wire-discard"),
    path("page/", views.page_import, name="page"),
]
