from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    # Shared blocks for the page store's includes; only the store's server may ask (see views).
    path("_fragment/latest/<int:section_id>/", views.fragment_latest, name="fragment-latest"),
    path("_fragment/latest/<int:section_id>/<int:story_id>/", views.fragment_latest,
         name="fragment-latest-except"),
    path("_fragment/dont-miss/", views.fragment_dont_miss, name="fragment-dont-miss"),
    path("_fragment/dont-miss/<int:story_id>/", views.fragment_dont_miss, name="fragment-dont-miss-except"),
    path("tag/<slug:slug>/", views.tag, name="tag"),
    path("author/<slug:slug>/", views.author, name="author"),
    path("<slug:slug>/", views.section, name="section"),
    path("<slug:section_slug>/<slug:slug>/", views.story, name="story"),
]
