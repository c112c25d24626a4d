"""Sitemaps: the front page, sections, tags, authors, every story, and the
Google News sitemap of the last 48 hours.

Each is a ``django.contrib.sitemaps.Sitemap``. Stories are paged by id range
rather than by OFFSET, so page 900 of a million-story archive costs what page 1
costs. A sitemap with nothing in it is not listed in the index and answers 404:
the protocol has no valid empty sitemap. Entries are dated in the site's time
zone, to the second.
"""

import html
from contextlib import contextmanager
from datetime import datetime, timedelta
from itertools import chain
from typing import NamedTuple

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from dateline.news.models import Author, Byline, Image, Section, Story, Tag

from .paths import story_paths
from .xmltext import xml_text

PAGE_SIZE = 1000  # Google News allows no more per sitemap; small pages also render fast.
NEWS_WINDOW = timedelta(hours=48)


def newest_published(**lookup):
    """The newest publication time among the published stories matching ``lookup``, as a subquery."""
    stories = Story.objects.published().filter(**lookup).order_by("-published_at")
    return Subquery(stories.values("published_at")[:1])


def story_lastmod(story):
    return story.updated_at if story.was_updated else story.published_at


def absolute(url, protocol, domain):
    return url if "://" in url else f"{protocol}://{domain}{url}"


class ListedSitemap(Sitemap):
    """A sitemap that knows how it appears in the index."""

    limit = PAGE_SIZE
    template_name = "discovery/sitemap.xml"
    # Search engines ignore both; set so that Sitemap._get finds them without raising AttributeError.
    priority = changefreq = None

    @property
    def paginator(self):
        return Paginator(self._items(), self.limit, allow_empty_first_page=False)

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        zone = timezone.get_current_timezone()
        for url in urls:
            # isoformat() is the W3C form the protocol wants, and far cheaper than the date filter.
            url["w3c_lastmod"] = url["lastmod"].astimezone(zone).isoformat() if url["lastmod"] else ""
        return urls

    def index_pages(self):
        """[(page number, last modified)] of the pages worth listing."""
        pages = self.paginator.num_pages
        lastmod = self.get_latest_lastmod() if pages else None
        return [(number, lastmod) for number in range(1, pages + 1)]


