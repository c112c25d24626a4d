"""robots.txt and the sitemaps over HTTP, validated against the published XML schemas."""

from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import pytest
from django.utils import timezone
from lxml import etree

from dateline.discovery import sitemaps
from dateline.news import actions

from .support import count_queries

REPO = Path(__file__).resolve().parents[3]
SCHEMAS = REPO / ".." / "shared" / "schemas"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
SAFE = etree.XMLParser(no_network=True, resolve_entities=False)


@pytest.fixture(scope="module")
def schemas():
    """(urlset schema with the image and news extensions, sitemap index schema)."""
    files = ["sitemap.xsd", "siteindex.xsd", "sitemap-news.xsd", "sitemap-image.xsd"]
    missing = [name for name in files if not (SCHEMAS / name).is_file()]
    if missing:
        pytest.skip(f"sitemap XML schemas not found in {SCHEMAS.resolve()} (missing {', '.join(missing)}); "
                    "they ship beside the repository, not in it")
    # sitemap.xsd checks extension elements strictly, so they must be known to the same schema.
    wrapper = f"""<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
      <xsd:import namespace="{NS['sm']}" schemaLocation="sitemap.xsd"/>
      <xsd:import namespace="{NS['news']}" schemaLocation="sitemap-news.xsd"/>
      <xsd:import namespace="{NS['image']}" schemaLocation="sitemap-image.xsd"/>
    </xsd:schema>""".encode()
    base = SCHEMAS.resolve().as_uri() + "/"
    urlset = etree.XMLSchema(etree.fromstring(wrapper, SAFE, base_url=base))
    index = etree.XMLSchema(etree.parse(str(SCHEMAS / "siteindex.xsd"), SAFE))
    return urlset, index


