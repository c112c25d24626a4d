"""Plain row inserts for the bulk import path, and what it owes the rest of the site afterwards.

``insert`` writes rows given as tuples straight through the database cursor:
no model instances and no per-value compiler work, which is most of what
``bulk_create`` costs on a hundred thousand stories. Values are adapted the way
the fields would adapt them (date-times, JSON, bytes), so the rows are the
ones the ORM would write.

``finish`` does once, for all the stories a bulk import wrote, what the
per-story signals would have done: related stories and the page store's purges
(the search index is kept with each batch).
"""

from functools import partial

from django.db import connection, models
from django.utils import timezone

ROWS_PER_STATEMENT = 500


def _adapter(field):
    if isinstance(field, models.DateTimeField):
        adapt, seen = connection.ops.adapt_datetimefield_value, {}

        def cached(value):
            # Most date-times of a batch are the same moment (its "now"): adapted once.
            # Equal moments adapt alike, whatever their time zone (stored in UTC).
            if value is None:
                return None
            found = seen.get(value)
            if found is None:
                found = seen[value] = adapt(value)
            return found

        return cached
    if isinstance(field, (models.JSONField, models.BinaryField)):
        return partial(field.get_db_prep_save, connection=connection)
    return None


def insert(model, columns, rows, *, returning=False):
    """Insert ``rows`` (tuples, in the order of ``columns``, which are attnames) into ``model``'s table.

    With ``returning``, the new primary keys in the order of ``rows``
    (multi-row ``INSERT … RETURNING``, which Django's own ``bulk_create``
    relies on for the same order); otherwise one ``executemany``.
    """
    rows = list(rows)
    if not rows:
        return [] if returning else None
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields}
    fields = [by_attname[c] for c in columns]
    adapters = [(i, a) for i, a in enumerate(map(_adapter, fields)) if a is not None]
    if adapters:
        adapted = []
        for row in rows:
            row = list(row)
            for i, adapt in adapters:
                row[i] = adapt(row[i])
            adapted.append(row)
        rows = adapted
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if not returning:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES {one}", rows)
            return None
        per = max(1, min(ROWS_PER_STATEMENT, (connection.features.max_query_params or 65535) // len(columns)))
        ids = []
        for start in range(0, len(rows), per):
            chunk = rows[start:start + per]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))} RETURNING {quote(meta.pk.column)}",
                [value for row in chunk for value in row],
            )
            ids += [r[0] for r in cursor.fetchall()]
        return ids


def finish(story_ids, *, sections=(), tag_ids=(), author_ids=(), before_id=None, sections_changed=False) -> dict:
    """What the signals would have done for stories written without them, once for them all.

    (The bulk path indexes each batch for search in the batch's own
    transaction.) Computes the related stories of the published ones, and
    purges the page store's lists they joined. Returns counts for the report.
    """
    from dateline.enrich import related
    from dateline.news.models import Story

    ids = set(story_ids)
    published = [] if not ids else [
        pk for pk in Story.objects.filter(status=Story.Status.PUBLISHED, pk__gte=min(ids), pk__lte=max(ids))
        .order_by("pk").values_list("pk", flat=True) if pk in ids
    ]
    done = {"related": related.refresh_many(published)}
    _purge(sections, tag_ids, author_ids, before_id, sections_changed)
    return done


def _purge(sections, tag_ids, author_ids, before_id, sections_changed):
    """Purge what a per-story publish would have: the lists the stories joined, and the pages of
    the stories already there whose neighbours may have changed."""
    from dateline.news.models import Story
    from dateline.pagestore import store, tags

    if not store.active():
        return
    found = {tags.SITE, *map(tags.section_list, sections), *map(tags.tag_list, tag_ids),
             *map(tags.author_list, author_ids)}
    if sections_changed:
        found.add(tags.SECTIONS)
    if sections and before_id is not None:
        earlier = Story.objects.published().filter(section_id__in=list(sections), pk__lte=before_id)
        found |= {tags.neighbours(pk) for pk in earlier.values_list("pk", flat=True)}
    now = timezone.now()
    for pk, at in Story.objects.filter(status=Story.Status.PUBLISHED, published_at__gt=now,
                                       pk__gt=before_id or 0).values_list("pk", "published_at"):
        store.schedule(at, "story", pk)  # a scheduled story: the store purges its lists when it goes out
    store.purge_tags(found)
