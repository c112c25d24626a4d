"""Agency copy: from feeds and drop folders into the wire queue, and from the queue into a story.

Formats, detected from the bytes:

- IPTC NINJS (JSON; 1.x ``headline``/``body_html`` and 2.x ``headlines``/``bodies``),
  one item or a list;
- IPTC NewsML-G2 (XML): a ``newsItem`` or a ``newsMessage`` of them;
- RSS 2.0, RSS 1.0 and Atom feeds.

Every item lands in ``WireItem`` keyed by (agency, guid). A newer version
(higher version number, or the same number issued later) updates the queued
copy in place; an older or repeated one changes nothing. A kill
(``pubStatus`` canceled or withheld) marks the copy withdrawn, and a copy
that arrives after a story was made from it flags that story's item so the
desk sees the change.
"""

import html
import re
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone as dt_timezone
from email.utils import parsedate_to_datetime
from hashlib import sha1
from pathlib import Path

from django.db import IntegrityError, transaction
from lxml import etree
from django.utils import timezone

from dateline.news import actions
from dateline.news.models import Credit, Section, Source, Story
from dateline.news.text import paragraphs_to_html, sanitize

from . import dedupe
from .errors import BadItem, IngestError, UnreadableFile
from .http import Client
from .models import Wire, WireItem
from .report import Report
from .safexml import MAX_ITEM_BYTES, load_json, parse_bytes, read_limited

G2 = "http://iptc.org/std/nar/2006-10-01/"
ATOM = "http://www.w3.org/2005/Atom"
RSS1 = "http://purl.org/rss/1.0/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
XHTML = "http://www.w3.org/1999/xhtml"
_EARLIEST = datetime.min.replace(tzinfo=dt_timezone.utc)
# Names a drop folder may hold that are not finished files yet.
UNFINISHED = (".tmp", ".part", ".partial", ".crdownload", "~")


class WithdrawnCopy(IngestError):
    pass


@dataclass
class WireCopy:
    """One item as an agency sent it, before it meets the queue."""

    guid: str
    headline: str
    body: str  # HTML, not yet sanitised
    format: str
    version: int = 1
    version_at: datetime | None = None
    summary: str = ""
    byline: str = ""
    url: str = ""
    language: str = ""
    embargo: datetime | None = None
    withdrawn: bool = False
    agency: str = ""  # the provider the document names, if it does

    @property
    def label(self) -> str:
        return f"“{self.headline[:60]}” ({self.guid[:80]})"


def _plain(value) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", str(value or ""))).split())


def parse_when(value, label: str = "", what: str = "date") -> datetime | None:
    """An aware datetime from ISO 8601 or RFC 822; naive times are taken as UTC."""
    value = (value or "").strip() if isinstance(value, str) else value
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, TypeError, AttributeError):
        try:
            when = parsedate_to_datetime(value)
        except (ValueError, TypeError, IndexError):
            raise BadItem(f"{label}: {what} “{str(value)[:40]}” is not a date") from None
    return when if when.tzinfo else when.replace(tzinfo=dt_timezone.utc)


def _url(value) -> str:
    value = (value or "").strip()
    return value if value.startswith(("http://", "https://")) and len(value) <= 500 else ""


def _text_to_html(text: str) -> str:
    return paragraphs_to_html(re.split(r"\n\s*\n", (text or "").strip()))


# -- NINJS ----------------------------------------------------------------------------------------


