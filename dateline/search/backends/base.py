"""The interface of a search backend; each database engine has one module.

A backend keeps one document per published story (see documents.py) and
answers two questions: which stories match a query, newest first, and how
well each matches; and where in a story's headline and body the matched words
are. Ranking, counting and paging are the same for every engine (search.py).
"""

from dataclasses import dataclass
from datetime import datetime

# Around each matched word in highlights; documents never contain them (documents.tidy).
MARK_START, MARK_END = "\x02", "\x03"


@dataclass(frozen=True)
class Filters:
    now: datetime  # stories published later are not shown yet
    section_id: int | None = None
    start: datetime | None = None  # published at or after
    end: datetime | None = None  # published before


@dataclass(frozen=True)
class Match:
    story_id: int
    score: float  # higher is better


@dataclass(frozen=True)
class Highlight:
    headline: str  # the whole headline, matched words between MARK_START and MARK_END
    snippet: str  # the passage of the body that matches best, marked the same way


class SearchBackend:
    def __init__(self, connection):
        self.connection = connection

    def index(self, documents) -> None:
        """Store these documents, replacing what the index held for their stories."""
        raise NotImplementedError

    def remove(self, story_ids) -> None:
        """Forget these stories; ids the index does not hold are ignored."""
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def optimize(self) -> None:
        """Tidy the index after a rebuild, if the engine gains from it."""

    def indexed_ids(self) -> set[int]:
        raise NotImplementedError

    def section_name(self, story_id) -> str | None:
        """The section name the index holds for this story, or None if it holds no document for it."""
        raise NotImplementedError

    def newest_matches(self, query, filters: Filters, limit: int) -> list[Match]:
        """At most ``limit`` stories that match ``query`` and ``filters``, newest first
        (by publication time, then story id): the order that breaks ties in relevance."""
        raise NotImplementedError

    def highlights(self, query, story_ids) -> dict[int, Highlight]:
        raise NotImplementedError
