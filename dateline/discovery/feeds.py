"""RSS 2.0 and Atom feeds of the newest published stories: of the whole site,
a section, a tag or an author.

Django's ``Feed`` does the work. The two generators below add what news readers
expect and Django leaves out: the full body (``content:encoded`` in RSS,
``content`` in Atom) and every byline, not just one author. ``StoryFeed``
answers conditional GETs before building anything, and keeps what it built
under its ETag: feed readers poll far more often than stories change, so most
polls should cost one small query and no rendering.
"""

import copy
import hashlib
import mimetypes
from collections import defaultdict
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.cache import get_conditional_response
from django.utils.html import escape
from django.utils.http import http_date, quote_etag

from dateline.news.models import Author, Byline, Section, Story, Tag

from .paths import story_paths
from .xmltext import absolute_links, xml_text

# Bump when the feeds' markup changes, so readers holding an ETag fetch again.
FORMAT_VERSION = "1"

# The ETag follows the stories; what it does not follow (a renamed author or tag)
# reaches a kept rendering within this many seconds.
KEEP_RENDERED = 600


class RssFeed(feedgenerator.Rss201rev2Feed):
    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        # RSS's own <author> must be an e-mail address; newsrooms publish names.
        for name, _ in item["bylines"]:
            handler.addQuickElement("dc:creator", name)
        handler.addQuickElement("content:encoded", item["content"])


