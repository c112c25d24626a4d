"""The blocks of reader pages, one small function per block, each a query or two.

Views put these together; templates under ``public/blocks/`` draw them. Every
query here is prepared (see prepared.py): built and compiled once per database
connection, then run with this page's values, so a block costs what the
database takes to answer it rather than what Django takes to write the SQL.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, DateTimeField, F, TextField, Value
from django.db.models.functions import Cast
from django.utils import timezone

from dateline.enrich.models import RelatedStory
from dateline.enrich.related import related_to
from dateline.news.models import Author, Byline, Correction, Credit, Pick, Section, Source, Story, Tag

from .prepared import Prepared, PreparedUnion, fetch_rows
from .teasers import COLUMNS, Teaser, columns, teasers


def teaser_count():
    return settings.DATELINE["TEASERS"]


def _published(p):
    return Story.objects.published(p.now)


def _rows(qs):
    return qs.values_list(*columns())


def _before(p):
    """The published stories of the section before the story, nearest first."""
    return (_published(p).filter(section_id=p.section, published_at__lte=p.at)
            .exclude(published_at=p.at, id__gte=p.story).newest_first())


def _after(p):
    """The published stories of the section after the story, nearest first."""
    return (_published(p).filter(section_id=p.section, published_at__gte=p.at)
            .exclude(published_at=p.at, id__lte=p.story).order_by("published_at", "id"))


_PREVIOUS = Prepared(lambda p: _rows(_before(p)[:1]), now=datetime, section=int, at=datetime, story=int)
_NEXT = Prepared(lambda p: _rows(_after(p)[:1]), now=datetime, section=int, at=datetime, story=int)


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
    return _picks_then_newest(
        picks, lambda: teasers(_NEWEST.all(now=now, shape={"limit": 2 * count + 1})), exclude, count)


def _picks_then_newest(picks, newest, exclude, count):
    """The first ``count`` stories of ``picks``, each once, filled up from ``newest()``
    (more than enough of the newest stories to fill up past the ones left out)."""
    stories, seen = [], set()
    for story in picks:
        if story.pk not in seen and len(stories) < count:
            seen.add(story.pk)
            stories.append(story)
    if len(stories) < count:
        skip = seen | ({exclude.pk} if exclude is not None else set())
        for story in newest():
            if story.pk not in skip and len(stories) < count:
                stories.append(story)
    return stories


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
    ids = [row[0] for row in fetch_rows(connection, sql, params)]
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


# ---------------------------------------------------------------------------
# The story page: everything around the story in two queries, whatever it shows.
#
# Each block used to be a query of its own; on PostgreSQL each query is a round
# trip, and a story page made a dozen. Now the small rows that hang off the story
# (bylines, credits, tags, corrections; the section navigation; the related
# stories the page store follows) come in one UNION ALL, and every list of
# teasers (previous, next, also read, latest from the section, picks, newest)
# in another. The blocks and templates are the same; only the fetching is shared.

_NO_INT = Cast(Value(None), BigIntegerField())
_NO_TEXT = Cast(Value(None), TextField())
_NO_TIME = Cast(Value(None), DateTimeField())
_TEXTS = 5  # text columns of a row of the story's furniture


def _furniture_row(qs, *, order=Value(0), name=Cast(Value(""), TextField()), at=_NO_TIME, ref=_NO_INT, texts=()):
    """Rows of one kind padded to one shape: the three sort keys (a number, a name, a
    time), the row's id, the id it refers to, then up to five texts."""
    texts = [F(t) for t in texts] + [_NO_TEXT] * (_TEXTS - len(texts))
    return qs.order_by().values_list(order, name, at, F("pk"), ref, *texts)


def _furniture(p, related):
    parts = {
        "bylines": _furniture_row(Byline.objects.filter(story_id=p.story), order=F("position"), ref=F("author_id"),
                                  texts=("author__name", "author__slug", "author__bio")),
        "credits": _furniture_row(Credit.objects.filter(story_id=p.story), order=F("position"), ref=F("source_id"),
                                  texts=("role", "source__name", "source__slug", "source__kind", "source__url")),
        "tags": _furniture_row(Tag.objects.filter(stories=p.story), name=F("name"), texts=("slug",)),
        "corrections": _furniture_row(Correction.objects.filter(story_id=p.story), at=F("created_at"),
                                      texts=("kind", "text")),
        "sections": _furniture_row(Section.objects.all(), order=F("position"), name=F("name"),
                                   texts=("slug", "description")),
    }
    if related:
        parts["related"] = _furniture_row(RelatedStory.objects.filter(story_id=p.story), ref=F("related_id"))
    return parts


# Sorted by the database on (part, number, name, time, id): each part in its model's order.
_FURNITURE = PreparedUnion(_furniture, sorted_by=4, story=int)


