from django.urls import path, re_path

from . import feeds, views

app_name = "discovery"

urlpatterns = [
    path("feeds/rss/", feeds.StoryFeed(), name="site-rss"),
    path("feeds/atom/", feeds.SiteAtomFeed(), name="site-atom"),
    path("feeds/section/<slug:slug>/rss/", feeds.SectionFeed(), name="section-rss"),
    path("feeds/section/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="section-atom"),
    path("feeds/tag/<slug:slug>/rss/", feeds.TagFeed(), name="tag-rss"),
    path("feeds/tag/<slug:slug>/atom/", feeds.TagAtomFeed(), name="tag-atom"),
    path("feeds/author/<slug:slug>/rss/", feeds.AuthorFeed(), name="author-rss"),
    path("feeds/author/<slug:slug>/atom/", feeds.AuthorAtomFeed(), name="author-atom"),
    path("robots.txt", views.robots, name="robots"),
    path("sitemap.xml", views.sitemap_index, name="sitemap-index"),
    path("sitemaps/<slug:name>.xml", views.sitemap, name="sitemap"),
    path("archive/", views.archive_index, name="archive"),
    # Only the canonical forms (2026/11/07, not 2026/11/7); the views 404 on dates that do not exist.
    re_path(r"^archive/(?P<year>[0-9]{4})/$", views.YearArchive.as_view(), name="archive-year"),
    re_path(r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$", views.MonthArchive.as_view(),
            name="archive-month"),
    re_path(r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/$", views.DayArchive.as_view(),
            name="archive-day"),
]
