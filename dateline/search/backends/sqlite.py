"""Search on SQLite with an FTS5 index (created by migration 0001 on SQLite only).

``search_fts_doc`` holds each document's text; ``search_fts`` indexes it as
external content, so the text is stored once and ``snippet()`` and
``highlight()`` still work. Every change writes both, in the caller's
transaction.

The rowid of a document is its *timeline key*: publication time in seconds
shifted left 31 bits, plus the story id. The index then lists matches in
publication order by itself, so "visible now", a date range and "the newest N
matches" are rowid bounds that FTS5 answers without reading any row; only the
matches kept are scored with bm25().
"""

import math
from datetime import datetime

from .base import MARK_END, MARK_START, Highlight, Match, SearchBackend
from ..query import Phrase, Term

DOCS, FTS = "search_fts_doc", "search_fts"
COLUMNS = ("headline", "standfirst", "tags", "authors", "section", "body", "facets")
# bm25() weight of each column above; ``facets`` only filters.
WEIGHTS = (10.0, 4.0, 4.0, 4.0, 0.5, 1.0, 0.0)
TEXT = "{headline standfirst tags authors section body}"
HEADLINE, BODY = COLUMNS.index("headline"), COLUMNS.index("body")
SNIPPET_TOKENS = 32

ID_BITS = 31
ID_MASK = (1 << ID_BITS) - 1
# Seconds that fit beside the id in a signed 64-bit rowid: years 1833 to 2106.
MIN_SECOND, MAX_SECOND = -(1 << 32), (1 << 32) - 1
CHUNK = 500


def _second(moment: datetime, up=False) -> int:
    seconds = moment.timestamp()
    return max(MIN_SECOND, min(MAX_SECOND, math.ceil(seconds) if up else math.floor(seconds)))


def timeline_key(published_at: datetime, story_id: int) -> int:
    if not 0 < story_id <= ID_MASK:
        raise ValueError(f"story id {story_id} does not fit the SQLite search index")
    return (_second(published_at) << ID_BITS) | story_id


def _chunks(values):
    values = list(values)
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def _quoted(word: str) -> str:
    # Words hold only letters and digits (query.py); doubling quotes keeps that promise anyway.
    return '"' + word.replace('"', '""') + '"'


def match_expression(query) -> str:
    """The FTS5 query for ``query``: every word quoted, limited to the text columns."""
    parts = []
    for part in query.parts:
        if isinstance(part, Term):
            parts.append(_quoted(part.word) + ("*" if part.prefix else ""))
        elif isinstance(part, Phrase):
            parts.append(_quoted(" ".join(part.words)))
    return f"{TEXT} : ({' AND '.join(parts)})"


class SQLiteBackend(SearchBackend):
    def index(self, documents) -> None:
        documents = list(documents)
        self.remove([doc.story_id for doc in documents])
        rows = [
            (timeline_key(d.published_at, d.story_id), d.story_id, d.headline, d.standfirst, d.tags,
             d.authors, d.section, d.body, f"s{d.section_id}")
            for d in documents
        ]
        columns = ", ".join(COLUMNS)
        marks = ", ".join(["%s"] * len(COLUMNS))
        with self.connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {DOCS} (key, story_id, {columns}) VALUES (%s, %s, {marks})", rows)
            cursor.executemany(
                f"INSERT INTO {FTS} (rowid, {columns}) VALUES (%s, {marks})", [(r[0], *r[2:]) for r in rows]
            )

    def remove(self, story_ids) -> None:
        columns = ", ".join(COLUMNS)
        with self.connection.cursor() as cursor:
            for chunk in _chunks(story_ids):
                marks = ", ".join(["%s"] * len(chunk))
                # External content: FTS5 forgets a row only when told the text it indexed.
                cursor.execute(
                    f"INSERT INTO {FTS} ({FTS}, rowid, {columns}) "
                    f"SELECT 'delete', key, {columns} FROM {DOCS} WHERE story_id IN ({marks})",
                    chunk,
                )
                cursor.execute(f"DELETE FROM {DOCS} WHERE story_id IN ({marks})", chunk)

    def clear(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS} ({FTS}) VALUES ('delete-all')")
            cursor.execute(f"DELETE FROM {DOCS}")

    def optimize(self) -> None:
        # Bulk inserts leave the index in many segments; one segment reads fastest.
        with self.connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS} ({FTS}) VALUES ('optimize')")

    def indexed_ids(self) -> set[int]:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT story_id FROM {DOCS}")
            return {row[0] for row in cursor.fetchall()}

    def section_name(self, story_id):
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT section FROM {DOCS} WHERE story_id = %s", [story_id])
            row = cursor.fetchone()
        return row[0] if row else None

    def newest_matches(self, query, filters, limit) -> list[Match]:
        if not query:
            return []
        expression = match_expression(query)
        if filters.section_id is not None:
            expression = f"({expression}) AND facets : {_quoted(f's{filters.section_id}')}"
        upper = _second(filters.now)
        if filters.end is not None:
            upper = min(upper, _second(filters.end, up=True) - 1)
        lower = MIN_SECOND if filters.start is None else _second(filters.start, up=True)
        if lower > upper:
            return []
        weights = ", ".join(str(w) for w in WEIGHTS)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, bm25({FTS}, {weights}) FROM {FTS} "
                f"WHERE {FTS} MATCH %s AND rowid BETWEEN %s AND %s ORDER BY rowid DESC LIMIT %s",
                [expression, lower << ID_BITS, (upper << ID_BITS) | ID_MASK, limit],
            )
            # bm25() is lower for better matches.
            return [Match(key & ID_MASK, -score) for key, score in cursor.fetchall()]

    def highlights(self, query, story_ids) -> dict[int, Highlight]:
        story_ids = list(story_ids)
        if not query or not story_ids:
            return {}
        marks = ", ".join(["%s"] * len(story_ids))
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT key FROM {DOCS} WHERE story_id IN ({marks})", story_ids)
            keys = [row[0] for row in cursor.fetchall()]
            if not keys:
                return {}
            # One pass over the range of the keys: FTS5 would expand a prefix once for
            # each rowid of an IN list. The unary + keeps the list out of FTS5's plan,
            # so only the rows in it are highlighted.
            cursor.execute(
                f"SELECT rowid, highlight({FTS}, {HEADLINE}, %s, %s), "
                f"snippet({FTS}, {BODY}, %s, %s, '…', {SNIPPET_TOKENS}) "
                f"FROM {FTS} WHERE {FTS} MATCH %s AND rowid BETWEEN %s AND %s "
                f"AND +rowid IN ({', '.join(['%s'] * len(keys))})",
                [MARK_START, MARK_END, MARK_START, MARK_END, match_expression(query), min(keys), max(keys), *keys],
            )
            return {
                key & ID_MASK: Highlight(headline=headline or "", snippet=snippet or "")
                for key, headline, snippet in cursor.fetchall()
            }
