from django.urls import path

from . import views

app_name = "media"

urlpatterns = [
    path("", views.library, name="library"),
    path("upload/", views.upload, name="upload"),
    path("pick/", views.pick, name="pick"),
    path("<int:pk>/", views.edit, name="edit"),
]
