"""The blocks of reader pages, one small function per block, each a query or two.

Views put these together; templates under ``public/blocks/`` draw them. Every
query here is prepared (see prepared.py): built and compiled once per database
connection, then run with this page's values, so a block costs what the
database takes to answer it rather than what Django takes to write the SQL.
"""

from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from dateline.enrich.related import related_to
from dateline.news.models import Byline, Correction, Credit, Pick, Section, Story, Tag

from .prepared import Prepared
from .teasers import columns, teasers


def teaser_count():
    return settings.DATELINE["TEASERS"]


def _published(p):
    return Story.objects.published(p.now)


def _rows(qs):
    return qs.values_list(*columns())


_PREVIOUS = Prepared(
    lambda p: _rows(_published(p).filter(section_id=p.section, published_at__lte=p.at)
                    .exclude(published_at=p.at, id__gte=p.story).newest_first()[:1]),
    now=datetime, section=int, at=datetime, story=int,
)
_NEXT = Prepared(
    lambda p: _rows(_published(p).filter(section_id=p.section, published_at__gte=p.at)
                    .exclude(published_at=p.at, id__lte=p.story).order_by("published_at", "id")[:1]),
    now=datetime, section=int, at=datetime, story=int,
)


def neighbours(story):
    """(previous, next) published stories of the story's section, by publication time, as teasers."""
    values = {"now": timezone.now(), "section": story.section_id, "at": story.published_at, "story": story.pk}
    previous, following = (teasers(query.all(**values)) for query in (_PREVIOUS, _NEXT))
    return (previous or [None])[0], (following or [None])[0]


def _latest(p, limit, exclude):
    qs = _published(p).filter(section_id=p.section).newest_first()
    return _rows((qs.exclude(pk=p.story) if exclude else qs)[:limit])


_LATEST = Prepared(_latest, now=datetime, section=int, story=int)


def latest_in_section(section, exclude=None, count=None):
    """The newest published stories of ``section``, never ``exclude``, as teasers."""
    return teasers(_LATEST.all(
        now=timezone.now(), section=section.pk, story=exclude.pk if exclude is not None else 0,
        shape={"limit": count or teaser_count(), "exclude": exclude is not None},
    ))


def _picks(p, limit, exclude):
    picks = Pick.objects.live(p.now)
    picks = picks.exclude(story_id=p.story) if exclude else picks
    return picks.values_list(*columns("story"))[:limit]


_PICKS = Prepared(_picks, now=datetime, story=int)
_NEWEST = Prepared(lambda p, limit: _rows(_published(p).newest_first()[:limit]), now=datetime)


def dont_miss(exclude=None, count=None):
    """Live editors' picks in order, filled up with the newest stories; teasers."""
    count = count or teaser_count()
    now = timezone.now()
    picks = teasers(_PICKS.all(now=now, story=exclude.pk if exclude is not None else 0,
                               shape={"limit": count * 2, "exclude": exclude is not None}))
    stories, seen = [], set()
    for story in picks:
        if story.pk not in seen and len(stories) < count:
            seen.add(story.pk)
            stories.append(story)
    if len(stories) < count:
        skip = seen | ({exclude.pk} if exclude is not None else set())
        # The newest few, more than enough to fill up past the ones left out.
        for story in teasers(_NEWEST.all(now=now, shape={"limit": 2 * count + 1})):
            if story.pk not in skip and len(stories) < count:
                stories.append(story)
    return stories


_MOST_RELATED = Prepared(lambda p: _rows(related_to(p.story, p.now)[:1]), now=datetime, story=int)


def also_read(story):
    """The editor's choice if readers may see it, else the most related story."""
    chosen = story.also_read
    if chosen is not None and chosen.is_visible():
        return chosen
    found = teasers(_MOST_RELATED.all(now=timezone.now(), story=story.pk))
    return found[0] if found else None


def lead_and_top(count=5):
    """The newest published stories site-wide: the home page's lead and top stories; teasers."""
    return teasers(_NEWEST.all(now=timezone.now(), shape={"limit": count}))


_BY_IDS = Prepared(lambda p: _rows(Story.objects.filter(pk__in=p.ids).newest_first()), ids=list)


def section_rows(sections, per_section=None, exclude_ids=()):
    """{section: [newest stories as teasers]} for every section, in two queries.

    One UNION query picks each section's newest ids through the section
    timeline index; a second loads those stories.
    """
    per_section = per_section or teaser_count()
    sections = list(sections)
    if not sections:
        return {}
    table = Story._meta.db_table
    quoted = connection.ops.quote_name
    part = (
        f"SELECT * FROM (SELECT {quoted('id')} FROM {quoted(table)} "
        f"WHERE {quoted('section_id')} = %s AND {quoted('status')} = %s AND {quoted('published_at')} <= %s "
        f"ORDER BY {quoted('published_at')} DESC, {quoted('id')} DESC LIMIT %s) AS s{{n}}"
    )
    sql = " UNION ALL ".join(part.format(n=i) for i in range(len(sections)))
    params = []
    now = timezone.now()
    limit = per_section + len(exclude_ids)
    for section in sections:
        params += [section.pk, Story.Status.PUBLISHED, now, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    leave_out = set(exclude_ids)
    stories = teasers(_BY_IDS.all(ids=[i for i in ids if i not in leave_out]))
    rows = {section: [] for section in sections}
    by_pk = {section.pk: section for section in sections}
    for story in stories:
        row = rows[by_pk[story.section_id]]
        if len(row) < per_section:
            row.append(story)
    return rows


_SECTIONS = Prepared(lambda p: Section.objects.all())


def nav_sections():
    return _SECTIONS.all()


# What a story page shows beside the story itself, each one query on the story's id.
_BYLINES = Prepared(lambda p: Byline.objects.filter(story_id=p.story).select_related("author"), story=int)
_CREDITS = Prepared(lambda p: Credit.objects.filter(story_id=p.story).select_related("source"), story=int)
_TAGS = Prepared(lambda p: Tag.objects.filter(stories=p.story), story=int)
_CORRECTIONS = Prepared(lambda p: Correction.objects.filter(story_id=p.story), story=int)


def bylines(story):
    return _BYLINES.all(story=story.pk)


def credits(story):
    return _CREDITS.all(story=story.pk)


def tags(story):
    return _TAGS.all(story=story.pk)


def corrections(story):
    return _CORRECTIONS.all(story=story.pk)


_STORY = Prepared(
    lambda p: Story.objects.published(p.now).select_related("section", "lead_image", "also_read__section")
    .filter(slug=p.slug)[:1],
    now=datetime, slug=str,
)


def published_story(slug):
    """The published story with this slug, with its section, lead image and chosen "also read"; or None."""
    return _STORY.first(now=timezone.now(), slug=slug)
