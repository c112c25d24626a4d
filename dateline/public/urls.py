from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("tag/<slug:slug>/", views.tag, name="tag"),
    path("author/<slug:slug>/", views.author, name="author"),
    path("<slug:slug>/", views.section, name="section"),
    path("<slug:section_slug>/<slug:slug>/", views.story, name="story"),
]
