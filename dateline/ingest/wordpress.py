"""Bringing a WordPress archive over: ``dateline import-wordpress EXPORT.xml [--media DIR]``.

The export (WXR: RSS with WordPress's own elements) is streamed twice in
constant memory. The first pass checks the whole file is safe, well-formed
XML and collects what posts refer to (authors, the category tree,
attachments for featured images), so a broken file is refused before any
write. The second pass turns each post into a story:

- ``post`` items become stories; pages, attachments, menu items, revisions
  and other types are skipped and counted;
- ``publish`` and ``future`` posts are published at their post date (a
  future date stays scheduled), ``draft``/``pending`` stay drafts,
  ``private`` and password-protected posts come in as drafts with a warning;
- the primary (else first) category's top-level ancestor is the section,
  created with ``save_section`` when missing; other categories and tags
  become tags; ``dc:creator`` and Co-Authors Plus terms become bylines;
- the excerpt becomes the summary; images in the body and the featured
  image are imported from ``--media`` (a copy of ``wp-content/uploads``) as
  ``news.Image`` with their alt text, or stay at their old address, reported;
- every old permalink (the ``<link>`` path and ``?p=ID``) gets a
  ``news.Redirect`` row, which the public site answers with a 301.

Each post is written in its own transaction through ``news.actions``; a bad
post is reported and the rest go on. ``ImportedItem`` remembers each post by
(site, post id) with a checksum, so running the import again creates nothing
twice, updates what changed and leaves the rest alone.

``bulk=True`` (``--bulk``) writes new posts in batches instead: the same rows
(stories with the same slugs and derived fields, bylines, tags, redirects,
images, mappings, fingerprints) inserted straight through the cursor, with
posts planned and derived in worker processes. The per-story signals are not
sent; what their receivers do (search index, related stories, page store
purges) is done once at the end for all the new stories (``bulk.finish``).
Changed and existing posts always take the per-post path.
"""

import hashlib
import html
import json
import multiprocessing
import os
import re
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone as dt_timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.urls import reverse
from django.utils.text import slugify

from dateline.news import actions
from dateline.news.models import (
    RESERVED_SLUGS, Author, Byline, Image, Redirect, Revision, Section, Story, StoryEvent,
)
from dateline.search import index as search_index
from dateline.search.backends import get_backend as get_search_backend
from dateline.search.documents import Document as SearchDocument, plain_text, tidy

from . import bulk, dedupe
from .errors import BadItem, IngestError, UnreadableFile
from .models import Fingerprint, FingerprintBand, ImportedImage, ImportedItem
from .report import Report
from .safexml import MAX_EXPORT_BYTES, MB, XMLStream

# Bump when the mapping from a post to a story changes, so a re-run refreshes every story.
MAPPING_VERSION = 1
MAX_IMAGE_BYTES = 40 * MB
MAX_POST_BYTES = 5 * MB

_WP = "http://wordpress.org/export/"
_CONTENT = "http://purl.org/rss/1.0/modules/content/"
_DC = "http://purl.org/dc/elements/1.1/"

SKIPPED_TYPES = {
    "page": "a page, not a story",
    "attachment": "an attachment (its file comes with the posts that use it)",
    "nav_menu_item": "a menu item",
    "revision": "a revision",
    "wp_block": "a reusable block",
    "custom_css": "theme CSS",
    "wp_template": "a theme template",
    "wp_template_part": "a theme template",
    "wp_navigation": "a menu",
    "wp_global_styles": "theme styles",
}
SKIPPED_STATUSES = {"trash": "in the WordPress trash", "auto-draft": "an empty auto-draft", "inherit": "a revision"}


def _split(tag: str) -> tuple[str, str]:
    """(namespace kind, local name): kind is wp, excerpt, content, dc, '' or the namespace."""
    if not tag.startswith("{"):
        return "", tag
    ns, local = tag[1:].split("}", 1)
    if ns.startswith(_WP):
        return ("excerpt" if ns.rstrip("/").endswith("excerpt") else "wp"), local
    if ns == _CONTENT:
        return "content", local
    if ns == _DC:
        return "dc", local
    return ns, local


