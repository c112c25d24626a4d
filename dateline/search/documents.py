"""The text of a story as the search index holds it.

Only stories with status "published" have a document: drafts and unpublished
stories are never indexed. A story scheduled for later is indexed too, and the
backends leave it out of results until its publication time (there is no
worker to add it when the time comes).
"""

import html
import re
from dataclasses import dataclass
from datetime import datetime

from dateline.news.models import Byline, Story

# Story bodies are stored sanitised (nh3), so every tag is well formed and
# attribute values are double-quoted: a regular expression strips them exactly,
# twenty times faster than the HTML parser that Story.derive needs for more.
_BLOCK_TAG = re.compile(
    r"</?(?:p|h[1-6]|li|blockquote|figcaption|caption|td|th|tr|pre|br|hr)\b(?:[^>\"]|\"[^\"]*\")*>", re.I
)
_TAG = re.compile(r"<(?:[^>\"]|\"[^\"]*\")*>")
# Control characters never belong in text; removing them frees \x02 and \x03
# to mark highlighted words (backends/base.py).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(value: str) -> str:
    """Readable text of a sanitised HTML body, single-spaced."""
    return tidy(html.unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", value or ""))))


def tidy(value: str) -> str:
    """``value`` single-spaced, without control characters."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


@dataclass(frozen=True)
class Document:
    story_id: int
    section_id: int
    published_at: datetime
    headline: str
    standfirst: str
    tags: str
    authors: str
    section: str
    body: str


def documents(story_ids) -> tuple[list[Document], list[int]]:
    """(documents of the published stories among ``story_ids``, the ids that must not be indexed).

    Three queries, whatever the number of stories.
    """
    ids = list(dict.fromkeys(int(i) for i in story_ids))
    if not ids:
        return [], []
    rows = list(
        Story.objects.filter(pk__in=ids, status=Story.Status.PUBLISHED, published_at__isnull=False)
        .values_list("pk", "section_id", "published_at", "headline", "standfirst", "body", "section__name")
    )
    tags, authors = {}, {}
    found = [row[0] for row in rows]
    through = Story.tags.through.objects.filter(story_id__in=found).order_by("tag__name")
    for story_id, name in through.values_list("story_id", "tag__name"):
        tags.setdefault(story_id, []).append(name)
    bylines = Byline.objects.filter(story_id__in=found).order_by("story_id", "position", "id")
    for story_id, name in bylines.values_list("story_id", "author__name"):
        authors.setdefault(story_id, []).append(name)
    docs = [
        Document(
            story_id=pk, section_id=section_id, published_at=published_at,
            headline=tidy(headline), standfirst=tidy(standfirst),
            tags=", ".join(tags.get(pk, ())), authors=", ".join(authors.get(pk, ())),
            section=tidy(section_name), body=plain_text(body),
        )
        for pk, section_id, published_at, headline, standfirst, body, section_name in rows
    ]
    indexed = set(found)
    return docs, [i for i in ids if i not in indexed]
