"""Search on PostgreSQL: a stored, weighted tsvector per story (models.SearchDocument) with a GIN index.

A GIN index finds matches in no particular order, and scoring a match means
reading its vector. So the newest matches are collected window by window,
going back in time: the last week first, then as far back as the matches
found so far say is needed for the rest (everything older, when the week had
none). A common word stops after a week or two instead of sorting every story
that contains it, and only the matches kept are scored, with ts_rank_cd(): it
rewards the words of a query standing close together, as in a headline.
"""

from contextlib import contextmanager
from datetime import timedelta

from django.db import transaction

from .base import MARK_END, MARK_START, Highlight, Match, SearchBackend
from ..models import CONFIG, SearchDocument
from ..query import Phrase, Term

FIRST_WINDOW = timedelta(days=7)
WINDOWS = 5  # at most; the last reaches back to the first story
# Weights of D (section), C (body), B (standfirst, tags, authors) and A (headline):
# the same proportions as the SQLite backend's bm25() weights.
WEIGHTS = "{0.05, 0.1, 0.4, 1.0}"
# ts_rank_cd normalisation 1: divide by 1 + log(length), so long bodies do not win by length alone.
NORMALIZATION = 1
HEADLINE_OPTIONS = f"HighlightAll=true, StartSel={MARK_START}, StopSel={MARK_END}"
SNIPPET_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, ShortWord=2, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
# ts_headline() parses all the text it is given: snippets come from the opening of
# the body, where news puts what matters, so a long story costs no more than a short one.
SNIPPET_SOURCE = 3000
TABLE = SearchDocument._meta.db_table
CHUNK = 1000
# What reading a heap page out of order costs the planner, relative to reading the next one,
# while it chooses how to find matches. PostgreSQL's default, 4, is a spinning disk's; with
# the documents in memory (or on an SSD) it makes the planner build a bitmap of every story
# holding a common word, from the GIN index, merely to read fewer rows of one week: tens of
# milliseconds at a million stories, where walking the week's rows newest first and testing
# each takes a few. 1.1 is the usual value for SSDs. Set for the search's own queries only.
RANDOM_PAGE_COST = "1.1"


def _reach(searched: timedelta, found: int, limit: int) -> timedelta | None:
    """How far back from the top the next window should reach; None for all the way."""
    if not found:
        return None  # a word this rare: one look at everything older costs little
    # Half as far again as the rate of matches so far predicts, and at least twice as far.
    days = max(searched.total_seconds() / 86400 * limit / found * 1.5, 2 * searched.total_seconds() / 86400)
    return timedelta(days=days) if days < 365 * 30 else None


def _before(moment, span):
    """``moment - span``; None when there is no such time (or no span): no lower bound."""
    try:
        return moment - span if span is not None else None
    except OverflowError:  # a date filter near the year 1
        return None


def _quoted(word: str) -> str:
    # Words hold only letters and digits (query.py); escaping keeps that promise anyway.
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery_text(query) -> str:
    """Input for to_tsquery(): every word quoted; the configuration stems them and drops stop words."""
    parts = []
    for part in query.parts:
        if isinstance(part, Term):
            parts.append(_quoted(part.word) + (":*" if part.prefix else ""))
        elif isinstance(part, Phrase):
            parts.append("(" + " <-> ".join(_quoted(w) for w in part.words) + ")")
    return " & ".join(parts)


