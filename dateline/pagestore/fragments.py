"""Which stored fragment a story page includes, and who must be told when that changes.

"Latest from <section>" on a story page is the section's newest stories *except
that story*; "Don't miss" is the live picks topped up with the newest stories,
again except that story (see ``dateline.public.blocks``). Leaving one story out
changes the block only when that story would have been in it, so a story page
includes the shared, generic fragment unless the story is a *candidate*:

- latest: it is among the ``TEASERS`` newest stories of its section;
- don't miss: it is a live pick, or among the ``TEASERS`` newest stories site-wide
  (the fill takes at most that many from the top of the newest).

A candidate's page includes the variant that leaves it out. The variant is
correct for any story, so a story that stops being a candidate keeps a correct
page; only one that *becomes* a candidate needs its page purged. That happens
when a story above it leaves the top (the new last of the top moves in: see
``entrant``), or when a pick of it goes live (the picks handlers purge it).
"""

from django.urls import reverse

from dateline.news.models import Pick, Story
from dateline.public.blocks import teaser_count


def newest_ids(section_id=None, count=None) -> list[int]:
    qs = Story.objects.published().newest_first()
    if section_id is not None:
        qs = qs.filter(section_id=section_id)
    return list(qs.values_list("pk", flat=True)[: count or teaser_count()])


def entrant(section_id=None):
    """The story now last in the top of a section (or the site): the one that moved
    in if a story above it just left. None if the top is not full."""
    top = newest_ids(section_id)
    return top[-1] if len(top) == teaser_count() else None


# What a render asks here (the newest ids of a section and of the site, the live
# picks) changes only with a change that purges the pages showing those lists, so
# it is kept per process for as long as the store's version (``version()``, which
# every purge moves) stays the same: a page render for the store then makes none of
# these queries. Handlers (``entrant``) always ask the database.
_known = {"version": None}


def _kept(key, compute):
    global _known
    from .store import enabled, get_store

    if not enabled():
        return compute()
    store = get_store()
    version, known = store.version(), _known
    if known.get("version") != version or known.get("store") is not store:
        known = _known = {"version": version, "store": store}
    if key not in known:
        known[key] = compute()
    return known[key]


def latest_url(story) -> str:
    if story.pk in _kept(("newest", story.section_id), lambda: set(newest_ids(story.section_id))):
        return reverse("public:fragment-latest-except", args=[story.section_id, story.pk])
    return reverse("public:fragment-latest", args=[story.section_id])


def dont_miss_url(story=None) -> str:
    if story is not None and (
        story.pk in _kept(("newest", None), lambda: set(newest_ids()))
        or story.pk in _kept("picks", lambda: set(Pick.objects.live().values_list("story_id", flat=True)))
    ):
        return reverse("public:fragment-dont-miss-except", args=[story.pk])
    return reverse("public:fragment-dont-miss")

