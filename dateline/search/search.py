"""Finding stories: the reader's side of the index, the same for every backend.

Relevance is computed for the newest WINDOW matches of a query, not for every
story that contains its words. Below WINDOW matches that is every match; a
word found in tens of thousands of stories is ranked among its most recent
ones, which keeps a search on a large archive as fast as one on a small
archive, and is what a news reader searching a common word wants.
"""

import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from dateline.news.models import Story

from .backends import get_backend
from .backends.base import MARK_END, MARK_START, Filters
from .query import parse

WINDOW = 500
# What a result shows (templatetags/search_results.py), and what is_visible() reads.
RESULT_FIELDS = ("headline", "slug", "excerpt", "published_at", "reading_minutes", "status",
                 "section__name", "section__slug")

_MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}")


def marked_html(text: str) -> SafeString:
    """``text`` escaped, with only our own <mark> elements as HTML."""
    html = _MARKED.sub(r"<mark>\1</mark>", escape(" ".join(text.split())))
    return mark_safe(html.replace(MARK_START, "").replace(MARK_END, ""))


@dataclass(frozen=True)
class Hit:
    story: Story
    headline: SafeString
    snippet: SafeString | None  # None when the body does not hold the words: show the excerpt


class Results:
    """The ranked matches of one query; stories are loaded a page at a time.

    Django's Paginator takes it as it takes a QuerySet.
    """

    def __init__(self, query, filters: Filters, backend=None):
        self.query, self.filters = query, filters
        self.backend = backend or get_backend()
        matches = self.backend.newest_matches(query, filters, WINDOW + 1) if query else []
        # More matches than were ranked: the reader is told, and invited to narrow the search.
        self.truncated = len(matches) > WINDOW
        # A stable sort: equally relevant matches stay newest first.
        self.ranked = sorted(matches[:WINDOW], key=lambda m: m.score, reverse=True)

    def count(self) -> int:
        return len(self.ranked)

    def __len__(self):
        return len(self.ranked)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._hits([m.story_id for m in self.ranked[index]])
        return self._hits([self.ranked[index].story_id])[0]

    def story_ids(self) -> list[int]:
        return [m.story_id for m in self.ranked]

    def _hits(self, ids) -> list[Hit]:
        # Looked up by id, then checked with is_visible(), published()'s rule for one
        # story: the index may hold a story scheduled for later. (Filtering by
        # published() in SQL would lead SQLite, which keeps no statistics, to scan
        # the publication-time index instead of fetching twenty rows.)
        found = Story.objects.select_related("section").only(*RESULT_FIELDS).in_bulk(ids)
        stories = {pk: story for pk, story in found.items() if story.is_visible(self.filters.now)}
        marks = self.backend.highlights(self.query, [i for i in ids if i in stories])
        hits = []
        for story_id in ids:
            story = stories.get(story_id)
            if story is None:
                continue
            mark = marks.get(story_id)
            headline = marked_html(mark.headline) if mark and mark.headline else escape(story.headline)
            snippet = marked_html(mark.snippet) if mark and MARK_START in mark.snippet else None
            hits.append(Hit(story=story, headline=headline, snippet=snippet))
        return hits


def find(text, section=None, start=None, end=None, now=None) -> Results:
    """Published stories matching what a reader typed, best first.

    ``section``: a Section or None; ``start``/``end``: aware datetimes, the
    publication time at or after ``start`` and before ``end``.
    """
    query = parse(text)
    filters = Filters(
        now=now or timezone.now(), section_id=section.pk if section is not None else None, start=start, end=end
    )
    return Results(query, filters)
