"""The one write path for stories and picks.

The desk, importers, management commands and tests change the newsroom only
through these functions. Each runs in one transaction, records who did what
(``StoryEvent``) and what the content was (``Revision``), and sends the signals
in ``dateline.news.signals`` that the page store, search and enrichment hook
into. None of them checks permissions: callers do that first (see
``dateline.desk.policy``).

Errors a person can act on are raised as ``ActionError`` subclasses with a
message meant for them::

    ActionError
     ├── WorkflowError   the story cannot move that way now (embargo, alt text, status)
     └── EditConflict    someone saved the story since this edit began
"""

import re

from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify

from . import signals
from .models import (
    Autosave, Byline, Correction, Credit, Pick, Redirect, Revision, Section, Source, Story, StoryEvent, Tag,
)

CONTENT_FIELDS = {
    "headline", "slug", "standfirst", "body", "summary", "section", "lead_image",
    "canonical_url", "also_read", "also_read_after", "embargo_until",
}
# Fields whose change readers would notice: a live story shows "Updated".
NOTICEABLE = {"headline", "standfirst", "body", "summary", "lead_image"}


class ActionError(Exception):
    """A change that cannot be made; the message says why, for a person."""


class WorkflowError(ActionError):
    pass


class EditConflict(ActionError):
    def __init__(self, story, kept):
        self.story, self.kept = story, kept
        super().__init__(
            f"Someone else saved this story (now version {story.version}) while you were editing. "
            f"Your version was kept as revision {kept.number}; compare the two and merge."
        )


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


# Revisions: a story's content as plain JSON, and back.

def snapshot(story) -> dict:
    """Everything an editor can change, as JSON-ready data."""
    data = {}
    for name in sorted(CONTENT_FIELDS):
        field = Story._meta.get_field(name)
        value = getattr(story, field.attname)
        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    data["authors"] = list(story.bylines.values_list("author_id", flat=True))
    data["credits"] = [list(pair) for pair in story.credits.values_list("source_id", "role")]
    data["tags"] = list(story.tags.values_list("name", flat=True))
    return data


def changes_from_snapshot(data: dict) -> dict:
    """Keyword arguments for ``update_story`` that bring a story back to ``data``."""
    from django.utils.dateparse import parse_datetime

    from .models import Author, Image

    changes = {}
    for name in CONTENT_FIELDS & data.keys():
        value = data[name]
        field = Story._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            model = {"section": Section, "lead_image": Image, "also_read": Story}[name]
            value = model.objects.filter(pk=value).first() if value is not None else None
            if name == "section" and value is None:
                continue  # the section is gone; keep the current one
        elif isinstance(field, models.DateTimeField) and value:
            value = parse_datetime(value)
        changes[name] = value
    authors = {a.pk: a for a in Author.objects.filter(pk__in=data.get("authors", []))}
    changes["authors"] = [authors[pk] for pk in data.get("authors", []) if pk in authors]
    sources = {s.pk: s for s in Source.objects.filter(pk__in=[c[0] for c in data.get("credits", [])])}
    changes["credits"] = [(sources[pk], role) for pk, role in data.get("credits", []) if pk in sources]
    changes["tags"] = data.get("tags", [])
    return changes


def _jsonable(value):
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _revision(story, by, kind=Revision.Kind.SAVE, data=None, note=""):
    last = story.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return Revision.objects.create(
        story=story, number=last + 1, kind=kind, user=by, data=data or snapshot(story), note=note[:300]
    )


def _event(story, action, by=None, note=""):
    StoryEvent.objects.create(story=story, action=action, user=by, note=note[:500])


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
def create_story(*, headline, section, authors=(), credits=(), tags=(), by=None, **fields) -> Story:
    """A new draft. ``credits`` is a list of (Source, role); ``tags`` of names."""
    story = Story(headline=headline, section=section, owner=by, **fields)
    story.slug = unique_slug(story.slug or headline)
    story.status = Story.Status.DRAFT
    story.full_clean()
    story.save()
    _set_relations(story, list(authors), list(credits), list(tags))
    _revision(story, by)
    _event(story, "created", by)
    signals.story_created.send(sender=Story, story=story)
    return story


