"""How readers' software and search engines find the stories: RSS and Atom
feeds (``feeds.py``), robots.txt and sitemaps (``sitemaps.py``, ``views.py``),
and the archive by year, month and day (``views.py``).

Everything here reads ``Story.objects.published()`` and nothing writes: a
story appears in a feed, a sitemap or the archive exactly when readers may see
it, scheduled stories included, with no job to run.
"""
