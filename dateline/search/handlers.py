"""Signal receivers: the index follows every story action, inside its transaction.

A draft (story_created) is never indexed. A story published for later is
indexed at once and found only from its publication time (see documents.py).
"""

from dateline.news.models import Story

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


def migrated(sender, using="default", apps=None, **kwargs):
    if using != "default":
        return
    try:
        apps.get_model("search", "SearchDocument")
    except (AttributeError, LookupError):
        return  # migrated back past the index: there is nothing to fill
    index.sync()