class HomeSitemap(ListedSitemap):
    def items(self):
        return ["public:home"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        return self.get_latest_lastmod()

    def get_latest_lastmod(self):
        return Story.objects.published().newest_first().values_list("published_at", flat=True).first()


class SectionSitemap(ListedSitemap):
    def items(self):
        # A section's page exists even before its first story.
        return Section.objects.annotate(newest=newest_published(section=OuterRef("pk"))).order_by("pk")

    def lastmod(self, section):
        return section.newest

    def get_latest_lastmod(self):
        return HomeSitemap().get_latest_lastmod()


@contextmanager
def without_jit():
    """Run the enclosed queries without PostgreSQL's JIT compiler.

    PostgreSQL compiles plans it estimates to be costly. The subqueries dating
    tags and authors are estimated for the average tag (thousands of stories),
    run in milliseconds for real ones, and would first spend a second compiling.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


class _WithoutJitPaginator(Paginator):
    @cached_property
    def count(self):
        with without_jit():
            return super().count

    def page(self, number):
        with without_jit():
            page = super().page(number)
            page.object_list = list(page.object_list)
        return page


class _ByNewestStory(ListedSitemap):
    """Pages that list stories (a tag's, an author's): listed while they show a story,
    dated by their newest one."""

    model = None
    story_lookup = None  # from a story to the object
    through, link_field = None, None  # the model linking stories to the object, and its column
    recent = 100  # how many of the newest stories are searched before an object's own links

    def items(self):
        # The newest story is found among the site's newest few hundred for a busy tag, and
        # from the object's own links for a quiet one; either alone reads far too much for the other.
        since = Story.objects.published().newest_first().values_list("published_at", flat=True)[
            self.recent - 1: self.recent].first()
        newest_recent = Story.objects.published().filter(**{self.story_lookup: OuterRef("pk")})
        if since is not None:
            newest_recent = newest_recent.filter(published_at__gte=since)
        # Each link's story looked up by primary key: as a join, PostgreSQL plans every tag
        # for the average one and hashes the whole archive for a tag with two stories.
        visible_at = Story.objects.published().filter(pk=OuterRef("story_id")).values("published_at")[:1]
        newest_linked = (
            self.through.objects.filter(**{self.link_field: OuterRef("pk")}).order_by()
            .values(self.link_field).annotate(newest=Max(Subquery(visible_at))).values("newest")
        )
        newest = Coalesce(
            Subquery(newest_recent.order_by("-published_at").values("published_at")[:1]),
            Subquery(newest_linked),
        )
        return self.model.objects.annotate(newest=newest).filter(newest__isnull=False).order_by("pk")

    @property
    def paginator(self):
        return _WithoutJitPaginator(self._items(), self.limit, allow_empty_first_page=False)

    def lastmod(self, obj):
        return obj.newest

    def get_latest_lastmod(self):
        lookup = {f"{self.story_lookup}__isnull": False}
        return Story.objects.published().filter(**lookup).order_by("-published_at").values_list(
            "published_at", flat=True).first()


class TagSitemap(_ByNewestStory):
    model, story_lookup, through, link_field = Tag, "tags", Story.tags.through, "tag_id"


class AuthorSitemap(_ByNewestStory):
    model, story_lookup, through, link_field = Author, "authors", Byline, "author_id"


class StoryEntry(NamedTuple):
    """What a story sitemap says about a story: read as plain rows, since a thousand
    model instances (each with its section and image) would cost more than the page."""

    pk: int
    slug: str
    section_slug: str
    published_at: datetime
    updated_at: datetime | None
    image: str | None
    image_caption: str | None
    image_alt: str | None

    COLUMNS = ("pk", "slug", "section__slug", "published_at", "updated_at",
               "lead_image__file", "lead_image__caption", "lead_image__alt_text")


class _RangePage:
    def __init__(self, object_list, number):
        self.object_list, self.number = object_list, number


class IdRangePaginator:
    """Page n holds the visible stories with ids in ((n-1)·size, n·size].

    A page is read by primary-key range, however deep it is, and pages never
    shift as stories are added, so old pages stay as crawlers last saw them.
    """

    def __init__(self, per_page):
        self.per_page = per_page
        # published() per row by primary key: given a status condition directly,
        # SQLite walks the timeline index over the whole archive instead of the range.
        self.visible = Story.objects.filter(Exists(Story.objects.published().filter(pk=OuterRef("pk"))))

    def page(self, number):
        text = str(number)
        if not text.isdigit() or len(text) > 9:
            raise PageNotAnInteger("That page number is not a whole number")
        number = int(text)
        if number < 1:
            raise EmptyPage("Pages start at 1")
        low = (number - 1) * self.per_page
        rows = (
            self.visible.filter(pk__gt=low, pk__lte=low + self.per_page).order_by("pk")
            .values_list(*StoryEntry.COLUMNS).iterator(chunk_size=self.per_page)
        )
        first = next(rows, None)
        if first is None:
            raise EmptyPage("No stories on that page")
        return _RangePage(map(StoryEntry._make, chain([first], rows)), number)

    @property
    def page_range(self):
        """The pages from the oldest visible story's to the newest's, in two seeks on the primary key.

        A range in between whose every story was taken down is still counted (and
        answers 404): telling such ranges apart would mean reading the whole archive.
        """
        oldest = self.visible.order_by("pk").values_list("pk", flat=True).first()
        if oldest is None:
            return range(0)
        newest = self.visible.order_by("-pk").values_list("pk", flat=True).first()
        return range(self.number_of(oldest), self.number_of(newest) + 1)

    def number_of(self, pk):
        return (pk - 1) // self.per_page + 1


class StorySitemap(ListedSitemap):
    @property
    def paginator(self):
        return IdRangePaginator(self.limit)

    def index_pages(self):
        # No date per page: only reading every story could tell which page an edit touched.
        return [(number, None) for number in self.paginator.page_range]

    @cached_property
    def _paths(self):
        return story_paths()

    def location(self, entry):
        return self._paths(entry.section_slug, entry.slug)

    def lastmod(self, entry):
        # Story.was_updated, on a plain row.
        updated = entry.updated_at and entry.updated_at > entry.published_at
        return entry.updated_at if updated else entry.published_at

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        protocol, domain = self.get_protocol(protocol), self.get_domain(site)
        storage = Image._meta.get_field("file").storage
        for url in urls:
            entry = url["item"]
            url["images"] = [] if not entry.image else [{
                "loc": absolute(storage.url(entry.image), protocol, domain),
                "caption": xml_text(entry.image_caption or entry.image_alt),
            }]
        return urls

    def write_page(self, page=1, site=None, protocol=None) -> tuple[str, datetime | None]:
        """(the XML of one page, its newest lastmod): what ``get_urls()`` and
        ``discovery/sitemap.xml`` make of the page, written straight from the rows.

        A page holds a thousand stories; a dictionary per story and a template loop
        over them cost ten times the query. Raises EmptyPage or PageNotAnInteger.
        """
        protocol, domain = self.get_protocol(protocol), self.get_domain(site)
        origin = f"{protocol}://{domain}"
        storage_url = Image._meta.get_field("file").storage.url
        zone = timezone.get_current_timezone()
        paths, esc = self._paths, _escape
        latest = None
        out = [URLSET_OPEN]
        for entry in self.paginator.page(page).object_list:
            lastmod = self.lastmod(entry)
            if latest is None or lastmod > latest:
                latest = lastmod
            out.append(f"<url><loc>{esc(origin + paths(entry.section_slug, entry.slug))}</loc>"
                       f"<lastmod>{lastmod.astimezone(zone).isoformat()}</lastmod>")
            if entry.image:
                out.append(f"<image:image><image:loc>{esc(absolute(storage_url(entry.image), protocol, domain))}"
                           "</image:loc>")
                caption = xml_text(entry.image_caption or entry.image_alt)
                if caption:
                    out.append(f"<image:caption>{esc(caption)}</image:caption>")
                out.append("</image:image>")
            out.append("</url>\n")
        out.append("</urlset>\n")
        return "".join(out), latest


# The opening of discovery/sitemap.xml, for StorySitemap.write_page.
URLSET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n'
)


def _escape(text: str) -> str:
    # What the template's autoescape writes (and valid XML).
    return html.escape(text, quote=True)


def news_language(code):
    """The language as Google News wants it: ISO 639, but zh-cn or zh-tw for Chinese."""
    code = code.lower().replace("_", "-")
    if code.startswith("zh"):
        return "zh-tw" if code in ("zh-tw", "zh-hk", "zh-mo", "zh-hant") else "zh-cn"
    return code.split("-")[0]


class NewsSitemap(ListedSitemap):
    """Stories published in the last 48 hours, newest first (Google News)."""

    template_name = "discovery/sitemap_news.xml"

    def items(self):
        now = timezone.now()
        return (
            Story.objects.published(now).filter(published_at__gt=now - NEWS_WINDOW)
            .select_related("section").only("slug", "headline", "published_at", "updated_at", "section__slug")
            .newest_first()
        )

    @cached_property
    def _paths(self):
        return story_paths()

    def location(self, story):
        return self._paths(story.section.slug, story.slug)

    def lastmod(self, story):
        return story_lastmod(story)

    def get_latest_lastmod(self):
        return max(filter(None, Story.objects.published().filter(
            published_at__gt=timezone.now() - NEWS_WINDOW,
        ).aggregate(p=Max("published_at"), u=Max("updated_at")).values()), default=None)

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        name = xml_text(settings.DATELINE["SITE_NAME"])
        language = news_language(settings.LANGUAGE_CODE)
        zone = timezone.get_current_timezone()
        for url in urls:
            story = url["item"]
            url["news"] = {"name": name, "language": language, "title": xml_text(story.headline),
                           "published": story.published_at.astimezone(zone).isoformat()}
        return urls


# The index lists them in this order; the URL of each is /sitemaps/<name>.xml.
SITEMAPS = {
    "home": HomeSitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "stories": StorySitemap,
    "news": NewsSitemap,
}