def _ninjs(obj, name: str) -> WireCopy:
    if not isinstance(obj, dict):
        raise BadItem(f"{name}: a NINJS item must be a JSON object")
    guid = str(obj.get("uri") or obj.get("guid") or "").strip()
    headline = obj.get("headline") or next(
        (h.get("value") for h in obj.get("headlines") or [] if isinstance(h, dict) and h.get("value")), "")
    label = f"{name}: item {guid or '(no uri)'}"
    if not guid:
        raise BadItem(f"{name}: a NINJS item without “uri”")
    if not _plain(headline):
        raise BadItem(f"{label}: has no headline")
    if obj.get("type") not in (None, "text", "composite"):
        raise BadItem(f"{label}: is a {obj['type']}, not text copy; only text goes in the queue")
    bodies = [b for b in obj.get("bodies") or [] if isinstance(b, dict)]
    body = obj.get("body_html") or next((b.get("value") for b in bodies if "html" in str(b.get("contenttype"))), "")
    if not body:
        text = obj.get("body_text") or next((b.get("value") for b in bodies if b.get("value")), "")
        body = _text_to_html(text)
    summary = obj.get("description_text") or _plain(obj.get("description_html")) or next(
        (_plain(d.get("value")) for d in obj.get("descriptions") or [] if isinstance(d, dict)), "")
    byline = obj.get("byline") or obj.get("by") or ""
    version = str(obj.get("version") or "1").strip()
    if not version.isdigit():
        raise BadItem(f"{label}: version “{version[:20]}” is not a number")
    links = [link for link in obj.get("links") or [] if isinstance(link, dict)]
    url = next((_url(link.get("href")) for link in links if link.get("rel") in ("canonical", "irel:canonical")
                and _url(link.get("href"))), "") or _url(guid)
    holder = obj.get("copyrightholder") or next(
        (s.get("name") for s in obj.get("infosources") or [] if isinstance(s, dict) and s.get("name")), "")
    return WireCopy(
        guid=guid, headline=_plain(headline), body=body, format="ninjs", version=int(version),
        version_at=parse_when(obj.get("versioncreated") or obj.get("firstcreated"), label, "versioncreated"),
        summary=_plain(summary), byline=_plain(byline), url=url, language=str(obj.get("language") or "")[:20],
        embargo=parse_when(obj.get("embargoed"), label, "embargoed"),
        withdrawn=str(obj.get("pubstatus", "usable")).lower() in ("canceled", "cancelled", "withheld"),
        agency=_plain(holder)[:120],
    )


# -- NewsML-G2 ----------------------------------------------------------------------------------


def _g2(tag: str) -> str:
    return f"{{{G2}}}{tag}"


def _strip_namespaces(elem):
    for node in elem.iter():
        if isinstance(node.tag, str) and "}" in node.tag:
            node.tag = node.tag.split("}", 1)[1]
    etree.cleanup_namespaces(elem)
    return elem


def _newsml_item(item, name: str) -> WireCopy:
    guid = (item.get("guid") or "").strip()
    label = f"{name}: newsItem {guid or '(no guid)'}"
    if not guid:
        raise BadItem(f"{name}: a newsItem without a guid")
    meta = item.find(_g2("itemMeta"))
    content = item.find(_g2("contentMeta"))
    if meta is None or content is None:
        raise BadItem(f"{label}: has no itemMeta or contentMeta")
    item_class = (meta.find(_g2("itemClass")).get("qcode", "") if meta.find(_g2("itemClass")) is not None else "")
    if item_class and not item_class.endswith(":text"):
        raise BadItem(f"{label}: is {item_class}, not text copy; only text goes in the queue")
    headlines = content.findall(_g2("headline"))
    main = next((h for h in headlines if "main" in (h.get("role") or "")), headlines[0] if headlines else None)
    headline = _plain("".join(main.itertext())) if main is not None else ""
    if not headline:
        raise BadItem(f"{label}: has no headline")
    version = (item.get("version") or "1").strip()
    if not version.isdigit():
        raise BadItem(f"{label}: version “{version[:20]}” is not a number")
    body = ""
    content_set = item.find(_g2("contentSet"))
    if content_set is not None:
        inline = content_set.find(_g2("inlineXML"))
        if inline is not None:
            html_root = _strip_namespaces(inline)
            holder = html_root.find(".//body")
            holder = holder if holder is not None else html_root
            body = (holder.text or "") + "".join(etree.tostring(child, encoding="unicode", method="html")
                                                   for child in holder)
        else:
            data = content_set.find(_g2("inlineData"))
            if data is not None:
                body = _text_to_html(data.text or "")
    provider = meta.find(_g2("provider"))
    holder = item.find(f"{_g2('rightsInfo')}/{_g2('copyrightHolder')}")
    agency = ""
    for source in (provider, holder):
        if source is not None:
            agency = source.get("literal") or _plain("".join(source.find(_g2("name")).itertext())
                                                     if source.find(_g2("name")) is not None else "")
            agency = agency or (source.get("qcode") or "").split(":", 1)[-1]
            if agency:
                break
    status = meta.find(_g2("pubStatus"))
    link = next((_url(lk.get("href")) for lk in meta.findall(_g2("link"))
                 if (lk.get("rel") or "").endswith(("canonical", "seeAlso")) and _url(lk.get("href"))), "")
    description = content.find(_g2("description"))
    by = content.find(_g2("by"))
    language = content.find(_g2("language"))
    embargo = meta.find(_g2("embargoed"))
    created = meta.find(_g2("versionCreated"))
    return WireCopy(
        guid=guid, headline=headline, body=body, format="newsml-g2", version=int(version),
        version_at=parse_when(created.text if created is not None else "", label, "versionCreated"),
        summary=_plain("".join(description.itertext())) if description is not None else "",
        byline=_plain("".join(by.itertext())) if by is not None else "",
        url=link, language=(language.get("tag") or "")[:20] if language is not None else "",
        embargo=parse_when(embargo.text if embargo is not None else "", label, "embargoed"),
        withdrawn=status is not None and (status.get("qcode") or "").split(":")[-1] in ("canceled", "withheld"),
        agency=agency[:120],
    )