class _Stale(Exception):
    pass


def update_story(story, *, authors=None, credits=None, tags=None, by=None, expected_version=None,
                 revision_kind=Revision.Kind.SAVE, note="", **changes) -> Story:
    """Edit a story's content. A new slug or section keeps the old address as a 301.

    With ``expected_version`` (the version the editor started from), an edit
    made on top of someone else's newer save is refused with ``EditConflict``;
    the refused content is kept as a revision, so nothing typed is lost.
    """
    for field in changes:
        if field not in CONTENT_FIELDS:
            raise ValueError(f"update_story cannot change {field!r}; use the matching action")
    try:
        return _update_story(story, authors, credits, tags, by, expected_version, revision_kind, note, changes)
    except _Stale:
        pass
    # Outside the refused transaction, so the kept revision is not rolled back with it.
    with transaction.atomic():
        current = Story.objects.select_for_update().get(pk=story.pk)
        attempted = {**snapshot(current), **{k: _jsonable(v) for k, v in changes.items()}}
        for name, value in (("authors", authors), ("credits", credits)):
            if value is not None:
                attempted[name] = _jsonable(list(value))
        if tags is not None:
            attempted["tags"] = list(tags)
        kept = _revision(current, by, Revision.Kind.CONFLICT, data=attempted,
                         note=f"Based on version {expected_version}; not applied")
        _event(current, "edit refused (conflict)", by, f"kept as revision {kept.number}")
    raise EditConflict(current, kept)


@transaction.atomic
def _update_story(story, authors, credits, tags, by, expected_version, revision_kind, note, changes):
    story = Story.objects.select_for_update(of=("self",)).select_related("section").get(pk=story.pk)
    if expected_version is not None and int(expected_version) != story.version:
        raise _Stale()
    old_url = story.get_absolute_url()
    was_visible = story.is_visible()
    previous = {"section_id": story.section_id, "published_at": story.published_at}
    changed = set()
    for field, value in changes.items():
        if getattr(story, field) != value:
            setattr(story, field, value)
            changed.add(field)
    if "slug" in changed:
        story.slug = unique_slug(story.slug, exclude_pk=story.pk)
    story.full_clean()
    before = (list(story.bylines.values_list("author_id", flat=True)),
              list(story.credits.values_list("source_id", "role")),
              sorted(story.tags.values_list("name", flat=True)))
    previous.update(author_ids=before[0], tag_ids=list(story.tags.values_list("pk", flat=True)))
    _set_relations(
        story,
        None if authors is None else list(authors),
        None if credits is None else list(credits),
        None if tags is None else list(tags),
    )
    after = (list(story.bylines.values_list("author_id", flat=True)),
             list(story.credits.values_list("source_id", "role")),
             sorted(story.tags.values_list("name", flat=True)))
    for name, old, new in zip(("authors", "credits", "tags"), before, after):
        if old != new:
            changed.add(name)
    if changed & NOTICEABLE and was_visible:
        story.updated_at = timezone.now()
    if changed:
        story.version += 1
    story.save()
    if changed or revision_kind != Revision.Kind.SAVE:
        _revision(story, by, revision_kind, note=note)
        _event(story, "restored" if revision_kind == Revision.Kind.RESTORE else "edited", by,
               note or ", ".join(sorted(changed)))
    if by is not None:
        Autosave.objects.filter(story=story, user=by).delete()
    new_url = story.get_absolute_url()
    if new_url != old_url:
        Redirect.objects.filter(old_path=new_url).delete()
        Redirect.objects.update_or_create(old_path=old_url, defaults={"story": story})
    if changed:
        signals.story_changed.send(
            sender=Story, story=story, changed=changed, old_url=old_url, was_visible=was_visible,
            previous=previous,
        )
    return story


