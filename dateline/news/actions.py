"""The one write path for stories and picks.

The desk, importers, management commands and tests change the newsroom only
through these functions. Each runs in a transaction and sends the signals in
``dateline.news.signals``, which the page store, search and enrichment hook
into. None of them checks permissions: callers do that first.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from . import signals
from .models import Byline, Correction, Credit, Pick, Redirect, Section, Story, Tag

CONTENT_FIELDS = {
    "headline", "slug", "standfirst", "body", "summary", "section", "lead_image",
    "canonical_url", "also_read", "also_read_after",
}


def unique_slug(base: str, model=Story, exclude_pk=None) -> str:
    """``base`` slugified, with ``-2``, ``-3``… added until no other row has it."""
    root = slugify(base)[:180].strip("-") or "story"
    candidate, n = root, 1
    while True:
        qs = model.objects.filter(slug=candidate)
        if exclude_pk is not None:
            qs = qs.exclude(pk=exclude_pk)
        if not qs.exists():
            return candidate
        n += 1
        candidate = f"{root}-{n}"


def tags_named(names) -> list[Tag]:
    """The tags with these names, created when new; slugs are derived from names."""
    tags = []
    for name in names:
        name = " ".join(str(name).split())
        if not name:
            continue
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name, slug=unique_slug(name, Tag))
        tags.append(tag)
    return tags


def _set_relations(story, authors=None, credits=None, tags=None):
    if authors is not None:
        story.bylines.all().delete()
        Byline.objects.bulk_create(
            [Byline(story=story, author=a, position=i) for i, a in enumerate(dict.fromkeys(authors))]
        )
    if credits is not None:
        story.credits.all().delete()
        seen, rows = set(), []
        for i, (source, role) in enumerate(credits):
            if (source.pk, role) not in seen:
                seen.add((source.pk, role))
                rows.append(Credit(story=story, source=source, role=role, position=i))
        Credit.objects.bulk_create(rows)
    if tags is not None:
        story.tags.set(tags_named(tags))


@transaction.atomic
def create_story(*, headline, section, authors=(), credits=(), tags=(), **fields) -> Story:
    """A new draft. ``credits`` is a list of (Source, role); ``tags`` of names."""
    story = Story(headline=headline, section=section, **fields)
    story.slug = unique_slug(story.slug or headline)
    story.status = Story.Status.DRAFT
    story.full_clean()
    story.save()
    _set_relations(story, list(authors), list(credits), list(tags))
    signals.story_created.send(sender=Story, story=story)
    return story


@transaction.atomic
def update_story(story, *, authors=None, credits=None, tags=None, **changes) -> Story:
    """Edit a story. A new slug or section keeps the old address as a 301."""
    story = Story.objects.select_for_update().select_related("section").get(pk=story.pk)
    old_url = story.get_absolute_url()
    was_visible = story.is_visible()
    changed = set()
    for field, value in changes.items():
        if field not in CONTENT_FIELDS:
            raise ValueError(f"update_story cannot change {field!r}; use the matching action")
        current = getattr(story, field)
        if current != value:
            setattr(story, field, value)
            changed.add(field)
    if "slug" in changed:
        story.slug = unique_slug(story.slug, exclude_pk=story.pk)
    story.full_clean()
    if changed & {"headline", "standfirst", "body", "summary", "lead_image"} and was_visible:
        story.updated_at = timezone.now()
    story.save()
    for name, value in (("authors", authors), ("credits", credits), ("tags", tags)):
        if value is not None:
            changed.add(name)
    _set_relations(
        story,
        None if authors is None else list(authors),
        None if credits is None else list(credits),
        None if tags is None else list(tags),
    )
    new_url = story.get_absolute_url()
    if new_url != old_url:
        Redirect.objects.filter(old_path=new_url).delete()
        Redirect.objects.update_or_create(old_path=old_url, defaults={"story": story})
    if changed:
        signals.story_changed.send(
            sender=Story, story=story, changed=changed, old_url=old_url, was_visible=was_visible
        )
    return story


def move_story(story, section: Section) -> Story:
    """Put a story in another section; its old address answers 301."""
    return update_story(story, section=section)


@transaction.atomic
def publish_story(story, at=None) -> Story:
    """Publish now, or at ``at`` (a scheduled story stays invisible until then).

    Re-publishing an unpublished story keeps its first publication time unless
    ``at`` is given.
    """
    story = Story.objects.select_for_update().get(pk=story.pk)
    now = timezone.now()
    if at is not None:
        story.published_at = at
    elif story.published_at is None or story.status == Story.Status.DRAFT:
        story.published_at = now
    story.status = Story.Status.PUBLISHED
    story.save()
    signals.story_published.send(sender=Story, story=story)
    return story


@transaction.atomic
def unpublish_story(story) -> Story:
    story = Story.objects.select_for_update().select_related("section").get(pk=story.pk)
    old_url = story.get_absolute_url()
    story.status = Story.Status.UNPUBLISHED
    story.save()
    signals.story_unpublished.send(sender=Story, story=story, old_url=old_url)
    return story


@transaction.atomic
def delete_story(story) -> None:
    story = Story.objects.select_related("section").get(pk=story.pk)
    info = dict(
        story_id=story.pk, section_id=story.section_id,
        old_url=story.get_absolute_url(), was_visible=story.is_visible(),
    )
    story.delete()
    signals.story_deleted.send(sender=Story, **info)


@transaction.atomic
def add_correction(story, text: str, kind: str = Correction.Kind.CORRECTION) -> Correction:
    """Append a correction or update note; the story shows “Updated” from now on."""
    text = " ".join((text or "").split())
    if not text:
        raise ValueError("a correction needs its text")
    if kind not in Correction.Kind.values:
        raise ValueError(f"unknown kind of note {kind!r}")
    story = Story.objects.select_for_update().select_related("section").get(pk=story.pk)
    now = timezone.now().replace(microsecond=0)
    note = Correction.objects.create(story=story, text=text, kind=kind, created_at=now)
    story.updated_at = now
    story.save()
    signals.story_changed.send(
        sender=Story, story=story, changed={"corrections"}, old_url=story.get_absolute_url(),
        was_visible=story.is_visible(),
    )
    return note


@transaction.atomic
def set_picks(stories, starts_at=None, ends_at=None) -> list[Pick]:
    """Replace the editors' picks with ``stories``, in that order."""
    Pick.objects.all().delete()
    picks = Pick.objects.bulk_create(
        [Pick(story=s, position=i, starts_at=starts_at, ends_at=ends_at) for i, s in enumerate(stories)]
    )
    signals.picks_changed.send(sender=Pick)
    return picks


@transaction.atomic
def add_pick(story, position=None, starts_at=None, ends_at=None) -> Pick:
    if position is None:
        last = Pick.objects.order_by("-position").first()
        position = last.position + 1 if last else 0
    pick = Pick.objects.create(story=story, position=position, starts_at=starts_at, ends_at=ends_at)
    signals.picks_changed.send(sender=Pick)
    return pick


@transaction.atomic
def remove_pick(pick) -> None:
    pick.delete()
    signals.picks_changed.send(sender=Pick)


@transaction.atomic
def save_section(section) -> Section:
    """Create or change a section (name, slug, description, order)."""
    section.full_clean()
    section.save()
    signals.section_changed.send(sender=Section, section=section)
    return section