# -- RSS and Atom -------------------------------------------------------------------------------


def _child_text(elem, *tags) -> str:
    for tag in tags:
        found = elem.find(tag)
        if found is not None and (found.text or "").strip():
            return found.text.strip()
    return ""


def _rss_item(item, name: str, fmt: str, ns: str = "") -> WireCopy:
    title = _plain(_child_text(item, f"{ns}title"))
    link = _url(_child_text(item, f"{ns}link"))
    when_text = _child_text(item, "pubDate", f"{{{DC}}}date")
    guid = _child_text(item, "guid") or item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about", "") or link
    if not guid:
        guid = "sha1:" + sha1(f"{title}|{when_text}".encode()).hexdigest()
    label = f"{name}: item {guid[:80]}"
    if not title:
        raise BadItem(f"{label}: has no title")
    body = _child_text(item, f"{{{CONTENT}}}encoded") or _child_text(item, f"{ns}description")
    when = parse_when(when_text, label, "pubDate")
    return WireCopy(guid=guid, headline=title, body=body, format=fmt, version_at=when, url=link,
                    summary="", byline=_plain(_child_text(item, "author", f"{{{DC}}}creator")))


def _atom_text(elem) -> str:
    if elem is None:
        return ""
    kind = elem.get("type", "text")
    if kind == "xhtml":
        div = _strip_namespaces(elem).find("div")
        holder = div if div is not None else elem
        return (holder.text or "") + "".join(etree.tostring(c, encoding="unicode", method="html") for c in holder)
    if kind == "html":
        return elem.text or ""
    return html.escape(elem.text or "")


def _atom_entry(entry, name: str) -> WireCopy:
    a = f"{{{ATOM}}}"
    guid = _child_text(entry, f"{a}id")
    title = _plain(_atom_text(entry.find(f"{a}title")))
    label = f"{name}: entry {guid[:80] or '(no id)'}"
    if not guid:
        raise BadItem(f"{label}: has no id")
    if not title:
        raise BadItem(f"{label}: has no title")
    link = next((_url(lk.get("href")) for lk in entry.findall(f"{a}link")
                 if lk.get("rel", "alternate") == "alternate" and _url(lk.get("href"))), "")
    content = entry.find(f"{a}content")
    summary = entry.find(f"{a}summary")
    body = _atom_text(content) if content is not None else _atom_text(summary)
    author = entry.find(f"{a}author/{a}name")
    return WireCopy(
        guid=guid, headline=title, body=body, format="atom", url=link,
        version_at=parse_when(_child_text(entry, f"{a}updated", f"{a}published"), label, "updated"),
        summary=_plain(_atom_text(summary)) if content is not None and summary is not None else "",
        byline=_plain(author.text) if author is not None else "",
    )


