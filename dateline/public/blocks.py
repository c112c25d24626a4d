"""The blocks of reader pages, one small function per block, each a query or two.

Views put these together; templates under ``public/blocks/`` draw them.
"""

from django.conf import settings
from django.db import connection
from django.utils import timezone

from dateline.enrich.related import most_related
from dateline.news.models import Pick, Section, Story


def teaser_count():
    return settings.DATELINE["TEASERS"]


def neighbours(story):
    """(previous, next) published stories of the story's section, by publication time."""
    published = Story.objects.published().teasers().filter(section_id=story.section_id)
    at, pk = story.published_at, story.pk
    previous = (
        published.filter(published_at__lte=at).exclude(published_at=at, id__gte=pk).newest_first().first()
    )
    following = (
        published.filter(published_at__gte=at).exclude(published_at=at, id__lte=pk)
        .order_by("published_at", "id").first()
    )
    return previous, following


def latest_in_section(section, exclude=None, count=None):
    """The newest published stories of ``section``, never ``exclude``."""
    qs = Story.objects.published().teasers().filter(section=section).newest_first()
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs[: count or teaser_count()])


def dont_miss(exclude=None, count=None):
    """Live editors' picks in order, filled up with the newest stories."""
    count = count or teaser_count()
    now = timezone.now()
    picks = Pick.objects.live(now).select_related("story__section", "story__lead_image")
    if exclude is not None:
        picks = picks.exclude(story=exclude)
    stories, seen = [], set()
    for pick in picks[: count * 2]:
        if pick.story_id not in seen and len(stories) < count:
            seen.add(pick.story_id)
            stories.append(pick.story)
    if len(stories) < count:
        skip = seen | ({exclude.pk} if exclude is not None else set())
        fill = Story.objects.published(now).teasers().exclude(pk__in=skip).newest_first()
        stories.extend(fill[: count - len(stories)])
    return stories


def also_read(story):
    """The editor's choice if readers may see it, else the most related story."""
    chosen = story.also_read
    if chosen is not None and chosen.is_visible():
        return chosen
    return most_related(story)


def lead_and_top(count=5):
    """The newest published stories site-wide: the home page's lead and top stories."""
    return list(Story.objects.published().teasers().newest_first()[:count])


def section_rows(sections, per_section=None, exclude_ids=()):
    """{section: [newest stories]} for every section, in two queries.

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
    stories = Story.objects.teasers().filter(pk__in=[i for i in ids if i not in set(exclude_ids)]).newest_first()
    rows = {section: [] for section in sections}
    by_pk = {section.pk: section for section in sections}
    for story in stories:
        row = rows[by_pk[story.section_id]]
        if len(row) < per_section:
            row.append(story)
    return rows


def nav_sections():
    return list(Section.objects.all())