def _story_teasers(p, limit, related, lists):
    def rows(qs):  # two trailing sort columns, which only the picks use
        return qs.annotate(_o1=Value(0), _o2=Value(0)).values_list(*COLUMNS, "_o1", "_o2")

    published = _published(p)
    parts = {
        "previous": rows(_before(p))[:1],
        "next": rows(_after(p))[:1],
    }
    if related:
        parts["related"] = rows(related_to(p.story, p.now))[:1]
    if lists:
        parts["latest"] = rows(published.filter(section_id=p.section).exclude(pk=p.story).newest_first())[:limit]
        parts["picks"] = (Pick.objects.live(p.now).exclude(story_id=p.story)
                          .values_list(*columns("story"), "position", "pk")[: 2 * limit])
        parts["newest"] = rows(published.newest_first())[: 2 * limit + 1]
    return parts


_STORY_TEASERS = PreparedUnion(_story_teasers, now=datetime, section=int, at=datetime, story=int)


def _teasers_newest_first(rows):
    return [Teaser(row[:-2]) for row in sorted(rows, key=lambda row: (row[4], row[0]), reverse=True)]


@dataclass
class AroundStory:
    bylines: list
    credits: list
    tags: list
    corrections: list
    sections: list  # the section navigation
    previous: object  # a Teaser, or None
    next: object
    also_read: object  # the editor's choice (a Story), the most related story (a Teaser), or None
    latest: list | None  # "Latest from <section>": teasers; None unless asked for
    dont_miss: list | None  # "Don't miss": teasers; None unless asked for
    related_ids: list | None  # the story's related stories, visible or not; None unless asked for


def around_story(story, lists=True, related_ids=False) -> AroundStory:
    """What the story page shows around ``story``, in two queries.

    ``lists``: also "Latest from" and "Don't miss" (a page rendered for the page
    store includes their stored fragments instead). ``related_ids``: also the ids
    of every story related to this one, which the page store follows.
    """
    now = timezone.now()
    chosen = story.also_read
    if chosen is not None and not chosen.is_visible(now):
        chosen = None
    found = _FURNITURE.all(story=story.pk, shape={"related": related_ids})
    db = connection.alias
    bylines, credits = [], []
    for position, _, _, pk, ref, name, slug, bio, _, _ in found["bylines"]:
        byline = Byline.from_db(db, ["id", "story_id", "author_id", "position"], [pk, story.pk, ref, position])
        byline.author = Author.from_db(db, ["id", "name", "slug", "bio"], [ref, name, slug, bio])
        bylines.append(byline)
    for position, _, _, pk, ref, role, name, slug, kind, url in found["credits"]:
        credit = Credit.from_db(db, ["id", "story_id", "source_id", "role", "position"],
                                [pk, story.pk, ref, role, position])
        credit.source = Source.from_db(db, ["id", "name", "slug", "kind", "url"], [ref, name, slug, kind, url])
        credits.append(credit)
    found_teasers = _STORY_TEASERS.all(
        now=now, section=story.section_id, at=story.published_at, story=story.pk,
        shape={"limit": teaser_count(), "related": chosen is None, "lists": lists},
    )
    previous, following, related = (
        _teasers_newest_first(found_teasers.get(name, ())) for name in ("previous", "next", "related")
    )
    latest = dont_miss = None
    if lists:
        latest = _teasers_newest_first(found_teasers["latest"])
        picks = [Teaser(row[:-2]) for row in sorted(found_teasers["picks"], key=lambda row: row[-2:])]
        dont_miss = _picks_then_newest(picks, lambda: _teasers_newest_first(found_teasers["newest"]),
                                       story, teaser_count())
    return AroundStory(
        bylines=bylines,
        credits=credits,
        tags=[Tag.from_db(db, ["id", "name", "slug"], [row[3], row[1], row[5]]) for row in found["tags"]],
        corrections=[Correction.from_db(db, ["id", "story_id", "kind", "text", "created_at"],
                                        [row[3], story.pk, row[5], row[6], row[2]]) for row in found["corrections"]],
        sections=[Section.from_db(db, ["id", "name", "slug", "description", "position"],
                                  [row[3], row[1], row[5], row[6], row[0]]) for row in found["sections"]],
        previous=(previous or [None])[0],
        next=(following or [None])[0],
        also_read=chosen if chosen is not None else (related or [None])[0],
        latest=latest,
        dont_miss=dont_miss,
        related_ids=[row[4] for row in found["related"]] if related_ids else None,
    )


_STORY = Prepared(
    lambda p: Story.objects.published(p.now).select_related("section", "lead_image", "also_read__section")
    .filter(slug=p.slug)[:1],
    now=datetime, slug=str,
)


def published_story(slug):
    """The published story with this slug, with its section, lead image and chosen "also read"; or None."""
    return _STORY.first(now=timezone.now(), slug=slug)