def parse_document(data: bytes, name: str) -> list:
    """Every item in a wire document: ``WireCopy`` objects, and ``BadItem`` for items that are wrong.

    Raises ``UnreadableFile`` when the document as a whole cannot be read.
    """
    if len(data) > MAX_ITEM_BYTES:
        raise UnreadableFile(f"{name}: larger than the {MAX_ITEM_BYTES // (1024 * 1024)} MB allowed")
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    out = []

    def each(items, parse, *args):
        for item in items:
            try:
                out.append(parse(item, name, *args))
            except BadItem as exc:
                out.append(exc)

    if head[:1] in (b"{", b"["):
        found = load_json(data, name)
        if isinstance(found, dict) and isinstance(found.get("items"), list):
            found = found["items"]
        each(found if isinstance(found, list) else [found], _ninjs)
        return out
    root = parse_bytes(data, name)
    tag = root.tag
    if tag == _g2("newsItem"):
        each([root], _newsml_item)
    elif tag == _g2("newsMessage"):
        each(root.iter(_g2("newsItem")), _newsml_item)
    elif tag == "rss":
        each(root.iter("item"), _rss_item, "rss")
    elif tag == f"{{{ATOM}}}feed":
        each(root.findall(f"{{{ATOM}}}entry"), _atom_entry)
    elif tag == f"{{{ATOM}}}entry":
        each([root], _atom_entry)
    elif tag.endswith("}RDF"):
        each(root.findall(f"{{{RSS1}}}item"), _rss_item, "rss", f"{{{RSS1}}}")
    else:
        raise UnreadableFile(f"{name}: not a wire format Dateline reads (NINJS, NewsML-G2, RSS or Atom); "
                             f"its root element is <{tag.split('}')[-1]}>")
    return out


# -- the queue ----------------------------------------------------------------------------------


def agency_named(name: str) -> Source:
    """The source called ``name``, created as a news agency when the newsroom has none by that name."""
    name = " ".join((name or "").split())[:120]
    found = Source.objects.filter(name__iexact=name).first()
    if found is None:
        found = Source.objects.create(name=name, slug=actions.unique_slug(name, Source)[:120],
                                      kind=Source.Kind.AGENCY)
    return found


@transaction.atomic
def receive(copy: WireCopy, agency: Source, wire: Wire | None = None) -> tuple[WireItem, str]:
    """Put ``copy`` in the queue: "new", "updated", or "unchanged"/"older" when it adds nothing."""
    fields = dict(
        version=copy.version, version_at=copy.version_at, format=copy.format, headline=copy.headline[:300],
        summary=copy.summary, byline=copy.byline[:300], body=sanitize(copy.body), url=copy.url,
        language=copy.language, embargo=copy.embargo, withdrawn=copy.withdrawn,
    )
    item = WireItem.objects.select_for_update().filter(agency=agency, guid=copy.guid[:500]).first()
    if item is None:
        try:
            with transaction.atomic():
                item = WireItem.objects.create(agency=agency, wire=wire, guid=copy.guid[:500], **fields)
        except IntegrityError:  # another poller stored it a moment ago; treat as an update
            item = WireItem.objects.select_for_update().get(agency=agency, guid=copy.guid[:500])
        else:
            dedupe.remember_wire_item(item)
            return item, "new"
    arrived = (copy.version, copy.version_at or _EARLIEST)
    held = (item.version, item.version_at or _EARLIEST)
    if arrived <= held:
        return item, "unchanged" if arrived == held else "older"
    for name, value in fields.items():
        setattr(item, name, value)
    item.updated_at = timezone.now()
    if item.status == WireItem.Status.USED:
        item.changed_after_use = True
    item.save()
    dedupe.remember_wire_item(item)
    return item, "updated"


def default_section() -> Section:
    section = Section.objects.order_by("position", "name").first()
    return section or actions.save_section(Section(name="News", slug="news", position=0))


@transaction.atomic
def story_from_wire(item: WireItem, user=None, section: Section | None = None) -> Story:
    """A draft story from agency copy, credited to the agency, with its embargo and canonical URL.

    Using an item twice returns the story already made from it.
    """
    item = WireItem.objects.select_for_update().get(pk=item.pk)  # one click at a time makes one story
    if item.story_id:
        story = Story.objects.filter(pk=item.story_id).first()
        if story is not None:
            return story
    if item.withdrawn:
        raise WithdrawnCopy(f"{item.agency} withdrew “{item.headline}”; it cannot be used.")
    section = section or (item.wire.section if item.wire and item.wire.section else None) or default_section()
    story = actions.create_story(
        headline=item.headline, section=section, standfirst=item.summary, body=item.body,
        canonical_url=item.url, embargo_until=item.embargo, credits=[(item.agency, Credit.Role.REPORTED_BY)],
        by=user,
    )
    item.status, item.story, item.changed_after_use = WireItem.Status.USED, story, False
    item.used_by = user if user is not None and user.is_authenticated else None
    item.save(update_fields=["status", "story", "used_by", "changed_after_use"])
    return story


