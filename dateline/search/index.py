"""Keeping the search index true to the newsroom: the entry points for writers.

Signal receivers (handlers.py) call these inside the action's transaction, so
the index commits or rolls back with the change. Anything that inserts
stories without the actions (``dateline.demo.load.add_synthetic``, a bulk
import) calls ``index_stories`` with the new ids; ``dateline reindex`` calls
``rebuild``.
"""

from django.db import transaction

from dateline.news.models import Story

from .backends import get_backend
from .documents import documents

BATCH = 2000


def index_stories(story_ids) -> int:
    """Bring these stories up to date in the index: published ones (re)indexed, the others removed.

    Returns the number indexed.
    """
    backend, ids, done = get_backend(), list(story_ids), 0
    for start in range(0, len(ids), BATCH):
        docs, others = documents(ids[start : start + BATCH])
        backend.remove(others)
        backend.index(docs)
        done += len(docs)
    return done


def remove_stories(story_ids) -> None:
    get_backend().remove(story_ids)


def _published_ids():
    return Story.objects.filter(status=Story.Status.PUBLISHED).order_by("pk").values_list("pk", flat=True)


@transaction.atomic
def rebuild(batch=BATCH, log=None) -> int:
    """Index every published story afresh. Returns the number indexed."""
    backend = get_backend()
    backend.clear()
    ids, done = list(_published_ids()), 0
    for start in range(0, len(ids), batch):
        docs, _ = documents(ids[start : start + batch])
        backend.index(docs)
        done += len(docs)
        if log and (start // batch) % 10 == 9:
            log(f"  {done:,} of {len(ids):,} stories indexed")
    backend.optimize()
    return done


@transaction.atomic
def sync() -> tuple[int, int]:
    """Index published stories the index lacks, forget the ones it should not hold.

    Cheap when nothing is missing: runs after every ``migrate``, so an index
    created on a database that already has stories fills itself, and stories
    deleted behind the actions' back (a flush, a raw delete) leave it.
    Returns (added, removed).
    """
    backend = get_backend()
    held, wanted = backend.indexed_ids(), set(_published_ids())
    extra, missing = sorted(held - wanted), sorted(wanted - held)
    backend.remove(extra)
    return index_stories(missing), len(extra)