def plain(value: str) -> str:
    """Text without tags, entities or runs of whitespace."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", value or "")).split())


# -- reading the export -----------------------------------------------------------------------


@dataclass
class Attachment:
    id: int
    url: str = ""
    file: str = ""  # path inside wp-content/uploads, from _wp_attached_file
    alt: str = ""
    caption: str = ""


@dataclass
class Post:
    """One ``<item>`` as the export has it: strings, not yet checked."""

    post_id: str = ""
    title: str = ""
    link: str = ""
    post_type: str = "post"
    status: str = ""
    name: str = ""
    date: str = ""
    date_gmt: str = ""
    content: str = ""
    excerpt: str = ""
    creator: str = ""
    password: str = ""
    attachment_url: str = ""
    terms: list = field(default_factory=list)  # (domain, nicename, display name)
    meta: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        title = plain(self.title)
        title = title if len(title) <= 60 else title[:59] + "…"
        return f"post {self.post_id or '?'} “{title}”" if title else f"post {self.post_id or '?'}"


@dataclass
class Site:
    origin: str = ""
    base_url: str = ""
    link: str = ""
    wxr: bool = False
    posts: int = 0
    authors: dict = field(default_factory=dict)  # login -> display name
    categories: dict = field(default_factory=dict)  # nicename -> (name, parent nicename)
    term_ids: dict = field(default_factory=dict)  # term id -> nicename
    attachments: dict = field(default_factory=dict)  # id -> Attachment
    attachments_by_url: dict = field(default_factory=dict)  # path inside uploads -> Attachment

    def top_category(self, nicename: str) -> str:
        seen = set()
        while nicename in self.categories and self.categories[nicename][1] and nicename not in seen:
            seen.add(nicename)
            nicename = self.categories[nicename][1]
        return nicename


def _text(elem) -> str:
    return (elem.text or "").strip()


def _post(elem) -> Post:
    post = Post()
    for child in elem:
        kind, local = _split(child.tag)
        if kind == "" and local == "title":
            post.title = child.text or ""
        elif kind == "" and local == "link":
            post.link = _text(child)
        elif kind == "" and local == "category":
            post.terms.append((child.get("domain", ""), child.get("nicename", ""), plain(child.text or "")))
        elif kind == "dc" and local == "creator":
            post.creator = _text(child)
        elif kind == "content" and local == "encoded":
            post.content = child.text or ""
        elif kind == "excerpt" and local == "encoded":
            post.excerpt = child.text or ""
        elif kind == "wp" and local == "postmeta":
            key = value = ""
            for part in child:
                if _split(part.tag)[1] == "meta_key":
                    key = _text(part)
                elif _split(part.tag)[1] == "meta_value":
                    value = part.text or ""
            if key:
                post.meta[key] = value
        elif kind == "wp":
            attr = {"post_id": "post_id", "post_type": "post_type", "status": "status", "post_name": "name",
                    "post_date": "date", "post_date_gmt": "date_gmt", "post_password": "password",
                    "attachment_url": "attachment_url"}.get(local)
            if attr:
                setattr(post, attr, _text(child))
    return post


def _children_of_channel(path, tags):
    """Each complete child of <channel> named in ``tags``, removed from the tree once handled."""
    stream = XMLStream(path, events=("end",), limit=MAX_EXPORT_BYTES, what="WordPress export", tag=tags)
    root_checked = False
    for _, elem in stream:
        if not root_checked:
            root = elem.getroottree().getroot()
            if _split(root.tag)[1] != "rss":
                raise UnreadableFile(f"{path}: not a WordPress export (its root element is <{_split(root.tag)[1]}>)")
            root_checked = True
        parent = elem.getparent()
        if parent is None or _split(parent.tag)[1] != "channel":
            continue  # an item's own <category>, say
        yield elem
        parent.remove(elem)  # keeps memory flat however long the file


# What the first pass reads of the channel; lxml filters the rest out in C.
_CHANNEL_TAGS = ("item", "link", "{*}wxr_version", "{*}base_blog_url", "{*}base_site_url", "{*}author", "{*}category")


def _uploads_key(url: str) -> str:
    path = unquote(urlsplit(url).path)
    return path.split("/wp-content/uploads/", 1)[1] if "/wp-content/uploads/" in path else path.lstrip("/")


def scan(path) -> Site:
    """The first pass: check the whole file and collect what posts refer to."""
    site = Site()
    for elem in _children_of_channel(path, _CHANNEL_TAGS):
        kind, local = _split(elem.tag)
        if kind == "wp" and local == "wxr_version":
            site.wxr = True
        elif kind == "wp" and local in ("base_blog_url", "base_site_url") and not site.base_url:
            site.base_url = _text(elem)
        elif kind == "" and local == "link":
            site.link = _text(elem)
        elif kind == "wp" and local == "author":
            fields = {_split(c.tag)[1]: _text(c) for c in elem}
            login = fields.get("author_login", "")
            if login:
                site.authors[login] = plain(fields.get("author_display_name", "")) or login
        elif kind == "wp" and local == "category":
            fields = {_split(c.tag)[1]: (c.text or "") for c in elem}
            nicename = fields.get("category_nicename", "").strip()
            if nicename:
                site.categories[nicename] = (plain(fields.get("cat_name", "")) or unquote(nicename),
                                             fields.get("category_parent", "").strip())
                if fields.get("term_id", "").strip():
                    site.term_ids[fields["term_id"].strip()] = nicename
        elif kind == "" and local == "item":
            post_type = next((_text(c) for c in elem if _split(c.tag) == ("wp", "post_type")), "post")
            if post_type == "post":
                site.posts += 1
                continue
            post = _post(elem) if post_type == "attachment" else None
            if post is not None and post.post_id.isdigit():
                att = Attachment(int(post.post_id), url=post.attachment_url,
                                 file=post.meta.get("_wp_attached_file", "").strip(),
                                 alt=plain(post.meta.get("_wp_attachment_image_alt", "")), caption=plain(post.excerpt))
                site.attachments[att.id] = att
                if att.url:
                    site.attachments_by_url[_uploads_key(att.url)] = att
    if not site.wxr:
        raise UnreadableFile(f"{path}: not a WordPress export (no wp:wxr_version element)")
    where = urlsplit(site.base_url or site.link)
    site.origin = (f"wordpress:{where.netloc}{where.path.rstrip('/')}" if where.netloc
                   else f"wordpress:{Path(path).stem}")
    return site


def posts(path):
    """The second pass: every item of the export, as a ``Post``."""
    for elem in _children_of_channel(path, "item"):
        yield _post(elem)


# -- turning a post into what a story needs ---------------------------------------------------

_BLOCK_START = re.compile(
    r"^\s*<(?:p|div|h[1-6]|ul|ol|li|dl|blockquote|figure|table|thead|tbody|tr|pre|hr|section|article|aside|"
    r"header|footer|address|iframe)\b|^\s*<!--", re.I)
_AFTER_BLOCK = re.compile(r"(</(?:h[1-6]|ul|ol|pre|div|table|figure|blockquote)>)[ \t]*\n", re.I)
_CAPTION = re.compile(r"\[(caption|wp_caption)\b([^\]]*)\](.*?)\[/\1\]", re.S | re.I)
_EMBED = re.compile(r"\[embed\b[^\]]*\]\s*(https?://[^\s\[]+)\s*\[/embed\]", re.I)
_SHORTCODE = re.compile(r"\[(/?)([a-zA-Z_][\w-]*)(\s[^\[\]]*)?/?\]")
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ATTR = re.compile(r"""([a-zA-Z_:][-\w:.]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")
# Shortcodes a WordPress site commonly carries; other [words] are prose ("[sic]") unless they look like shortcodes.
KNOWN_SHORTCODES = {
    "gallery", "video", "audio", "playlist", "embed", "caption", "wp_caption", "contact-form-7", "contact-form",
    "youtube", "vimeo", "tweet", "instagram", "soundcloud", "googlemaps", "vc_row", "vc_column",
    "vc_column_text", "et_pb_section", "et_pb_row", "et_pb_column", "et_pb_text", "su_note", "pullquote",
}


def _attrs(tag: str) -> dict:
    return {k.lower(): html.unescape(v.strip("\"'")) for k, v in _ATTR.findall(tag)}


def _figure(match) -> str:
    attrs, inner = _attrs(match.group(2)), match.group(3)
    image = re.search(r"(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", inner, re.I)
    caption = attrs.get("caption") or plain(inner[image.end():] if image else inner)
    if not image:
        return f"<p>{html.escape(caption)}</p>" if caption else ""
    tag = image.group(0)
    if caption:
        # Read by _fill_alt: the caption is the best alt text when the image has none of its own.
        tag = _IMG.sub(lambda m: m.group(0)[:4] + f' data-caption="{html.escape(caption)}"' + m.group(0)[4:], tag)
    return f"<figure>{tag}<figcaption>{html.escape(caption)}</figcaption></figure>"


def _fill_alt(content: str, site) -> str:
    """Give every image the best alt text the export knows: its own, its attachment's, or its caption.

    The site refuses to publish a story with an image that has none.
    """
    def fill(match):
        attrs = _attrs(match.group(0))
        tag = re.sub(r"""\sdata-caption\s*=\s*("[^"]*"|'[^']*')""", "", match.group(0))
        if attrs.get("alt", "").strip():
            return tag
        att = None
        wp_id = re.search(r"wp-image-(\d+)", attrs.get("class", ""))
        if wp_id and site is not None:
            att = site.attachments.get(int(wp_id.group(1)))
        if att is None and site is not None and attrs.get("src"):
            att = site.attachments_by_url.get(_uploads_key(attrs["src"]))
        alt = (att.alt if att else "") or attrs.get("data-caption", "") or (att.caption if att else "")
        return _with_alt(tag, alt) if alt else tag

    return _IMG.sub(fill, content)


def _with_alt(tag: str, alt: str) -> str:
    tag = re.sub(r"""\salt\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]*)""", "", tag, flags=re.I)
    return re.sub(r"\s*/?>$", f' alt="{html.escape(alt)}">', tag)


def wordpress_html(content: str, removed: list, site=None) -> str:
    """A post's content as HTML: captions as figures, shortcodes out, WordPress's line breaks as paragraphs.

    ``removed`` collects the names of shortcodes that were dropped.
    """
    content = (content or "").replace("\r\n", "\n").replace("\r", "\n")
    content = _CAPTION.sub(_figure, content)
    content = _EMBED.sub(lambda m: f'\n\n<p><a href="{html.escape(m.group(1))}">{html.escape(m.group(1))}</a></p>\n\n',
                         content)
    closed = {m.group(2).lower() for m in _SHORTCODE.finditer(content) if m.group(1)}

    def drop(m):
        name = m.group(2).lower()
        if name in KNOWN_SHORTCODES or name in closed or "=" in (m.group(3) or ""):
            if not m.group(1):
                removed.append(name)
            return ""
        return m.group(0)

    content = _SHORTCODE.sub(drop, content)
    out = []
    for chunk in re.split(r"\n\s*\n", content.strip()):
        # Text on the line after a closing block tag is a paragraph of its own.
        parts = _AFTER_BLOCK.split(chunk)
        for piece in ["".join(parts[i:i + 2]) for i in range(0, len(parts), 2)]:
            piece = piece.strip()
            if not piece:
                continue
            if _BLOCK_START.match(piece):
                out.append(piece)
            else:
                out.append("<p>" + piece.replace("\n", "<br>\n") + "</p>")
    return _fill_alt("\n".join(out), site)


@dataclass
class Plan:
    """What one post becomes, decided without touching the database."""

    post_id: int
    label: str
    headline: str
    slug: str
    body: str
    summary: str
    publish: bool
    published_at: datetime | None
    original_date: datetime | None
    category: tuple | None  # (nicename, display name) of the section's category
    tags: list
    authors: list  # (login, display name)
    redirects: list
    thumbnail: Attachment | None
    link: str
    warnings: list = field(default_factory=list)
    checksum: str = ""


class Skip(Exception):
    pass


def _date(value: str, zone, label: str, what: str) -> datetime | None:
    value = (value or "").strip()
    if not value or value.startswith("0000-00-00"):
        return None
    try:
        parsed = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise BadItem(f"{label}: {what} “{value[:40]}” is not a date (expected YYYY-MM-DD HH:MM:SS)") from None
    return parsed.replace(tzinfo=zone)


def plan_post(post: Post, site: Site, zone, with_media: bool) -> Plan:
    """Decide what ``post`` becomes; ``Skip`` for items that are not stories, ``BadItem`` for broken ones."""
    label = post.label
    if post.post_type in SKIPPED_TYPES:
        raise Skip(SKIPPED_TYPES[post.post_type])
    if post.post_type != "post":
        raise Skip(f"post type “{post.post_type}” is not imported")
    if post.status in SKIPPED_STATUSES:
        raise Skip(SKIPPED_STATUSES[post.status])
    if not post.post_id.isdigit():
        raise BadItem(f"{label}: has no numeric wp:post_id")
    if len(post.content.encode()) > MAX_POST_BYTES:
        raise BadItem(f"{label}: content larger than the {MAX_POST_BYTES // MB} MB allowed for one post")
    post_id = int(post.post_id)
    warnings = []
    when = _date(post.date_gmt, dt_timezone.utc, label, "wp:post_date_gmt") or _date(post.date, zone, label,
                                                                                      "wp:post_date")
    publish = post.status in ("publish", "future")
    if post.status == "private":
        warnings.append("private in WordPress; imported as a draft")
    elif post.status not in ("publish", "future", "draft", "pending"):
        warnings.append(f"unknown status “{post.status}”; imported as a draft")
    if post.password and publish:
        publish = False
        warnings.append("password-protected in WordPress; imported as a draft")
    if publish and when is None:
        raise BadItem(f"{label}: is {post.status} but has no post date")

    removed = []
    body = wordpress_html(post.content, removed, site)
    if removed:
        warnings.append("shortcodes removed: " + ", ".join(sorted(set(removed))))
    headline = plain(post.title)
    if not headline:
        words = plain(body).split()
        if not words:
            raise Skip("empty: no title and no content")
        headline = " ".join(words[:12]) + ("…" if len(words) > 12 else "")
        warnings.append("had no title; the opening words stand in for it")

    categories = [(nice, name) for domain, nice, name in post.terms if domain == "category" and nice]
    # Yoast SEO stores the primary category by term id; the channel's category list maps it to a nicename.
    primary = site.term_ids.get(post.meta.get("_yoast_wpseo_primary_category", "").strip())
    chosen = None
    for nice, name in categories:
        if nice == primary:
            chosen = (nice, name)
    if chosen is None and categories:
        chosen = categories[0]
    section = None
    if chosen:
        top = site.top_category(chosen[0])
        section = (top, site.categories.get(top, (chosen[1], ""))[0] if top != chosen[0] else chosen[1])
    tags = [name for nice, name in categories if section is None or nice != section[0]]
    tags += [name for domain, nice, name in post.terms if domain == "post_tag" and name]
    tags = [t[:80] for t in dict.fromkeys(tags) if t]
    authors = []
    if post.creator:
        authors.append((post.creator, site.authors.get(post.creator, post.creator)))
    for domain, nice, name in post.terms:
        if domain == "author" and (name or nice):
            login = nice[4:] if nice.startswith("cap-") else nice
            authors.append((login, site.authors.get(login, name or login)))
    authors = list(dict.fromkeys(authors))

    redirects = []
    if post.link:
        parts = urlsplit(post.link)
        old = unquote(parts.path) or "/"
        if old != "/":
            redirects.append(old)
    base = urlsplit(site.base_url or site.link).path.rstrip("/")
    redirects.append(f"{base}/?p={post_id}")
    redirects = [r for r in dict.fromkeys(redirects) if len(r) <= 500]

    thumbnail = None
    thumb_id = post.meta.get("_thumbnail_id", "").strip()
    if thumb_id.isdigit():
        thumbnail = site.attachments.get(int(thumb_id))
        if thumbnail is None:
            warnings.append(f"featured image {thumb_id} is not in the export")

    slug = slugify(unquote(post.name)) or slugify(headline) or f"post-{post_id}"
    plan = Plan(
        post_id=post_id, label=label, headline=headline, slug=slug, body=body, summary=plain(post.excerpt),
        publish=publish, published_at=when if publish else None, original_date=when, category=section,
        tags=tags, authors=authors, redirects=redirects, thumbnail=thumbnail,
        link=post.link if post.link.startswith(("http://", "https://")) else "", warnings=warnings,
    )
    plan.checksum = hashlib.sha256(json.dumps([
        MAPPING_VERSION, with_media, plan.headline, plan.slug, plan.body, plan.summary, plan.publish,
        plan.published_at.isoformat() if plan.published_at else None, plan.category, plan.tags, plan.authors,
        plan.redirects, [plan.thumbnail.id, plan.thumbnail.file, plan.thumbnail.url, plan.thumbnail.alt,
                         plan.thumbnail.caption] if plan.thumbnail else None,
    ], ensure_ascii=False).encode()).hexdigest()
    return plan


# -- images -----------------------------------------------------------------------------------


class Images:
    """Finds a post's images in the media folder and brings each file in once."""

    SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")

    def __init__(self, media: Path | None, site: Site, report: Report):
        self.media = media.resolve() if media else None
        self.site, self.report = site, report
        self.cache = {}  # key -> Image (or None when missing)
        self.written = []  # files saved during the current post, removed if it rolls back

    def _find(self, key: str) -> tuple[str, Path] | None:
        key = key.lstrip("/")
        bare = self.SIZE_SUFFIX.sub("", key)
        for candidate in dict.fromkeys((key, bare, Path(key).name, Path(bare).name)):
            if not candidate:
                continue
            path = (self.media / candidate).resolve()
            if path.is_relative_to(self.media) and path.is_file():
                return str(path.relative_to(self.media)), path
        return None

    def image(self, key: str, alt: str, caption: str, label: str) -> Image | None:
        if self.media is None:
            # A run without --media keeps the images an earlier run brought in.
            key = key.lstrip("/")
            if key not in self.cache:
                known = ImportedImage.objects.select_related("image").filter(
                    origin=self.site.origin, key__in=[key, self.SIZE_SUFFIX.sub("", key)]).first()
                self.cache[key] = known.image if known else None
            return self.cache[key]
        found = self._find(key)
        if found is None:
            self.report.warn(label, "image not found in the media folder; left at its old address")
            return None
        rel, path = found
        if rel in self.cache:
            return self.cache[rel]
        try:
            if path.stat().st_size > MAX_IMAGE_BYTES:
                raise OSError("larger than 40 MB")
            data = path.read_bytes()
        except OSError as exc:
            self.report.warn(label, f"image {rel} could not be read ({exc}); left at its old address")
            return None
        checksum = hashlib.sha256(data).hexdigest()
        known = ImportedImage.objects.select_related("image").filter(origin=self.site.origin, key=rel).first()
        if known and known.checksum == checksum:
            image = known.image
            if alt and not image.alt_text:
                image.alt_text = alt[:300]
                image.save(update_fields=["alt_text"])
        else:
            if not _is_image(data):
                self.report.warn(label, f"{rel} is not a readable image; left at its old address")
                return None
            image = known.image if known else Image(alt_text=(alt or caption)[:300], caption=caption[:400])
            image.width = image.height = 0
            image.file.save(Path(rel).name, ContentFile(data), save=False)
            self.written.append(image.file.name)
            image.save()
            ImportedImage.objects.update_or_create(origin=self.site.origin, key=rel,
                                                   defaults={"image": image, "checksum": checksum})
            self.report.count("images imported")
        if not image.alt_text:
            self.report.warn(label, "image without alt text")
        self.cache[rel] = image
        return image

    def lead(self, plan: Plan) -> Image | None:
        att = plan.thumbnail
        if att is None:
            return None
        image = self.image(att.file or _uploads_key(att.url), att.alt, att.caption, plan.label)
        if image is None and self.media is None:
            self.report.warn(plan.label, "featured image not imported (no --media folder)")
        return image

    def rewrite(self, body: str, label: str) -> str:
        """The body with each image pointing at its imported copy, when there is one."""
        def swap(match):
            attrs = _attrs(match.group(0))
            src = attrs.get("src", "")
            att = None
            wp_id = re.search(r"wp-image-(\d+)", attrs.get("class", ""))
            if wp_id:
                att = self.site.attachments.get(int(wp_id.group(1)))
            att = att or self.site.attachments_by_url.get(_uploads_key(src))
            alt = attrs.get("alt", "").strip()
            image = self.image(_uploads_key(src), alt, att.caption if att else "", label) if src else None
            if image is None:
                if self.media is None:
                    self.report.warn(label, "images left at their old address (no --media folder)")
                return match.group(0)
            return (f'<img src="{html.escape(image.file.url)}" alt="{html.escape(image.alt_text or alt)}" '
                    f'width="{image.width}" height="{image.height}" loading="lazy">')

        return _IMG.sub(swap, body)

    def forget_written(self):
        for name in self.written:
            default_storage.delete(name)
        self.written.clear()


def _is_image(data: bytes) -> bool:
    from io import BytesIO

    from PIL import Image as PILImage, UnidentifiedImageError

    try:
        with PILImage.open(BytesIO(data)) as im:
            im.verify()
        return True
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False


# -- preparing posts (in worker processes on the bulk path) --------------------------------------

CHUNK = 250  # posts per job sent to a worker
AHEAD = 16  # jobs sent and not yet taken back, at most: a few batches' worth (a few MB)
WORKER_ARGS = []  # in a worker process: (site, zone, with_media, known), set by workers.init
# What full_clean checks with the database: relations, and the slug, which is allocated when writing.
_NOT_CHECKED_HERE = [f.name for f in Story._meta.fields if f.is_relation] + ["slug"]


def prepare(post, site, zone, with_media, known, derive):
    """("skip", label, reason) | ("fail", label, error) | ("unchanged",) | ("plan", plan, previous, derived)."""
    try:
        plan = plan_post(post, site, zone, with_media)
    except Skip as reason:
        return ("skip", post.label, str(reason))
    except BadItem as exc:
        return ("fail", post.label, str(exc).removeprefix(post.label + ": "))
    previous = known.get(str(plan.post_id))
    if previous is not None and previous[1] is None:
        return ("skip", plan.label, "its story was deleted here after an earlier import")
    if previous is not None and previous[0] == plan.checksum:
        return ("unchanged",)
    return ("plan", plan, previous, derive_story(plan.headline, plan.body, plan.summary) if derive and not previous
            else None)


def derive_story(headline, body, summary):
    """What ``Story.full_clean`` and ``Story.derive`` make of this content, without the database.

    Returns the field values and the fingerprint, or a validation message.
    """
    story = Story(headline=headline, body=body, summary=summary, slug="x")
    try:
        story.clean_fields(exclude=_NOT_CHECKED_HERE)
    except ValidationError as exc:
        return {"invalid": _validation_message(exc)}
    story.derive()
    values = {f.attname: getattr(story, f.attname) for f in Story._meta.concrete_fields
              if not f.is_relation and not f.primary_key and not getattr(f, "auto_now", False)
              and not getattr(f, "auto_now_add", False) and f.name not in ("slug", "status", "published_at")}
    hashes = dedupe.shingles(dedupe.story_text(story))
    packed = dedupe.signature(hashes)
    # The band keys too: hashing them here keeps that work out of the process that writes.
    return {"values": values, "fingerprint": (packed, len(hashes), dedupe.bands(packed) if packed else None),
            "source_body": body}


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
    return " ".join(exc.messages)


# -- writing ----------------------------------------------------------------------------------


class WordPressImport:
    """One run of the importer; ``run()`` returns the ``Report``."""

    def __init__(self, path, *, media=None, zone=None, default_section="News", bulk=False, batch_size=1000,
                 dry_run=False, progress=None, workers=None):
        self.path = Path(path)
        self.media = Path(media) if media else None
        if self.media is not None and not self.media.is_dir():
            raise UnreadableFile(f"{self.media}: the media folder does not exist")
        try:
            self.zone = ZoneInfo(zone or settings.TIME_ZONE)
        except (ZoneInfoNotFoundError, ValueError):
            raise IngestError(f"unknown time zone {zone!r}") from None
        self.default_section = default_section
        self.bulk, self.batch_size, self.dry_run, self.workers = bulk, batch_size, dry_run, workers
        self.progress = progress or (lambda message: None)
        self.report = Report(f"WordPress import of {self.path.name}")
        self._sections, self._authors, self._tags, self._url_prefixes = {}, {}, {}, {}
        # What the bulk path wrote, for the work the per-story signals would have done (``bulk.finish``).
        self.written_ids, self.indexed = [], 0
        self.touched = {"sections": set(), "tags": set(), "authors": set()}

    # Sections, authors and tags are looked up once per run and created as first needed.

    def section(self, category) -> Section:
        key = category[0] if category else None
        if key in self._sections:
            return self._sections[key]
        if category:
            nicename, name = category
            slug = slugify(unquote(nicename))[:70] or slugify(name)[:70] or "section"
        else:
            name = self.default_section
            slug = slugify(name)[:70] or "news"
        if slug in RESERVED_SLUGS:
            slug = f"{slug}-news"
        found = Section.objects.filter(slug=slug).first() or Section.objects.filter(name__iexact=name[:80]).first()
        if found is None:
            position = (Section.objects.aggregate(m=Max("position"))["m"] or 0) + 1
            found = actions.save_section(Section(name=name[:80], slug=slug, position=position))
            self.report.count("sections created")
        self._sections[key] = found
        return found

    def author(self, login: str, name: str) -> Author:
        if login in self._authors:
            return self._authors[login]
        slug = (slugify(name) or slugify(login) or "author")[:120]
        author = Author.objects.filter(slug=slug).first()
        if author is None:
            author = Author.objects.create(name=name[:120] or login, slug=slug)
            self.report.count("authors created")
        self._authors[login] = author
        return author

    def tags(self, names) -> list:
        """Tag objects for ``names``, through ``actions.tags_named`` like ``create_story`` does."""
        out = []
        for name in names:
            key = " ".join(str(name).split())
            if key not in self._tags:
                found = actions.tags_named([key])
                self._tags[key] = found[0] if found else None
            if self._tags[key] is not None:
                out.append(self._tags[key])
        return out

    def _forget_caches(self):
        # After a rollback, rows cached during the failed post may not exist.
        self._sections.clear()
        self._authors.clear()
        self._tags.clear()
        self.images.cache.clear()

    def run(self) -> Report:
        started = time.perf_counter()
        self.progress(f"Reading {self.path.name} …")
        self.site = scan(self.path)
        self.images = Images(self.media, self.site, self.report)
        self.before_id = Story.objects.aggregate(m=Max("pk"))["m"] or 0
        self.report.note(f"Site {self.site.origin.split(':', 1)[1]}: {self.site.posts:,} posts in the export"
                         + (" (dry run: nothing written)" if self.dry_run else "")
                         + (" (bulk path: new stories written in batches)" if self.bulk else ""))
        known = {
            ext: (checksum, story_id)
            for ext, checksum, story_id in ImportedItem.objects.filter(origin=self.site.origin)
            .values_list("external_id", "checksum", "story_id")
        }
        batch, done = [], 0
        for outcome in self._prepared(known):
            kind = outcome[0]
            if kind == "skip":
                self.report.skip(outcome[1], outcome[2])
                continue
            if kind == "fail":
                self.report.fail(outcome[1], outcome[2])
                continue
            done += 1
            if done % 10000 == 0:
                self.progress(f"  {done:,} posts …")
            if kind == "unchanged":
                self.report.count("unchanged")
                continue
            _, plan, previous, derived = outcome
            if self.dry_run:
                self.report.count("to update" if previous else "to create")
                continue
            if previous is None and self.bulk:
                batch.append((plan, derived))
                if len(batch) >= self.batch_size:
                    self._write_batch(batch)
                    batch = []
                continue
            self._write_one(plan, previous)
        if batch:
            self._write_batch(batch)
        if self.written_ids:
            self._finish()
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _prepared(self, known):
        """Each post of the export, planned (and, on the bulk path, derived) — in order.

        The bulk path does this CPU-heavy part in worker processes while this
        one writes, which is what makes 100,000 posts fit in a few minutes.
        """
        args = (self.site, self.zone, self.media is not None, known)
        # As many workers as cores: this process mostly waits on them and on the database.
        workers = self.workers if self.workers is not None else os.cpu_count() or 1
        if not self.bulk or self.dry_run or workers < 1:
            for post in posts(self.path):
                yield prepare(post, *args, derive=False)
            return
        from . import workers as worker_module

        # Forked workers start at once and never touch the database connection they inherit.
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=worker_module.init,
                                 initargs=(args,)) as pool:
            pending = deque()
            chunk = []
            for post in posts(self.path):
                chunk.append(post)
                if len(chunk) >= CHUNK:
                    pending.append(pool.submit(worker_module.prepare_chunk, chunk))
                    chunk = []
                    # Workers run up to AHEAD chunks ahead, so they keep deriving while this process writes a batch.
                    while len(pending) > max(AHEAD, workers + 1):
                        yield from pending.popleft().result()
            if chunk:
                pending.append(pool.submit(worker_module.prepare_chunk, chunk))
            while pending:
                yield from pending.popleft().result()

    def _finish(self):
        """Search index, related stories and page store for the stories the bulk path wrote, in batch."""
        self.progress(f"  {len(self.written_ids):,} new stories written; relating them …")
        started = time.perf_counter()
        try:
            done = bulk.finish(self.written_ids, sections=self.touched["sections"], tag_ids=self.touched["tags"],
                               author_ids=self.touched["authors"], before_id=self.before_id,
                               sections_changed=bool(self.report.counts.get("sections created")))
        except Exception as exc:  # noqa: BLE001 - the stories are in; say what is missing rather than crash
            self.report.fail("related stories and page store",
                             f"not brought up to date for the new stories ({exc.__class__.__name__}: {exc})")
            return
        self.report.note(f"Bulk path: {self.indexed:,} published stories indexed for search with their batch; "
                         f"{done['related']:,} given related stories in {time.perf_counter() - started:.1f} s "
                         "at the end; the page store purged.")

    def _existing_story(self, post_id: int):
        item = ImportedItem.objects.select_related("story__section").filter(
            origin=self.site.origin, external_id=str(post_id)).first()
        return item.story if item else None

    def _write_one(self, plan: Plan, previous) -> None:
        counted = self.report.counts.copy()  # what a rolled-back post created is not counted
        try:
            with transaction.atomic():
                story = self._existing_story(plan.post_id) if previous else None
                section = self.section(plan.category)
                authors = [self.author(login, name) for login, name in plan.authors]
                lead = self.images.lead(plan)
                body = self.images.rewrite(plan.body, plan.label)
                if story is None:
                    story = actions.create_story(
                        headline=plan.headline, section=section, slug=plan.slug, body=body, summary=plan.summary,
                        lead_image=lead, authors=authors, tags=plan.tags,
                    )
                    if plan.publish:
                        story = self._publish(story, plan)
                    self.report.count("created")
                else:
                    story = self._update(story, plan, section, authors, lead, body)
                    self.report.count("updated")
                self._redirects(story, plan)
                ImportedItem.objects.update_or_create(
                    origin=self.site.origin, external_id=str(plan.post_id),
                    defaults={"story": story, "checksum": plan.checksum, "original_url": plan.link[:500],
                              "original_published_at": plan.original_date, "updated_at": timezone.now()},
                )
        except Exception as exc:  # noqa: BLE001 - whatever broke one post must not stop the other 99,999
            self.report.counts = counted
            self._failed(plan, exc)
            return
        self.images.written.clear()
        for message in plan.warnings:
            self.report.warn(plan.label, message)

    def _failed(self, plan, exc):
        self.images.forget_written()
        self._forget_caches()
        message = _validation_message(exc) if isinstance(exc, ValidationError) else str(exc)
        self.report.fail(plan.label, message or exc.__class__.__name__)

    def _update(self, story, plan, section, authors, lead, body):
        if lead is None and self.media is None:
            lead = story.lead_image  # without the media folder this run cannot tell; keep what is there
        changes = dict(headline=plan.headline, section=section, body=text_or_same(story.body, body),
                       summary=plan.summary, lead_image=lead)
        slug_root = slugify(plan.slug)[:180].strip("-") or "story"
        if not re.fullmatch(re.escape(slug_root) + r"(-\d+)?", story.slug):
            changes["slug"] = plan.slug
        story = actions.update_story(story, authors=authors, tags=plan.tags, **changes)
        if plan.publish:
            if story.status != Story.Status.PUBLISHED or story.published_at != plan.published_at:
                story = self._publish(story, plan)
        elif story.status == Story.Status.PUBLISHED:
            story = actions.unpublish_story(story)
            self.report.warn(plan.label, "no longer published in WordPress; unpublished here")
        return story

    def _publish(self, story, plan):
        """Publish at the post date, or keep a draft when the site refuses (an image without alt text)."""
        try:
            with transaction.atomic():
                return actions.publish_story(story, at=plan.published_at)
        except actions.WorkflowError as exc:
            plan.warnings.append(f"published in WordPress but kept as a draft here: {exc}")
            return story

    def _redirects(self, story, plan):
        url = story.get_absolute_url()
        wanted = [p for p in plan.redirects if p != url]
        existing = dict(Redirect.objects.filter(old_path__in=wanted).values_list("old_path", "story_id"))
        for old in wanted:
            owner = existing.get(old)
            if owner is None:
                Redirect.objects.create(old_path=old, story=story)
                existing[old] = story.pk
            elif owner != story.pk:
                self.report.warn(plan.label, "an old address already leads to another story; left as it was")

    # -- the bulk path ------------------------------------------------------------------------

    def _write_batch(self, batch: list) -> None:
        """Write new posts with bulk inserts; the rows equal what ``_write_one`` would make.

        A batch that fails as a whole is written again post by post, so one bad
        post is reported alone and the rest still come in.
        """
        written, indexed = len(self.written_ids), self.indexed
        try:
            with transaction.atomic():
                self._bulk(batch)
        except Exception as exc:  # noqa: BLE001 - the per-post path reports the real cause, post by post
            del self.written_ids[written:]
            self.indexed = indexed
            self.images.forget_written()
            self._forget_caches()
            self.report.note(f"A batch of {len(batch)} posts could not be written at once "
                             f"({exc.__class__.__name__}: {str(exc)[:200]}); it was written post by post.")
            for plan, _ in batch:
                self._write_one(plan, None)
            return
        self.images.written.clear()
        for plan, _ in batch:
            for message in plan.warnings:
                self.report.warn(plan.label, message)

    def _bulk(self, batch: list) -> None:
        ready = []
        for plan, derived in batch:
            derived = derived or derive_story(plan.headline, plan.body, plan.summary)
            if "invalid" in derived:
                self.report.fail(plan.label, derived["invalid"])
                continue
            ready.append((plan, derived))
        # unique_slug gives the root itself when no story has it: ask once for the whole batch.
        roots = {plan.post_id: slugify(plan.slug or plan.headline)[:180].strip("-") or "story" for plan, _ in ready}
        held = set(Story.objects.filter(slug__in=set(roots.values())).values_list("slug", flat=True))
        taken, stories = set(), []
        for plan, derived in ready:
            story = _Row(derived["values"])
            story.section = self.section(plan.category)
            story.lead_image = self.images.lead(plan)
            body = self.images.rewrite(plan.body, plan.label)
            fingerprint = derived["fingerprint"]
            if body != derived["source_body"]:
                again = derive_story(plan.headline, body, plan.summary)
                if "invalid" in again:
                    raise ValidationError(again["invalid"])
                story.values, fingerprint = again["values"], again["fingerprint"]
            root = roots[plan.post_id]
            if root in held or root in taken:
                # Another story has it: write this batch so far, then let unique_slug pick the next free one.
                self._insert(stories)
                stories, taken = [], set()
                story.slug = actions.unique_slug(plan.slug or plan.headline)
            else:
                story.slug = root
            taken.add(story.slug)
            story.status, story.published_at, story.publish = Story.Status.DRAFT, None, False
            if plan.publish:
                try:
                    actions.check_publishable(story, plan.published_at)
                    story.publish = True
                    story.status, story.published_at = Story.Status.PUBLISHED, plan.published_at.replace(microsecond=0)
                except actions.WorkflowError as exc:
                    plan.warnings.append(f"published in WordPress but kept as a draft here: {exc}")
            story.plan, story.fingerprint = plan, fingerprint
            stories.append(story)
        self._insert(stories)

    def _url(self, story) -> str:
        """``story.get_absolute_url()``, without resolving the URL pattern once per story."""
        section = story.section
        prefix = self._url_prefixes.get(section.slug)
        if prefix is None:
            probe = reverse("public:story", args=[section.slug, "x"])
            prefix = self._url_prefixes[section.slug] = probe[:-2] if probe.endswith("/x/") else ""
        if not prefix or not re.fullmatch(r"[-\w]+", story.slug, re.ASCII):
            return reverse("public:story", args=[section.slug, story.slug])
        return f"{prefix}{story.slug}/"

    def _insert(self, stories: list) -> None:
        """Insert prepared stories and every row the actions would have added with them."""
        if not stories:
            return
        now = timezone.now()
        columns = ["section_id", "lead_image_id", "slug", "status", "published_at", "created_at", "modified_at",
                   *stories[0].values]
        ids = bulk.insert(Story, columns, [
            (s.section.pk, s.lead_image.pk if s.lead_image else None, s.slug, s.status, s.published_at, now, now,
             *s.values.values()) for s in stories
        ], returning=True)
        for story, pk in zip(stories, ids, strict=True):
            story.pk = pk
        self.written_ids += ids

        bylines, through, items, fingerprints, author_ids = [], [], [], [], {}
        author_names, tag_names_here = {}, {}
        for story in stories:
            plan = story.plan
            authors = list(dict.fromkeys(self.author(login, name) for login, name in plan.authors))
            author_ids[story.pk] = [a.pk for a in authors]
            author_names[story.pk] = [a.name for a in authors]
            self.touched["authors"].update(author_ids[story.pk])
            bylines += [(story.pk, a.pk, i) for i, a in enumerate(authors)]
            tags = list(dict.fromkeys(self.tags(plan.tags)))
            tag_names_here[story.pk] = sorted(t.name for t in tags)
            tag_ids = [t.pk for t in tags]
            self.touched["tags"].update(tag_ids)
            self.touched["sections"].add(story.section.pk)
            through += [(story.pk, t) for t in tag_ids]
            items.append((self.site.origin, str(plan.post_id), story.pk, plan.checksum, plan.link[:500],
                          plan.original_date, now, now))
            packed, count, band_keys = story.fingerprint
            if packed is not None:
                fingerprints.append((story.pk, packed, count, band_keys))
        bulk.insert(Byline, ["story_id", "author_id", "position"], bylines)
        bulk.insert(Story.tags.through, ["story_id", "tag_id"], through)
        bulk.insert(ImportedItem, ["origin", "external_id", "story_id", "checksum", "original_url",
                                   "original_published_at", "imported_at", "updated_at"], items)
        fp_ids = bulk.insert(Fingerprint, ["story_id", "wire_item_id", "signature", "shingles"],
                             [(pk, None, packed, count) for pk, packed, count, _ in fingerprints], returning=True)
        # Sixteen band rows a story.
        bulk.insert(FingerprintBand, ["fingerprint_id", "value"],
                    [(fp_id, value) for fp_id, (_, _, _, band_keys) in zip(fp_ids, fingerprints, strict=True)
                     for value in band_keys])

        # The first revision and the audit events that create_story and publish_story record.
        if connection.vendor == "sqlite":
            # SQLite orders names by their UTF-8 bytes, which is Python's order of str: no need to ask.
            tag_names = tag_names_here
        else:  # the database's collation decides the order of names
            tag_names = {}
            for story_id, name in Story.tags.through.objects.filter(story_id__in=[s.pk for s in stories]).order_by(
                    "story_id", "tag__name").values_list("story_id", "tag__name"):
                tag_names.setdefault(story_id, []).append(name)
        content = sorted(actions.CONTENT_FIELDS)  # as actions.snapshot() has it
        attnames = {name: Story._meta.get_field(name).attname for name in content}
        revisions, events = [], []
        for story in stories:
            data = {}
            for name in content:
                value = story.get(attnames[name])
                data[name] = value.isoformat() if hasattr(value, "isoformat") else value
            data.update(authors=author_ids[story.pk], credits=[], tags=tag_names.get(story.pk, []))
            revisions.append((story.pk, 1, Revision.Kind.SAVE, None, now, data, ""))
            events.append((story.pk, "created", None, now, ""))
            if story.publish:
                when = story.published_at
                later = when > now
                events.append((story.pk, "scheduled" if later else "published", None, now,
                               f"for {date_format(timezone.localtime(when), 'DATETIME_FORMAT')}" if later else ""))
        bulk.insert(Revision, ["story_id", "number", "kind", "user_id", "created_at", "data", "note"], revisions)
        bulk.insert(StoryEvent, ["story_id", "action", "user_id", "at", "note"], events)

        wanted = [p for s in stories for p in s.plan.redirects]
        existing = {}
        for start in range(0, len(wanted), 900):
            existing.update(Redirect.objects.filter(old_path__in=wanted[start:start + 900])
                            .values_list("old_path", "story_id"))
        redirects = []
        for story in stories:
            url = self._url(story)
            for old in story.plan.redirects:
                owner = existing.get(old)
                if old == url:
                    continue
                if owner is None:
                    redirects.append((old, story.pk, now))
                    existing[old] = story.pk
                elif owner != story.pk:
                    self.report.warn(story.plan.label, "an old address already leads to another story; left as it was")
        bulk.insert(Redirect, ["old_path", "story_id", "created_at"], redirects)
        # Searchable in the same transaction, as the publish signal would have made them.
        published = [s for s in stories if s.publish]
        if connection.vendor == "sqlite":
            from dateline.search.backends.sqlite import timeline_key

            # The documents search_index.documents() would read back, made from what was just written,
            # given to FTS5 in the order of its rowids (the timeline key): it then keeps the whole batch
            # in memory and writes it as one segment, where a smaller rowid than the last makes it
            # write out what it holds (a segment per story, merged again and again).
            docs = [
                SearchDocument(story_id=s.pk, section_id=s.section.pk, published_at=s.published_at,
                               headline=tidy(s.values["headline"]), standfirst=tidy(s.values["standfirst"]),
                               tags=", ".join(tag_names.get(s.pk, ())), authors=", ".join(author_names[s.pk]),
                               section=tidy(s.section.name), body=plain_text(s.values["body"]))
                for s in published
            ]
            get_search_backend().index(sorted(docs, key=lambda d: timeline_key(d.published_at, d.story_id)))
            self.indexed += len(docs)
        else:
            self.indexed += search_index.index_stories([s.pk for s in published])
        self.report.count("created", len(stories))


class _Row:
    """A story on its way into the bulk insert: its derived field values and what it needs on the way."""

    def __init__(self, values):
        self.values = values
        self.pk = self.lead_image = self.section = None
        self.deleted_at = self.embargo_until = None

    @property
    def body(self):  # for actions.check_publishable
        return self.values["body"]

    def get(self, attname):
        if attname in self.values:
            return self.values[attname]
        return {"section_id": self.section.pk, "lead_image_id": self.lead_image.pk if self.lead_image else None,
                "slug": self.slug}.get(attname, getattr(self, attname, None))


def text_or_same(current: str, new: str) -> str:
    """``new``, unless it sanitises to what the story already has (so nothing counts as changed)."""
    from dateline.news.text import sanitize

    return current if sanitize(new) == current else new