def move_story(story, section: Section, by=None) -> Story:
    """Put a story in another section; its old address answers 301."""
    return update_story(story, section=section, by=by)


def restore_revision(story, revision, by=None, expected_version=None) -> Story:
    """Bring a story's content back to ``revision``; the restore is itself a new revision."""
    if revision.story_id != story.pk:
        raise WorkflowError("That revision belongs to another story.")
    return update_story(story, by=by, expected_version=expected_version, revision_kind=Revision.Kind.RESTORE,
                        note=f"Restored revision {revision.number}", **changes_from_snapshot(revision.data))


def autosave(story, by, data: dict, base_version: int) -> Autosave:
    """Keep the editor's latest unsaved state; it never adds to the revision history."""
    save, _ = Autosave.objects.update_or_create(
        story=story, user=by, defaults={"data": data, "base_version": base_version, "saved_at": timezone.now()}
    )
    return save


def _locked(story):
    # of=("self",): PostgreSQL cannot lock the nullable side of the lead image's outer join.
    return Story.objects.select_for_update(of=("self",)).select_related("section", "lead_image").get(pk=story.pk)


def _when(value):
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=\"[^\"]+\")[^>]*>", re.I)


def check_publishable(story, at):
    """Why ``story`` may not go out at ``at``, as a WorkflowError; None if it may."""
    if story.deleted_at:
        raise WorkflowError("A story in the trash cannot be published; restore it first.")
    if story.status == Story.Status.KILLED:
        raise WorkflowError("This story was taken down; reinstate it before publishing again.")
    if story.embargo_until and at < story.embargo_until:
        raise WorkflowError(f"This story is under embargo until {_when(story.embargo_until)}; "
                            "schedule it for then or later.")
    if story.lead_image and not story.lead_image.alt_text.strip():
        raise WorkflowError("The lead image needs alt text before the story can be published.")
    if _IMG_WITHOUT_ALT.search(story.body):
        raise WorkflowError("Every image in the body needs alt text before the story can be published.")


@transaction.atomic
def submit_for_review(story, by=None) -> Story:
    story = _locked(story)
    if story.status not in (Story.Status.DRAFT, Story.Status.UNPUBLISHED) or story.deleted_at:
        raise WorkflowError(f"Only drafts can be sent for review; this story is {story.get_status_display().lower()}.")
    story.status = Story.Status.REVIEW
    story.save()
    _event(story, "submitted", by)
    return story


@transaction.atomic
def return_to_draft(story, by=None, note="") -> Story:
    """Send a story in review back to its writer."""
    story = _locked(story)
    if story.status != Story.Status.REVIEW:
        raise WorkflowError("Only a story in review can be sent back.")
    story.status = Story.Status.DRAFT
    story.save()
    _event(story, "returned", by, note)
    return story


@transaction.atomic
def publish_story(story, at=None, by=None) -> Story:
    """Publish now, or schedule for ``at``: readers see it from that time on, with no
    worker or cron involved. Re-publishing an unpublished story keeps its first
    publication time unless ``at`` is given."""
    story = _locked(story)
    now = timezone.now()
    was_visible, previous_published_at = story.is_visible(now), story.published_at
    if at is not None:
        when = at
    elif story.published_at is None or story.status in (Story.Status.DRAFT, Story.Status.REVIEW):
        when = now
    else:
        when = story.published_at
    check_publishable(story, max(when, now) if at is None else when)
    story.published_at = when
    story.status = Story.Status.PUBLISHED
    story.save()
    _event(story, "scheduled" if when > now else "published", by,
           f"for {_when(when)}" if when > now else "")
    signals.story_published.send(sender=Story, story=story, was_visible=was_visible,
                                 previous_published_at=previous_published_at)
    return story