def xml(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return etree.fromstring(response.content, SAFE)


def valid(schema, doc):
    if not schema.validate(doc):
        raise AssertionError(f"invalid XML: {schema.error_log}")
    return doc


def path_of(url):
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "testserver", url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def index_entries(client, schemas):
    doc = valid(schemas[1], xml(client.get("/sitemap.xml")))
    return [(path_of(s.findtext("sm:loc", namespaces=NS)), s.findtext("sm:lastmod", namespaces=NS))
            for s in doc.findall("sm:sitemap", NS)]


def locations(doc):
    return [path_of(loc.text) for loc in doc.findall("sm:url/sm:loc", NS)]


def entry_for(doc, path):
    return next(u for u in doc.findall("sm:url", NS) if path_of(u.findtext("sm:loc", namespaces=NS)) == path)


def page_of(story, size=3):
    """The story sitemap page holding ``story``: pages are ranges of ids (which PostgreSQL
    does not reuse between tests, so no test may assume they start at 1)."""
    return (story.pk - 1) // size + 1


def page_path(number):
    return "/sitemaps/stories.xml" if number == 1 else f"/sitemaps/stories.xml?p={number}"


def sitemap_docs(client, schemas):
    """{path: parsed document} of every sitemap the index lists, each validated."""
    return {path: valid(schemas[0], xml(client.get(path))) for path, _ in index_entries(client, schemas)}


# robots.txt

def test_robots_txt_allows_the_public_site_and_names_the_index(client, site):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    robots = RobotFileParser()
    robots.parse(response.content.decode().splitlines())
    for path in ["/", "/world/", site["stories"][0].get_absolute_url(), "/feeds/rss/", "/sitemap.xml",
                 "/archive/2026/", "/tag/trade/"]:
        assert robots.can_fetch("Googlebot", f"http://testserver{path}"), path
    for path in ["/admin/", "/admin/news/story/", "/search/", "/search/?q=harbour"]:
        assert not robots.can_fetch("Googlebot", f"http://testserver{path}"), path
    assert robots.site_maps() == ["http://testserver/sitemap.xml"]


def test_robots_txt_names_the_index_on_the_host_and_scheme_it_was_asked_on(client, site):
    body = client.get("/robots.txt", headers={"Host": "news.example.org"}, secure=True).content.decode()
    assert "Sitemap: https://news.example.org/sitemap.xml" in body.splitlines()


# The index and every sitemap in it

def test_the_index_lists_valid_sitemaps_of_everything_public(client, site, schemas):
    docs = sitemap_docs(client, schemas)
    story_pages = [path for path in docs if path.startswith("/sitemaps/stories.xml")]
    assert [path for path in docs if path not in story_pages] == [
        "/sitemaps/home.xml", "/sitemaps/sections.xml", "/sitemaps/tags.xml", "/sitemaps/authors.xml",
        "/sitemaps/news.xml",
    ]
    assert locations(docs["/sitemaps/home.xml"]) == ["/"]
    assert locations(docs["/sitemaps/sections.xml"]) == ["/world/", "/business/"]
    assert sorted(locations(docs["/sitemaps/tags.xml"])) == ["/tag/ports/", "/tag/trade/"]
    assert sorted(locations(docs["/sitemaps/authors.xml"])) == ["/author/ada-reporter/", "/author/ben-writer/"]
    published = [*site["stories"], site["biz"]]
    listed = [location for path in story_pages for location in locations(docs[path])]
    assert sorted(listed) == sorted(s.get_absolute_url() for s in published)


def test_drafts_unpublished_and_future_stories_are_in_no_sitemap(client, site, schemas):
    for path, doc in sitemap_docs(client, schemas).items():
        text = etree.tostring(doc).decode()
        for story in site["hidden"]:
            assert story.slug not in text and story.headline not in text, path


def story_entry(client, schemas, story):
    """The <url> of ``story`` in the story sitemap page that holds it."""
    doc = valid(schemas[0], xml(client.get(page_path(page_of(story, sitemaps.StorySitemap.limit)))))
    return entry_for(doc, story.get_absolute_url())


def test_a_story_lastmod_is_its_update_or_publication_time(client, site, schemas):
    edited = actions.update_story(site["stories"][1], body="<p>A correction.</p>")
    lastmod = story_entry(client, schemas, edited).findtext("sm:lastmod", namespaces=NS)
    assert datetime.fromisoformat(lastmod) == edited.updated_at
    plain = site["stories"][0]
    lastmod = story_entry(client, schemas, plain).findtext("sm:lastmod", namespaces=NS)
    assert datetime.fromisoformat(lastmod) == plain.published_at


def test_stories_with_a_lead_image_list_it(client, site, schemas):
    (image,) = story_entry(client, schemas, site["stories"][4]).findall("image:image", NS)
    assert image.findtext("image:loc", namespaces=NS) == f"http://testserver{site['image'].file.url}"
    assert image.findtext("image:caption", namespaces=NS) == "Cranes over the harbour at dawn."
    assert story_entry(client, schemas, site["stories"][0]).findall("image:image", NS) == []


def test_sections_tags_and_authors_are_as_new_as_their_newest_story(client, site, schemas):
    docs = sitemap_docs(client, schemas)

    def lastmod(name, path):
        return datetime.fromisoformat(entry_for(docs[name], path).findtext("sm:lastmod", namespaces=NS))

    assert lastmod("/sitemaps/sections.xml", "/world/") == site["stories"][4].published_at
    assert lastmod("/sitemaps/sections.xml", "/business/") == site["biz"].published_at
    assert lastmod("/sitemaps/tags.xml", "/tag/ports/") == site["stories"][3].published_at
    # Newer but hidden stories (the draft, the scheduled one) do not count.
    assert lastmod("/sitemaps/tags.xml", "/tag/trade/") == site["biz"].published_at
    assert lastmod("/sitemaps/authors.xml", "/author/ada-reporter/") == site["stories"][4].published_at
    index = dict(index_entries(client, schemas))
    assert datetime.fromisoformat(index["/sitemaps/sections.xml"]) == site["biz"].published_at


def test_a_section_without_stories_is_listed_but_an_empty_tag_is_not(client, site, newsroom, schemas):
    newsroom.section("Science", position=2)
    actions.tags_named(["Unused"])
    docs = sitemap_docs(client, schemas)
    assert "/science/" in locations(docs["/sitemaps/sections.xml"])
    assert "/tag/unused/" not in locations(docs["/sitemaps/tags.xml"])


def test_dates_are_written_in_the_site_time_zone(client, site, settings, schemas):
    settings.TIME_ZONE = "America/New_York"
    lastmod = story_entry(client, schemas, site["biz"]).findtext("sm:lastmod", namespaces=NS)
    assert lastmod.endswith(("-05:00", "-04:00"))
    assert datetime.fromisoformat(lastmod) == site["biz"].published_at


# Story pages

@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(sitemaps.StorySitemap, "limit", 3)


def listed_story_pages(client, schemas):
    return [path for path, _ in index_entries(client, schemas) if path.startswith("/sitemaps/stories.xml")]


def test_story_sitemaps_are_paged_and_cover_every_story_once(client, newsroom, schemas, small_pages):
    section = newsroom.section("World")
    stories = [newsroom.story(section, f"Paged story {i}", hours_ago=i + 1) for i in range(8)]
    pages = listed_story_pages(client, schemas)
    assert pages == [page_path(n) for n in range(page_of(stories[0]), page_of(stories[-1]) + 1)]
    seen = []
    for path in pages:
        doc = valid(schemas[0], xml(client.get(path)))
        assert 1 <= len(locations(doc)) <= 3
        seen += locations(doc)
    assert sorted(seen) == sorted(s.get_absolute_url() for s in stories)


@pytest.mark.parametrize("page", ["after", "far", "0", "-1", "abc", "1.5", "", "9999999999", "1e3", "%201"])
def test_story_pages_past_the_end_or_malformed_are_404(client, newsroom, small_pages, page):
    section = newsroom.section("World")
    stories = [newsroom.story(section, f"Paged story {i}", hours_ago=i + 1) for i in range(8)]
    page = {"after": str(page_of(stories[-1]) + 1), "far": str(page_of(stories[-1]) + 96)}.get(page, page)
    response = client.get(f"/sitemaps/stories.xml?p={page}")
    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()


def test_story_pages_run_from_the_oldest_visible_story_to_the_newest(client, newsroom, schemas, small_pages):
    section = newsroom.section("World")
    pulled = [newsroom.story(section, f"Pulled story {i}", hours_ago=i + 10) for i in range(3)]
    first = newsroom.story(section, "First visible story", hours_ago=9)
    drafts = [newsroom.story(section, f"Draft {i}", publish=False) for i in range(6)]
    last = newsroom.story(section, "Last visible story", hours_ago=1)
    [newsroom.story(section, f"Later draft {i}", publish=False) for i in range(3)]
    for story in pulled:
        actions.unpublish_story(story)
    assert pulled[-1].pk < first.pk < drafts[0].pk and drafts[-1].pk < last.pk
    numbers = range(page_of(first), page_of(last) + 1)
    assert listed_story_pages(client, schemas) == [page_path(n) for n in numbers]
    for number in numbers:
        response = client.get(page_path(number))
        if number in (page_of(first), page_of(last)):
            assert {first.get_absolute_url(), last.get_absolute_url()} & set(locations(
                valid(schemas[0], xml(response))))
        else:
            # Only drafts in that range: listed, but a 404 rather than an invalid empty sitemap.
            assert response.status_code == 404, number
    assert client.get(page_path(page_of(last) + 1)).status_code == 404
    if page_of(pulled[0]) < page_of(first):
        assert client.get(page_path(page_of(pulled[0]))).status_code == 404


def test_the_index_dates_every_sitemap_but_the_story_pages(client, site, schemas):
    dates = dict(index_entries(client, schemas))
    assert {dates[path] for path in listed_story_pages(client, schemas)} == {None}
    newest = datetime.fromisoformat(dates["/sitemaps/home.xml"])
    assert newest == site["biz"].published_at
    assert datetime.fromisoformat(dates["/sitemaps/news.xml"]) == newest


# Google News

def test_the_news_sitemap_holds_only_the_last_48_hours(client, newsroom, schemas, settings):
    settings.DATELINE = {**settings.DATELINE, "SITE_NAME": "The Harbour Gazette"}
    settings.LANGUAGE_CODE = "en-gb"
    section = newsroom.section("World")
    recent = [newsroom.story(section, f"Recent & relevant {h}", hours_ago=h) for h in (1, 20, 47)]
    newsroom.story(section, "Too old for news", hours_ago=49)
    newsroom.story(section, "Scheduled news", publish=False)
    actions.publish_story(newsroom.story(section, "Tomorrow's news", publish=False),
                          at=timezone.now() + timedelta(hours=2))
    doc = valid(schemas[0], xml(client.get("/sitemaps/news.xml")))
    assert locations(doc) == [s.get_absolute_url() for s in recent]
    for url, story in zip(doc.findall("sm:url", NS), recent, strict=True):
        news = url.find("news:news", NS)
        assert news.findtext("news:publication/news:name", namespaces=NS) == "The Harbour Gazette"
        assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
        assert news.findtext("news:title", namespaces=NS) == story.headline
        published = datetime.fromisoformat(news.findtext("news:publication_date", namespaces=NS))
        assert published == story.published_at


def test_an_empty_news_sitemap_is_left_out_of_the_index(client, newsroom, schemas):
    section = newsroom.section("World")
    newsroom.story(section, "Last week's news", hours_ago=24 * 7)
    assert "/sitemaps/news.xml" not in dict(index_entries(client, schemas))
    assert client.get("/sitemaps/news.xml").status_code == 404


@pytest.mark.parametrize("code, expected", [
    ("en-us", "en"), ("de", "de"), ("pt-br", "pt"), ("zh-hans", "zh-cn"), ("zh-hant", "zh-tw"), ("fil", "fil"),
])
def test_the_news_language_is_the_iso_639_code(code, expected):
    assert sitemaps.news_language(code) == expected


# Errors, methods, caching, cost

@pytest.mark.parametrize("path", ["/sitemaps/nothing.xml", "/sitemaps/home.xml?p=2", "/sitemaps/tags.xml?p=x",
                                  "/sitemaps/.xml", "/sitemap-stories.xml"])
def test_unknown_sitemaps_are_404(client, site, path):
    assert client.get(path).status_code == 404


def test_an_empty_site_has_a_valid_index(client, db, schemas):
    assert [path for path, _ in index_entries(client, schemas)] == ["/sitemaps/home.xml"]


def test_sitemaps_answer_304_to_a_repeated_request(client, site):
    for path in ("/sitemap.xml", page_path(page_of(site["biz"], 1000)), "/sitemaps/news.xml"):
        first = client.get(path)
        assert client.get(path, headers={"If-None-Match": first["ETag"]}).status_code == 304
        assert client.post(path).status_code == 405


@pytest.mark.parametrize("path", ["/sitemap.xml", "stories", "/sitemaps/news.xml",
                                  "/sitemaps/tags.xml", "/sitemaps/authors.xml", "/sitemaps/sections.xml"])
def test_sitemap_queries_do_not_grow_with_the_number_of_stories(client, site, newsroom, path):
    if path == "stories":
        path = page_path(page_of(site["stories"][0], 1000))
    before = count_queries(client, path)
    for i in range(15):
        newsroom.story(site["world" if i % 2 else "business"], f"More news {i}", hours_ago=i + 1,
                       authors=[site["ada"]], tags=["Trade"], lead_image=site["image"] if i % 3 else None)
    # The index asks each of the six sitemaps for its pages and its date; on PostgreSQL,
    # dating tags and authors adds a transaction (see sitemaps.without_jit).
    assert count_queries(client, path) == before <= (20 if path == "/sitemap.xml" else 10)