class PostgresBackend(SearchBackend):
    def index(self, documents) -> None:
        documents = list(documents)
        self.remove([doc.story_id for doc in documents])
        SearchDocument.objects.bulk_create(
            [
                SearchDocument(
                    story_id=d.story_id, section_id=d.section_id, published_at=d.published_at,
                    headline=d.headline, standfirst=d.standfirst, tags=d.tags, authors=d.authors,
                    section_name=d.section, body=d.body,
                )
                for d in documents
            ],
            batch_size=CHUNK,
        )

    def remove(self, story_ids) -> None:
        story_ids = list(story_ids)
        for i in range(0, len(story_ids), CHUNK):
            SearchDocument.objects.filter(story_id__in=story_ids[i : i + CHUNK]).delete()

    def clear(self) -> None:
        SearchDocument.objects.all().delete()

    def indexed_ids(self) -> set[int]:
        return set(SearchDocument.objects.values_list("story_id", flat=True))

    def section_name(self, story_id):
        return SearchDocument.objects.filter(pk=story_id).values_list("section_name", flat=True).first()

    def newest_matches(self, query, filters, limit) -> list[Match]:
        text = tsquery_text(query)
        if not text:
            return []
        conditions = ["vector @@ to_tsquery(%s::regconfig, %s)", "published_at <= %s"]
        params = [CONFIG, text, filters.now]
        if filters.section_id is not None:
            conditions.append("section_id = %s")
            params.append(filters.section_id)
        if filters.start is not None:
            conditions.append("published_at >= %s")
            params.append(filters.start)
        if filters.end is not None:
            conditions.append("published_at < %s")
            params.append(filters.end)
        with self._planned_for_memory():
            return self._windows(text, conditions, params, filters, limit)

    @contextmanager
    def _planned_for_memory(self):
        """Runs the search's queries with RANDOM_PAGE_COST, in a transaction so it stays theirs."""
        outer = self.connection.in_atomic_block
        with transaction.atomic(using=self.connection.alias, savepoint=False):
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT current_setting('random_page_cost'), set_config('random_page_cost', %s, true)",
                    [RANDOM_PAGE_COST],
                )
                before = cursor.fetchone()[0]
            yield
            if outer:  # the setting would outlive these queries: put it back
                with self.connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('random_page_cost', %s, true)", [before])

    def _windows(self, text, conditions, params, filters, limit) -> list[Match]:
        top = filters.now if filters.end is None else min(filters.now, filters.end)
        found, newer, reach = [], None, FIRST_WINDOW
        for attempt in range(WINDOWS):
            older = _before(top, reach) if attempt < WINDOWS - 1 else None
            if older is not None and filters.start is not None and older < filters.start:
                older = None
            window, window_params = list(conditions), list(params)
            if newer is not None:
                window.append("published_at <= %s")
                window_params.append(newer)
            if older is not None:
                window.append("published_at > %s")
                window_params.append(older)
            found.extend(self._newest(text, window, window_params, limit - len(found)))
            if len(found) >= limit or older is None:
                break
            newer, reach = older, _reach(top - older, len(found), limit)
        return found

    def _newest(self, text, conditions, params, limit) -> list[Match]:
        # Scored outside the LIMIT, so only the rows kept are scored.
        sql = (
            "SELECT story_id, ts_rank_cd(%s, vector, to_tsquery(%s::regconfig, %s), %s) FROM ("
            f"SELECT story_id, published_at, vector FROM {TABLE} WHERE {' AND '.join(conditions)} "
            "ORDER BY published_at DESC, story_id DESC LIMIT %s) AS newest "
            "ORDER BY published_at DESC, story_id DESC"
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [WEIGHTS, CONFIG, text, NORMALIZATION, *params, limit])
            return [Match(story_id, score) for story_id, score in cursor.fetchall()]

    def highlights(self, query, story_ids) -> dict[int, Highlight]:
        story_ids, text = list(story_ids), tsquery_text(query)
        if not text or not story_ids:
            return {}
        marks = ", ".join(["%s"] * len(story_ids))
        sql = (
            "SELECT story_id, ts_headline(%s::regconfig, headline, q, %s), "
            f"ts_headline(%s::regconfig, left(body, {SNIPPET_SOURCE}), q, %s) "
            f"FROM {TABLE}, to_tsquery(%s::regconfig, %s) AS q WHERE story_id IN ({marks})"
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [CONFIG, HEADLINE_OPTIONS, CONFIG, SNIPPET_OPTIONS, CONFIG, text, *story_ids])
            return {pk: Highlight(headline=h or "", snippet=s or "") for pk, h, s in cursor.fetchall()}