def schedule_story(story, at, by=None) -> Story:
    """Publish at ``at``, which must be in the future."""
    if at <= timezone.now():
        raise WorkflowError("A schedule must be in the future; publish now instead.")
    return publish_story(story, at=at, by=by)


@transaction.atomic
def unpublish_story(story, by=None) -> Story:
    story = _locked(story)
    if story.status != Story.Status.PUBLISHED:
        raise WorkflowError("Only a published or scheduled story can be unpublished.")
    old_url = story.get_absolute_url()
    story.status = Story.Status.UNPUBLISHED
    story.save()
    _event(story, "unpublished", by)
    signals.story_unpublished.send(sender=Story, story=story, old_url=old_url)
    return story


@transaction.atomic
def kill_story(story, by=None, reason="") -> Story:
    """Take a story down everywhere at once; its address answers 410 Gone."""
    story = _locked(story)
    if story.status == Story.Status.KILLED:
        raise WorkflowError("This story is already taken down.")
    old_url = story.get_absolute_url()
    story.status = Story.Status.KILLED
    story.save()
    _event(story, "killed", by, reason)
    signals.story_unpublished.send(sender=Story, story=story, old_url=old_url, killed=True)
    return story


@transaction.atomic
def reinstate_story(story, by=None) -> Story:
    """Undo a takedown; the story comes back unpublished, for an editor to republish."""
    story = _locked(story)
    if story.status != Story.Status.KILLED:
        raise WorkflowError("Only a story that was taken down can be reinstated.")
    story.status = Story.Status.UNPUBLISHED
    story.save()
    _event(story, "reinstated", by)
    return story


@transaction.atomic
def trash_story(story, by=None) -> Story:
    """Move a story to the trash; a published one is unpublished first."""
    story = _locked(story)
    if story.deleted_at:
        raise WorkflowError("This story is already in the trash.")
    old_url = story.get_absolute_url()
    was_public = story.status == Story.Status.PUBLISHED
    if was_public:
        story.status = Story.Status.UNPUBLISHED
    story.deleted_at = timezone.now()
    story.save()
    _event(story, "trashed", by)
    if was_public:
        signals.story_unpublished.send(sender=Story, story=story, old_url=old_url)
    return story


@transaction.atomic
def restore_story(story, by=None) -> Story:
    """Take a story out of the trash, as it was (never straight back to readers)."""
    story = _locked(story)
    if not story.deleted_at:
        raise WorkflowError("This story is not in the trash.")
    story.deleted_at = None
    story.save()
    _event(story, "restored from trash", by)
    return story


@transaction.atomic
def delete_story(story) -> None:
    """Delete for good (emptying the trash). Revisions and events go too."""
    story = Story.objects.select_related("section").get(pk=story.pk)
    info = dict(
        story_id=story.pk, section_id=story.section_id,
        old_url=story.get_absolute_url(), was_visible=story.is_visible(),
        tag_ids=list(story.tags.values_list("pk", flat=True)),
        author_ids=list(story.bylines.values_list("author_id", flat=True)),
    )
    story.delete()
    signals.story_deleted.send(sender=Story, **info)


@transaction.atomic
def add_correction(story, text: str, kind: str = Correction.Kind.CORRECTION, by=None) -> Correction:
    """Append a correction or update note; the story shows “Updated” from now on."""
    text = " ".join((text or "").split())
    if not text:
        raise WorkflowError("A correction needs its text.")
    if kind not in Correction.Kind.values:
        raise WorkflowError(f"Unknown kind of note {kind!r}.")
    story = _locked(story)
    now = timezone.now().replace(microsecond=0)
    note = Correction.objects.create(story=story, text=text, kind=kind, created_at=now)
    story.updated_at = now
    story.save()
    _event(story, f"{kind} added", by)
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
def reorder_picks(pick_ids) -> None:
    """Put the picks with these ids first, in this order."""
    for position, pk in enumerate(pick_ids):
        Pick.objects.filter(pk=pk).update(position=position)
    signals.picks_changed.send(sender=Pick)


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
