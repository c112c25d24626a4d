"""Signal receivers: the index follows every story action, inside its transaction.

A draft (story_created) is never indexed. A story published for later is
indexed at once and found only from its publication time (see documents.py).
"""

from dateline.news.models import Byline, Story, Tag

from . import index
from .backends import get_backend

# What a document holds (documents.py); other edits (slug, image, ...) leave it as it is.
INDEXED = {"headline", "standfirst", "body", "section", "tags", "authors"}


def story_published(sender, story, **kwargs):
    index.index_stories([story.pk])


def story_changed(sender, story, changed, **kwargs):
    if changed & INDEXED and story.status == Story.Status.PUBLISHED:
        index.index_stories([story.pk])


def story_unpublished(sender, story, **kwargs):
    index.remove_stories([story.pk])


def story_deleted(sender, story_id, **kwargs):
    index.remove_stories([story_id])


def section_changed(sender, section, **kwargs):
    # Every story of a renamed section holds the old name; a new order or description changes nothing.
    stories = Story.objects.filter(section=section, status=Story.Status.PUBLISHED).values_list("pk", flat=True)
    first = stories.first()
    if first is not None and get_backend().section_name(first) not in (None, section.name):
        index.index_stories(list(stories))


# Documents hold the names of a story's tags and authors (documents.py), so renaming
# one changes what its stories are found by. Saved by the admin, not by an action:
# Django's own signals, inside the save's transaction.
def name_before_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    instance._search_indexed_name = sender.objects.filter(pk=instance.pk).values_list("name", flat=True).first()


def _stories_of(instance):
    if isinstance(instance, Tag):
        return Story.tags.through.objects.filter(tag_id=instance.pk).values_list("story_id", flat=True)
    return Byline.objects.filter(author_id=instance.pk).values_list("story_id", flat=True)


def name_saved(sender, instance, created=False, raw=False, **kwargs):
    before = instance.__dict__.pop("_search_indexed_name", None)
    if raw or created or before is None or before == instance.name:
        return
    index.index_stories(_published(_stories_of(instance)))


def _published(story_ids):
    return list(Story.objects.filter(pk__in=story_ids, status=Story.Status.PUBLISHED).values_list("pk", flat=True))


def tag_deleting(sender, instance, **kwargs):
    # The links go with the tag; the stories that had it are reindexed once it is gone.
    instance._search_story_ids = _published(_stories_of(instance))


def tag_deleted(sender, instance, **kwargs):
    ids = instance.__dict__.pop("_search_story_ids", None)
    if ids:
        index.index_stories(ids)


def migrated(sender, using="default", apps=None, **kwargs):
    if using != "default":
        return
    try:
        apps.get_model("search", "SearchDocument")
    except (AttributeError, LookupError):
        return  # migrated back past the index: there is nothing to fill
    index.sync()