def discard(item: WireItem) -> WireItem:
    item.status = WireItem.Status.DISCARDED
    item.save(update_fields=["status"])
    return item


def _receive_all(copies, report: Report, agency_for, wire=None) -> list:
    problems = []
    for copy in copies:
        if isinstance(copy, BadItem):
            problems.append(str(copy))
            continue
        try:
            agency = agency_for(copy)
            _, outcome = receive(copy, agency, wire)
        except IngestError as exc:
            problems.append(str(exc))
            continue
        report.count(outcome)
    return problems


def poll_wires(client: Client | None = None, wires=None) -> Report:
    """Fetch every active wire's feed once and queue what is new (``dateline poll-wires``).

    ``client`` carries the HTTP transport; tests pass one that serves fixture
    bytes. A conditional GET makes an unchanged feed cost one 304.
    """
    client = client or Client()
    report = Report("Wire poll")
    started = time.perf_counter()
    wires = Wire.objects.filter(active=True).select_related("agency") if wires is None else wires
    for wire in wires:
        headers = {}
        if wire.etag:
            headers["If-None-Match"] = wire.etag
        if wire.last_modified:
            headers["If-Modified-Since"] = wire.last_modified
        try:
            response = client.get(wire.url, headers)
            if response.status == 304:
                report.count("feeds unchanged")
            elif response.status != 200:
                raise IngestError(f"{wire.url}: the server answered {response.status}")
            else:
                copies = parse_document(response.content, wire.url)
                problems = _receive_all(copies, report, lambda copy, agency=wire.agency: agency, wire)
                for problem in problems:
                    report.fail(wire.name, problem)
                report.count("feeds read")
                wire.etag = response.headers.get("etag", "")[:300]
                wire.last_modified = response.headers.get("last-modified", "")[:100]
            wire.last_error = ""
        except IngestError as exc:
            wire.last_error = str(exc)
            report.fail(wire.name, exc)
        wire.last_polled_at = timezone.now()
        wire.save(update_fields=["etag", "last_modified", "last_error", "last_polled_at"])
    report.seconds = time.perf_counter() - started
    return report


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{path.stem}.{n}{path.suffix}"
    shutil.move(str(path), str(target))
    return target


def ingest_folder(folder, agency: str | None = None, min_age: float = 2.0) -> Report:
    """Queue every wire file dropped in ``folder``; move each to ``done/`` or ``failed/``.

    Files younger than ``min_age`` seconds may still be arriving and wait for
    the next run; a failed file gets a ``.error.txt`` note beside it.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UnreadableFile(f"{folder}: no such folder")
    report = Report(f"Wire folder {folder}")
    started = time.perf_counter()
    forced = agency_named(agency) if agency else None

    def agency_for(copy):
        if forced is not None:
            return forced
        if not copy.agency:
            raise BadItem(f"{copy.label}: names no agency; run with --agency NAME")
        return agency_named(copy.agency)

    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith(".") or path.name.endswith(UNFINISHED):
            continue
        if time.time() - path.stat().st_mtime < min_age:
            report.skip(path.name, "still being written; left for the next run")
            continue
        try:
            copies = parse_document(read_limited(path, MAX_ITEM_BYTES, "wire file"), path.name)
            problems = _receive_all(copies, report, agency_for)
        except IngestError as exc:
            problems = [str(exc)]
        if problems:
            moved = _move(path, folder / "failed")
            moved.with_name(moved.name + ".error.txt").write_text("\n".join(problems) + "\n", encoding="utf-8")
            report.fail(path.name, "; ".join(problems))
        else:
            _move(path, folder / "done")
            report.count("files done")
    report.seconds = time.perf_counter() - started
    return report
