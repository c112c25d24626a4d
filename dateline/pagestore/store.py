"""The configured store, and the one function every invalidation goes through.

``DATELINE["PAGE_STORE"]`` (see settings/base.py)::

    ENABLED   serve and store public pages (env DATELINE_PAGE_STORE=off turns it off)
    BACKEND   dotted path of a PageStore class (files, or Redis when REDIS_URL is set)
    LOCATION  a folder, or a Redis URL
    OPTIONS   keyword arguments for the backend, e.g. {"prefix": "dateline:pages"}
    S_MAXAGE  seconds a shared cache (a CDN) may keep a stored page without asking
    PURGERS   dotted paths of callables ``purger(tags)``, told of every purge

A purger is the hook for a CDN that purges by tag (Fastly surrogate keys,
Cloudflare cache tags): it gets the same tags the store purges, after the
database commit. Tests use one that records what it was told.
"""

import logging
import threading

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

_lock = threading.Lock()
_cached = {}


def config() -> dict:
    return settings.DATELINE.get("PAGE_STORE") or {}


def enabled() -> bool:
    return bool(config().get("ENABLED"))


def get_store():
    """The configured backend, built once per process (and again when settings change)."""
    store = _cached.get("store")
    if store is None:
        with _lock:
            store = _cached.get("store")
            if store is None:
                conf = config()
                backend = import_string(conf.get("BACKEND", "dateline.pagestore.backends.files.FileStore"))
                store = backend(conf["LOCATION"], **(conf.get("OPTIONS") or {}))
                _cached["store"] = store
    return store


def purgers() -> list:
    found = _cached.get("purgers")
    if found is None:
        found = _cached["purgers"] = [import_string(path) for path in config().get("PURGERS") or ()]
    return found


def active() -> bool:
    """Whether anything listens to purges: the store, or a CDN hook without it."""
    return enabled() or bool(config().get("PURGERS"))


def purge_tags(tags) -> list[str]:
    """Drop every stored page or fragment carrying any of ``tags``, and tell each
    purger (a CDN) the same. Call it after the commit that made them stale
    (handlers use ``transaction.on_commit``). Returns the keys the store dropped."""
    tags = sorted({t for t in tags if t})
    if not tags:
        return []
    keys = get_store().purge(tags) if enabled() else []
    for purger in purgers():
        try:
            purger(tags)
        except Exception:  # a CDN's outage must not undo the store's purge
            log.exception("page store: purger %r failed for %d tags", purger, len(tags))
    return keys


def schedule(at, kind: str, ref="") -> None:
    """Run the purge ``kind``/``ref`` at ``at`` (a datetime or unix time)."""
    if not enabled():
        return
    at = at.timestamp() if hasattr(at, "timestamp") else float(at)
    store = get_store()
    store.schedule(at, kind, str(ref))
    from .schedule import wake

    wake(store)


@receiver(setting_changed)
def _reset(setting, **kwargs):
    if setting == "DATELINE":
        _cached.clear()
