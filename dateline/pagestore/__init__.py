"""Public pages rendered once, stored, and served until something they show changes.

- ``tags.py``: the tag vocabulary and ``tag_response``, which views call;
- ``middleware.py``: stores what Django renders for the server;
- ``wsgi.py``: ``PageStoreApp``, the server side: hits, fragments, HTTP caching;
- ``handlers.py``: what each newsroom signal makes stale; ``schedule.py``: purges
  that fall due with time; ``fragments.py``: which shared block a page includes;
- ``store.py``: the configured backend and ``purge_tags``; ``backends/``: files, Redis.
"""
