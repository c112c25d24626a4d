"""Single pages: a news page from elsewhere, as HTML or scraped text, turned into a draft.

``dateline import-page FILE_OR_URL`` and the desk form at /desk/ingest/page/
both call ``import_page``. HTML goes through trafilatura (which uses htmldate
for the date); what it leaves in — reading times, "ALSO READ" lines, the
headline repeated as the first line — is cleaned with the rules in
``scraped``, which also read plain-text pages on their own. The draft keeps a
credit to the original publication (a ``Source``) and its canonical URL.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date as Date, datetime, time as dt_time, timezone as dt_timezone
from pathlib import Path
from urllib.parse import urlsplit

from django.db import transaction

from dateline.news import actions
from dateline.news.models import Credit, Source
from dateline.news.text import paragraphs_to_html

from . import dedupe, scraped
from .errors import BadItem, UnreadableFile
from .http import Client
from .models import ImportedItem
from .safexml import MAX_ITEM_BYTES, MB, decode_text, read_limited
from .wires import default_section

ORIGIN = "page"
_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|title|article|div|p)[\s>]", re.I)


@dataclass
class Extract:
    title: str = ""
    date: Date | None = None
    author: str | None = None
    paragraphs: list = field(default_factory=list)
    canonical_url: str = ""
    publication: str = ""
    kind: str = "text"

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.body}"

    def as_json(self) -> dict:
        """Exactly what ``import-page --dry-run --json`` prints."""
        return {"title": self.title, "date": self.date.isoformat() if self.date else None,
                "author": self.author or None, "body": self.body}


def looks_like_html(data: bytes, content_type: str = "") -> bool:
    if "html" in content_type:
        return True
    if content_type.startswith("text/plain"):
        return False
    return bool(_HTML_SNIFF.search(data[:4096]))


def extract_html(data: bytes, url: str = "") -> Extract:
    import trafilatura

    found = trafilatura.bare_extraction(
        data, url=url or None, with_metadata=True, include_comments=False, include_tables=False,
        favor_precision=True,
    )
    if found is None or not (found.text or "").strip():
        # Too little for trafilatura: read the page's text as a scraped page.
        text = trafilatura.html2txt(data) or ""
        result = from_scraped(text)
        result.kind = "html"
        return result
    title = scraped.clean(found.title or "")
    lines = [scraped.clean(line) for line in (found.text or "").splitlines()]
    kept, seen = scraped.body_lines(lines, title)
    paragraphs = [line for line in kept if line]
    author = found.author or seen.get("author")
    when = None
    if found.date:
        try:
            when = Date.fromisoformat(found.date[:10])
        except ValueError:
            when = None
    if when is None and not seen.get("date"):
        when = _htmldate(data)
    return Extract(
        title=title, date=when or seen.get("date"), author=scraped.clean(author) if author else None,
        paragraphs=paragraphs, canonical_url=found.url or url or "", publication=scraped.clean(found.sitename or ""),
        kind="html",
    )


def _htmldate(data: bytes) -> Date | None:
    """htmldate's deeper search (URL patterns, scripts, text) for pages trafilatura found no date in."""
    from htmldate import find_date

    try:
        found = find_date(data, original_date=True, extensive_search=True, outputformat="%Y-%m-%d")
    except (ValueError, TypeError):
        return None
    return Date.fromisoformat(found) if found else None


def from_scraped(text: str) -> Extract:
    page = scraped.read(text)
    return Extract(title=page.title, date=page.date, author=page.author, paragraphs=page.paragraphs,
                   publication=page.publication, kind="text")


def extract(data: bytes, name: str = "", url: str = "", content_type: str = "") -> Extract:
    """What a page says: headline, date, author, body paragraphs, and where it came from."""
    if len(data) > MAX_ITEM_BYTES:
        raise UnreadableFile(f"{name or url}: larger than the {MAX_ITEM_BYTES // MB} MB allowed for a page")
    if looks_like_html(data, content_type):
        result = extract_html(data, url)
    else:
        result = from_scraped(decode_text(data))
        result.canonical_url = url
    result.title = result.title[:300].rsplit(" ", 1)[0] + "…" if len(result.title) > 300 else result.title
    return result


def load(source: str, client: Client | None = None) -> tuple[bytes, str, str]:
    """(bytes, URL, content type) of a file path or an http(s) URL."""
    if re.match(r"^https?://", source, re.I):
        response = (client or Client()).get_ok(source, {"Accept": "text/html,text/plain;q=0.9,*/*;q=0.1"})
        return response.content, response.url, response.content_type
    return read_limited(Path(source), MAX_ITEM_BYTES, "page"), "", ""


@dataclass
class PageImport:
    extract: Extract
    story: object = None
    duplicates: list = field(default_factory=list)
    already: bool = False  # the page was imported before; ``story`` is that import


def publication_named(name: str, url: str = "") -> Source:
    """The source for a publication, created (kind "publication") when the newsroom has none by that name."""
    name = " ".join(name.split())[:120]
    found = Source.objects.filter(name__iexact=name).first()
    if found is None:
        parts = urlsplit(url)
        home = f"{parts.scheme}://{parts.netloc}/" if parts.scheme in ("http", "https") and parts.netloc else ""
        found = Source.objects.create(name=name, slug=actions.unique_slug(name, Source)[:120],
                                      kind=Source.Kind.PUBLICATION, url=home)
    return found


def _external_id(page: Extract) -> str:
    if page.canonical_url:
        return page.canonical_url[:500]
    return "sha256:" + hashlib.sha256(page.text.encode()).hexdigest()


def import_page(source: str | None = None, *, data: bytes | None = None, page: Extract | None = None,
                name: str = "", client=None, source_name: str = "", section=None, user=None,
                dry_run: bool = False) -> PageImport:
    """Read a page (a path or URL, its ``data``, or an ``Extract`` already made) and,
    unless ``dry_run``, make a draft of it.

    A page imported before (same canonical URL, or same text) is not imported
    again: the result carries the earlier story and ``already=True``.
    """
    if page is None:
        url, content_type = "", ""
        if data is None:
            data, url, content_type = load(source, client)
            name = name or source
        page = extract(data, name=name, url=url, content_type=content_type)
    result = PageImport(page)
    if dry_run:
        return result
    if not page.title or not page.paragraphs:
        raise BadItem(f"{name or 'the page'}: no headline or no body found; nothing imported")
    result.duplicates = dedupe.find_near_duplicates(page.text)
    external = _external_id(page)
    earlier = ImportedItem.objects.select_related("story").filter(origin=ORIGIN, external_id=external).first()
    if earlier is not None and earlier.story is not None:
        result.story, result.already = earlier.story, True
        return result
    with transaction.atomic():
        publication = source_name or page.publication
        credits = [(publication_named(publication, page.canonical_url), Credit.Role.VIA)] if publication else []
        story = actions.create_story(
            headline=page.title, section=section or default_section(), body=paragraphs_to_html(page.paragraphs),
            canonical_url=page.canonical_url if len(page.canonical_url) <= 500 else "", credits=credits, by=user,
        )
        # Only the day is known; noon UTC keeps it on that calendar day in every newsroom's time zone.
        ImportedItem.objects.update_or_create(origin=ORIGIN, external_id=external, defaults={
            "story": story, "checksum": hashlib.sha256(json.dumps(page.as_json()).encode()).hexdigest(),
            "original_url": story.canonical_url,
            "original_published_at": datetime.combine(page.date, dt_time(12), dt_timezone.utc) if page.date else None,
        })
    result.story = story
    return result
