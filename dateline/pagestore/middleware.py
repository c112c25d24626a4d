"""Stores what Django renders for the page store's server (``wsgi.PageStoreApp``).

First in MIDDLEWARE, so it sees the response as it leaves Django, with every
header the other middleware added. It acts only on requests the server marked
in the WSGI environ (a client cannot set environ keys): those render in store
mode (``request.page_store``: shared blocks as includes of stored fragments)
and, when the response may be shared, are stored with the tags the view gave it.
Without the server in front nothing is marked and pages render inline.
"""

import logging

from django.conf import settings

from .backends.base import Entry
from .store import get_store
from .tags import tags_of

MODE = "dateline.pagestore"  # "store": render for the store and store; "render": render only
INTERNAL = "dateline.pagestore.internal"  # a fragment requested by the server itself
KEY = "dateline.pagestore.key"
ENTRY = "dateline.pagestore.entry"  # what was stored, for the server to send

# Headers the server sets itself when it sends a stored page.
log = logging.getLogger(__name__)

NOT_STORED = {"content-length", "content-encoding", "content-type", "etag", "last-modified", "cache-control",
              "expires", "vary", "date", "set-cookie", "x-page-store"}


def shareable(request, response) -> bool:
    """Whether every reader may get this very response."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if not tags_of(response):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",")}
    if "cookie" in vary or "*" in vary:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


class PageStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        mode = request.environ.get(MODE)
        request.page_store = mode in ("store", "render")
        if mode != "store":
            return self.get_response(request)
        try:
            store = get_store()
            # Before anything is read: a purge after this point voids what is rendered now.
            since = store.mark()
        except Exception:  # the store is down: readers still get pages, rendered each time
            log.exception("page store unavailable")
            request.page_store = False
            return self.get_response(request)
        response = self.get_response(request)
        if shareable(request, response):
            entry = Entry(
                body=response.content,
                content_type=response.get("Content-Type", "text/html; charset=utf-8"),
                tags=tags_of(response),
                expires_at=getattr(response, "page_store_expires", None),
                headers=[(k, v) for k, v in response.items() if k.lower() not in NOT_STORED],
                origin="" if settings.DATELINE.get("SITE_URL") else f"{request.scheme}://{request.get_host()}",
            )
            try:
                store.set(request.environ[KEY], entry, since=since)
            except Exception:
                log.exception("page store: could not store %s", request.environ[KEY])
            # Sent even if the store refused it: it is what the database said just now.
            request.environ[ENTRY] = entry
        return response
