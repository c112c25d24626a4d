"""Purges that fall due with time: scheduled stories going live, pick windows.

Nothing is written when a scheduled story's time comes, so no signal fires
then. Its handler left a pending purge in the store instead; the server checks
before each stored page whether one is due. While none is, the check costs a
comparison with a time cached in the process, refreshed from the store at most
once a second; the one request that finds something due runs it (that request
may use the ORM, to find the story's neighbours at that moment).

Behind nginx most readers never reach the app (nginx serves stored pages from
disk), so requests alone would not run the purges on time. ``dateline serve``
therefore starts ``start_ticker()`` in each worker: a thread that makes the same
check every ``REFRESH`` seconds.
"""

import logging
import threading
import time
import weakref

from django.utils import timezone

log = logging.getLogger(__name__)

REFRESH = 1.0  # seconds between looks at the store's next due time
RETRY = 5.0  # after a failed run, seconds before trying again


class _State:
    def __init__(self):
        self.lock = threading.Lock()
        self.next_check = 0.0
        self.next_due = None


_states = weakref.WeakKeyDictionary()
_states_lock = threading.Lock()


def _state(store) -> _State:
    state = _states.get(store)
    if state is None:
        with _states_lock:
            state = _states.setdefault(store, _State())
    return state


def wake(store) -> None:
    """Something was scheduled in this process: look at the store on the next request."""
    _state(store).next_check = 0.0


def next_due(store) -> float | None:
    """The earliest pending purge as this process last saw it."""
    return _state(store).next_due


def now() -> float:
    """The time visibility is decided by (``timezone.now``), as a unix time."""
    return timezone.now().timestamp()


def due(store, at: float) -> bool:
    """Whether a pending purge is due at ``at`` (what ``check`` would run), without running it."""
    state = _state(store)
    if at >= state.next_check:
        state.next_due = store.next_due()
        state.next_check = at + REFRESH
    return state.next_due is not None and at >= state.next_due


def check(store, at: float) -> None:
    """Run the pending purges due at ``at``, if any."""
    if not due(store, at):
        return
    state = _state(store)
    with state.lock:
        # Another thread may have run them while this one waited.
        if state.next_due is None or at < state.next_due:
            return
        try:
            run(store, at)
            state.next_due = store.next_due()
        except Exception:
            log.exception("page store: pending purges failed; retrying in %s s", RETRY)
            state.next_due = at + RETRY
        state.next_check = at + REFRESH


def run(store, at: float) -> list[str]:
    """Purge what the pending purges due at ``at`` name; returns the keys dropped."""
    from .handlers import due_tags
    from .store import purge_tags

    items = store.due(at)
    if not items:
        return []
    found = set()
    for _, kind, ref in items:
        found |= due_tags(kind, ref)
    keys = purge_tags(found)
    store.done(items)
    return keys


_ticker = None


def start_ticker(interval: float = REFRESH):
    """Check for due purges every ``interval`` seconds in a daemon thread (once per process)."""
    global _ticker
    if _ticker is not None and _ticker.is_alive():
        return _ticker
    _ticker = threading.Thread(target=_tick, args=(interval,), name="pagestore-ticker", daemon=True)
    _ticker.start()
    return _ticker


def _tick(interval: float) -> None:
    from django.db import close_old_connections

    from .store import enabled, get_store

    while True:
        time.sleep(interval)
        try:
            if enabled():
                check(get_store(), now())
        except Exception:  # logged, and tried again at the next tick
            log.exception("page store: ticker failed")
        finally:
            close_old_connections()