class AtomFeed(feedgenerator.Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, link in item["bylines"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", link)
            handler.endElement("author")
        handler.addQuickElement("content", item["content"], {"type": "html"})


def image_sizes(images) -> dict:
    """{image pk: file size in bytes} for enclosures, remembered in the cache.

    Storage may be S3, where every size is a request; an image's file never
    changes under the same row, name and creation time, so the size can be kept.
    """
    keys = {}
    for image in images:
        raw = f"{image.pk}:{image.file.name}:{image.created_at.timestamp()}"
        keys["discovery:image-size:" + hashlib.sha1(raw.encode()).hexdigest()] = image
    found = cache.get_many(list(keys))
    sizes, learnt = {}, {}
    for key, image in keys.items():
        if key in found:
            sizes[image.pk] = found[key]
            continue
        try:
            sizes[image.pk] = learnt[key] = image.file.storage.size(image.file.name)
        except OSError:
            pass  # the file is gone: no enclosure rather than a broken one
    if learnt:
        cache.set_many(learnt, timeout=None)
    return sizes


class StoryFeed(Feed):
    """The site's newest published stories as RSS 2.0. Subclasses narrow the scope."""

    feed_type = RssFeed
    limit = 50

    # What belongs to one request lives on a copy of the feed (see __call__).
    request = host = paths = author_links = None
    sizes = bylines = tags = None  # set by items()

    def __call__(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        # One Feed instance serves every request of the URLconf, from many threads.
        feed = copy.copy(self)
        feed.request, feed.paths, feed.author_links = request, story_paths(), {}
        feed.host = urlsplit("//" + request.get_host()).hostname
        return feed.respond(*args, **kwargs)

    def respond(self, *args, **kwargs):
        obj = self.get_object(self.request, *args, **kwargs)
        etag, last_modified = self.validators(obj)
        unchanged = get_conditional_response(
            self.request, etag=etag, last_modified=last_modified and int(last_modified.timestamp())
        )
        if unchanged is None:
            response = HttpResponse(self.rendered(obj, etag), content_type=self.feed_type.content_type)
        else:
            response = unchanged
        response.headers["ETag"] = etag
        if last_modified:
            response.headers["Last-Modified"] = http_date(last_modified.timestamp())
        return response

    def rendered(self, obj, etag):
        """The feed's XML, kept in the cache under its ETag: a new ETag is a new key,
        so nothing needs purging when stories change."""
        address = self.request.build_absolute_uri(self.request.path)
        key = "discovery:feed:" + hashlib.sha1(f"{address} {etag}".encode()).hexdigest()
        xml = cache.get(key)
        if xml is None:
            # Written to a string first: the response's write() per XML event costs more than the XML.
            xml = self.get_feed(obj, self.request).writeString("utf-8")
            cache.set(key, xml, KEEP_RENDERED)
        return xml

    def validators(self, obj):
        """(ETag, Last-Modified) of the feed, from one query on the timeline index.

        The ETag changes whenever a story enters or leaves the feed or is saved,
        so it also catches what a date alone cannot (a story taken down).
        """
        rows = list(
            self.stories(obj).newest_first().values_list("pk", "modified_at", "published_at")[: self.limit]
        )
        fingerprint = repr((
            FORMAT_VERSION, str(obj), settings.DATELINE["SITE_NAME"], settings.DATELINE["SITE_TAGLINE"],
            settings.TIME_ZONE, settings.LANGUAGE_CODE, [(pk, m.isoformat()) for pk, m, _ in rows],
        ))
        etag = quote_etag(hashlib.sha1(fingerprint.encode()).hexdigest())
        # A scheduled story enters the feed at its publication time, not when it was saved.
        last_modified = max((max(m, p) for _, m, p in rows), default=None)
        return etag, last_modified

    # The scope: subclasses override these two.

    def get_object(self, request, *args, **kwargs):
        return None

    def stories(self, obj):
        return Story.objects.published()

    # The channel.

    def site_name(self):
        return settings.DATELINE["SITE_NAME"]

    def title(self, obj):
        return xml_text(self.site_name())

    def description(self, obj):
        return xml_text(settings.DATELINE["SITE_TAGLINE"])

    def subtitle(self, obj):
        return self.description(obj)

    def link(self, obj):
        return obj.get_absolute_url() if obj is not None else reverse("public:home")

    def author_name(self):
        # Atom wants an author for every entry; a story without a byline is the newsroom's.
        return xml_text(self.site_name())

    def author_link(self):
        return self.request.build_absolute_uri(reverse("public:home"))

    @property
    def language(self):
        return settings.LANGUAGE_CODE

    def items(self, obj):
        stories = list(
            self.stories(obj).newest_first().select_related("section", "lead_image")
            .defer("keywords", "block_ends", "summary")[: self.limit]
        )
        # Bylines and tags for all the stories in two queries, read as plain rows: model
        # instances for every byline, author and tag cost more than the rest of the feed.
        ids = [story.pk for story in stories]
        self.bylines, self.tags = defaultdict(list), defaultdict(list)
        for story_id, name, slug in (
            Byline.objects.filter(story_id__in=ids).order_by("story_id", "position", "id")
            .values_list("story_id", "author__name", "author__slug")
        ):
            self.bylines[story_id].append((xml_text(name), self.author_url(slug)))
        for story_id, name in (
            Story.tags.through.objects.filter(story_id__in=ids).order_by("story_id", "tag__name")
            .values_list("story_id", "tag__name")
        ):
            self.tags[story_id].append(xml_text(name))
        self.sizes = image_sizes([s.lead_image for s in stories if s.lead_image is not None])
        return stories

    # The items.

    def item_link(self, story):
        return self.paths(story.section.slug, story.slug)

    def item_title(self, story):
        return xml_text(story.headline)

    def item_description(self, story):
        # Plain text, escaped: readers render the description as HTML.
        return escape(xml_text(story.standfirst or story.excerpt))

    def item_guid(self, story):
        # Neither the slug nor the section (both in the URL) may change it.
        # The date in UTC, so that a change of the site's time zone leaves it alone.
        return f"tag:{self.host},{story.created_at:%Y-%m-%d}:story:{story.pk}"

    def item_guid_is_permalink(self, story):
        return False

    def item_pubdate(self, story):
        return timezone.localtime(story.published_at)

    def item_updateddate(self, story):
        return timezone.localtime(story.updated_at if story.was_updated else story.published_at)

    def item_categories(self, story):
        return [xml_text(story.section.name), *self.tags[story.pk]]

    def item_enclosures(self, story):
        image = story.lead_image
        size = self.sizes.get(image.pk) if image is not None else None
        if size is None:
            return []
        mime_type = mimetypes.guess_type(image.file.name)[0] or "application/octet-stream"
        return [feedgenerator.Enclosure(self.request.build_absolute_uri(image.file.url), str(size), mime_type)]

    def item_extra_kwargs(self, story):
        origin = f"{self.request.scheme}://{self.request.get_host()}"
        return {
            "content": absolute_links(xml_text(story.body), origin),
            "bylines": self.bylines[story.pk] or [(self.author_name(), self.author_link())],
        }

    def author_url(self, slug):
        if slug not in self.author_links:
            self.author_links[slug] = self.request.build_absolute_uri(reverse("public:author", args=[slug]))
        return self.author_links[slug]


class SectionFeed(StoryFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def stories(self, section):
        return Story.objects.published().in_section(section)

    def title(self, section):
        return xml_text(f"{section.name} – {self.site_name()}")

    def description(self, section):
        return xml_text(section.description or f"The latest {section.name} stories from {self.site_name()}.")


class TagFeed(StoryFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def stories(self, tag):
        return Story.objects.published().filter(tags=tag)

    def title(self, tag):
        return xml_text(f"{tag.name} – {self.site_name()}")

    def description(self, tag):
        return xml_text(f"Stories tagged {tag.name} on {self.site_name()}.")


class AuthorFeed(StoryFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def stories(self, author):
        return Story.objects.published().filter(authors=author)

    def title(self, author):
        return xml_text(f"{author.name} – {self.site_name()}")

    def description(self, author):
        return xml_text(f"Stories by {author.name} on {self.site_name()}.")


class SiteAtomFeed(StoryFeed):
    feed_type = AtomFeed


class SectionAtomFeed(SectionFeed):
    feed_type = AtomFeed


class TagAtomFeed(TagFeed):
    feed_type = AtomFeed


class AuthorAtomFeed(AuthorFeed):
    feed_type = AtomFeed
