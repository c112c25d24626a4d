"""What each change of the newsroom makes stale, as tags; purged after the commit.

Receivers run inside the action's transaction, so they see the change and can
ask the database what it touches (neighbours, the top of a list). The purge
itself waits for the commit (``transaction.on_commit``): a rolled-back publish
must not empty the store, and a page re-rendered before the commit would show
the old state.

Pages that show a story carry ``story:<id>``, so a story's *old* neighbours,
the lists it was in and every page linking to it go with that one tag. What
needs computing here is where the story lands (its new neighbours, the lists it
joins) and who moves into a top list when it leaves (see ``fragments``): those
stories' own pages are purged by ``neighbours:<id>``, which leaves alone the
pages that merely show them.
"""

from functools import partial

from django.db import transaction
from django.utils import timezone

from dateline.news.models import Pick, Story
from dateline.public.blocks import neighbours

from . import store, tags
from .fragments import entrant


def purge_after_commit(found) -> None:
    found = frozenset(t for t in found if t)
    if found:
        transaction.on_commit(partial(store.purge_tags, found), robust=True)


def schedule_after_commit(at, kind, ref="") -> None:
    transaction.on_commit(partial(store.schedule, at, kind, ref), robust=True)


def _ids(story):
    return (list(story.tags.values_list("pk", flat=True)),
            list(story.bylines.values_list("author_id", flat=True)))


def lists(section_id, tag_ids=(), author_ids=()) -> set[str]:
    """The lists a story is in: its section's, its tags', its authors', the site's."""
    return {tags.section_list(section_id), tags.SITE, *map(tags.tag_list, tag_ids),
            *map(tags.author_list, author_ids)}


def arrived(story) -> set[str]:
    """A story now visible where it is: its page, its lists, and its new neighbours,
    whose links now point at it."""
    tag_ids, author_ids = _ids(story)
    return {tags.story(story.pk), *lists(story.section_id, tag_ids, author_ids), *arrived_in_section(story)}


def arrived_in_section(story) -> set[str]:
    return {tags.section_list(story.section_id), *(tags.neighbours(s.pk) for s in neighbours(story) if s)}


def left(story_id, section_id, tag_ids=(), author_ids=(), site=True) -> set[str]:
    """A story gone from its place: its page and lists, and the stories that moved
    into the top of its section (and of the site) and now need the fragment that
    leaves them out. Its old neighbours carry story:<id> already."""
    found = {tags.story(story_id), *lists(section_id, tag_ids, author_ids)}
    for moved_in in (entrant(section_id), entrant() if site else None):
        if moved_in is not None:
            found.add(tags.neighbours(moved_in))
    return found


def _was_visible(story, now):
    # Sent after the status changed; the publication time is still the one readers saw.
    return story.published_at is not None and story.published_at <= now


# Receivers of dateline.news.signals.

def story_published(sender, story, was_visible=False, previous_published_at=None, **kwargs):
    if not store.active():
        return
    now = timezone.now()
    if was_visible and previous_published_at == story.published_at:
        # Published again at the same time: it stays where it was, but its related
        # stories ("Also read") are computed afresh.
        purge_after_commit({tags.story(story.pk)})
        return
    found = set()
    if was_visible:  # a new time takes it out of its old place in every list
        tag_ids, author_ids = _ids(story)
        found |= left(story.pk, story.section_id, tag_ids, author_ids)
    if story.published_at <= now:
        found |= arrived(story)
    else:
        schedule_after_commit(story.published_at, "story", story.pk)
    purge_after_commit(found)


def story_unpublished(sender, story, **kwargs):
    """Unpublished, taken down, or trashed while published."""
    if not store.active() or not _was_visible(story, timezone.now()):
        return
    tag_ids, author_ids = _ids(story)
    purge_after_commit(left(story.pk, story.section_id, tag_ids, author_ids))


def story_changed(sender, story, changed, was_visible=False, previous=None, **kwargs):
    if not store.active() or not (was_visible or story.is_visible()):
        return
    previous = previous or {}
    found = {tags.story(story.pk)}
    old_section = previous.get("section_id", story.section_id)
    if old_section != story.section_id:
        # Same time, other section: the site's order is unchanged.
        found |= left(story.pk, old_section, site=False) | arrived_in_section(story)
    tag_ids, author_ids = _ids(story)
    if "tags" in changed and "tag_ids" in previous:
        found |= set(map(tags.tag_list, set(previous["tag_ids"]) ^ set(tag_ids)))
    if "authors" in changed and "author_ids" in previous:
        found |= set(map(tags.author_list, set(previous["author_ids"]) ^ set(author_ids)))
    purge_after_commit(found)


def story_deleted(sender, story_id, section_id, was_visible=False, tag_ids=(), author_ids=(), **kwargs):
    if store.active() and was_visible:
        purge_after_commit(left(story_id, section_id, tag_ids, author_ids))


def picks_changed(sender, **kwargs):
    if not store.active():
        return
    now = timezone.now()
    found = {tags.PICKS}
    for story_id, starts_at, ends_at in Pick.objects.values_list("story_id", "starts_at", "ends_at"):
        # A story that becomes a live pick needs the "Don't miss" that leaves it out.
        if starts_at is not None and starts_at > now:
            schedule_after_commit(starts_at, "pick", story_id)
        elif ends_at is None or ends_at > now:
            found.add(tags.neighbours(story_id))
        if ends_at is not None and ends_at > now:
            schedule_after_commit(ends_at, "picks")
    purge_after_commit(found)


def section_changed(sender, section, **kwargs):
    if store.active():
        purge_after_commit({tags.SECTIONS})


def image_changed(sender, image, **kwargs):
    """Sent by the media library (dateline.media.signals) when an image's alt text,
    caption, credit or crop changes."""
    if store.active():
        purge_after_commit({tags.image(image.pk)})


def named_changed(sender, instance, **kwargs):
    """An author, tag or source saved or about to be deleted (in Django's admin, or
    by code): the pages that print its name. Story pages name their authors, tags
    and credited sources; author and tag pages name their own."""
    if not store.active() or kwargs.get("raw") or kwargs.get("created"):
        return  # a new one is on no page yet
    from dateline.news.models import Author, Source, Tag

    if isinstance(instance, Author):
        stories = Story.objects.filter(bylines__author=instance)
        found = {tags.author_list(instance.pk)}
    elif isinstance(instance, Tag):
        stories = Story.objects.filter(tags=instance)
        found = {tags.tag_list(instance.pk)}
    elif isinstance(instance, Source):
        stories = Story.objects.filter(credits__source=instance)
        found = set()
    else:
        return
    found |= {tags.story(pk) for pk in stories.published().values_list("pk", flat=True).distinct()}
    purge_after_commit(found)


# Pending purges, run by the server when their time comes (see schedule.py).

def due_tags(kind, ref) -> set[str]:
    if kind == "story":
        story = Story.objects.filter(pk=ref).first()
        return arrived(story) if story is not None and story.is_visible() else set()
    if kind == "pick":
        return {tags.PICKS, tags.neighbours(ref)}
    if kind == "picks":
        return {tags.PICKS}
    return set()
