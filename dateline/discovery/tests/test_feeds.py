"""RSS and Atom feeds over HTTP, read back with feedparser and lxml."""

import email.utils
import html
from datetime import datetime, timedelta
from html.parser import HTMLParser

import feedparser
import pytest
from django.utils import timezone
from lxml import etree

from dateline.news import actions

from .support import count_queries

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
SAFE = etree.XMLParser(no_network=True, resolve_entities=False)

FEEDS = [
    "/feeds/rss/", "/feeds/atom/",
    "/feeds/section/world/rss/", "/feeds/section/world/atom/",
    "/feeds/tag/trade/rss/", "/feeds/tag/trade/atom/",
    "/feeds/author/ada-reporter/rss/", "/feeds/author/ada-reporter/atom/",
]


def fetch(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response


def parsed(response):
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def items(response):
    """The feed's items as (kind, lxml element): RSS <item>s or Atom <entry>s."""
    root = etree.fromstring(response.content, SAFE)
    if root.tag == "rss":
        return "rss", root.findall("channel/item")
    return "atom", root.findall(f"{ATOM}entry")


def rss_date(text):
    parsed_date = email.utils.parsedate_to_datetime(text)
    assert parsed_date.tzinfo is not None, text
    return parsed_date


def headlines(response):
    return [entry.title for entry in parsed(response).entries]


@pytest.mark.parametrize("url", FEEDS)
def test_every_feed_is_well_formed_and_every_item_complete(client, site, url):
    response = fetch(client, url)
    kind = "rss" if url.endswith("/rss/") else "atom"
    assert response["Content-Type"] == f"application/{kind}+xml; charset=utf-8"
    feed = parsed(response)
    assert feed.version == ("rss20" if kind == "rss" else "atom10")
    assert feed.entries
    found_kind, elements = items(response)
    assert found_kind == kind
    for entry, element in zip(feed.entries, elements, strict=True):
        assert entry.title and entry.link.startswith("http://testserver/") and entry.author
        if kind == "rss":
            assert element.findtext("guid") and element.find("guid").get("isPermaLink") == "false"
            assert element.findtext("link") and element.findtext("title")
            rss_date(element.findtext("pubDate"))
            assert element.findall(DC_CREATOR) and element.findtext(CONTENT)
        else:
            assert element.findtext(f"{ATOM}id") and element.find(f"{ATOM}link").get("href")
            datetime.fromisoformat(element.findtext(f"{ATOM}published"))
            datetime.fromisoformat(element.findtext(f"{ATOM}updated"))
            assert element.find(f"{ATOM}content").get("type") == "html"
        pictured = entry.title == site["stories"][4].headline
        assert bool(entry.get("enclosures")) == pictured
        if pictured:
            enclosure = element.find("enclosure") if kind == "rss" else element.find(f"{ATOM}link[@rel='enclosure']")
            assert (enclosure.get("url") or enclosure.get("href")).startswith("http://testserver/media/")
            assert int(enclosure.get("length")) > 0 and enclosure.get("type") == "image/jpeg"


def test_the_site_feed_lists_published_stories_newest_first(client, site):
    expected = [site["biz"].headline, *[s.headline for s in reversed(site["stories"])]]
    assert headlines(fetch(client, "/feeds/rss/")) == expected
    assert headlines(fetch(client, "/feeds/atom/")) == expected


def test_scoped_feeds_hold_only_their_scope(client, site):
    world = [s.headline for s in reversed(site["stories"])]
    assert headlines(fetch(client, "/feeds/section/world/atom/")) == world
    assert headlines(fetch(client, "/feeds/section/business/rss/")) == [site["biz"].headline]
    assert headlines(fetch(client, "/feeds/tag/ports/rss/")) == world[1:]
    assert headlines(fetch(client, "/feeds/author/ben-writer/atom/")) == [site["stories"][4].headline]
    channel = parsed(fetch(client, "/feeds/section/world/rss/")).feed
    assert channel.title == "World – Dateline" and channel.link == "http://testserver/world/"


def test_drafts_unpublished_and_future_stories_are_in_no_feed(client, site):
    for url in FEEDS:
        body = fetch(client, url).content.decode()
        for story in site["hidden"]:
            assert story.headline not in body, url


def test_a_feed_holds_the_newest_fifty_stories(client, newsroom):
    section = newsroom.section("World")
    for i in range(53):
        newsroom.story(section, f"Numbered story {i:02d}", hours_ago=100 - i)
    titles = headlines(fetch(client, "/feeds/atom/"))
    assert titles == [f"Numbered story {i:02d}" for i in range(52, 2, -1)]


def test_items_carry_the_full_body_with_absolute_links(client, site):
    story = site["stories"][4]
    for url in ("/feeds/rss/", "/feeds/atom/"):
        entry = next(e for e in parsed(fetch(client, url)).entries if e.title == story.headline)
        body = entry.content[0].value
        assert "<p>Then the rest.</p>" in body
        assert 'href="http://testserver/business/"' in body
        assert entry.summary == story.excerpt or entry.summary == story.standfirst


def test_items_name_every_author_and_their_section_and_tags(client, site):
    story = site["stories"][4]
    rss = next(e for e in parsed(fetch(client, "/feeds/rss/")).entries if e.title == story.headline)
    atom = next(e for e in parsed(fetch(client, "/feeds/atom/")).entries if e.title == story.headline)
    assert [a.name for a in atom.authors] == ["Ada Reporter", "Ben Writer"]
    assert atom.authors[0].href == "http://testserver/author/ada-reporter/"
    _, elements = items(fetch(client, "/feeds/rss/"))
    element = next(e for e in elements if e.findtext("title") == story.headline)
    assert [c.text for c in element.findall(DC_CREATOR)] == ["Ada Reporter", "Ben Writer"]
    for entry in (rss, atom):
        assert [t.term for t in entry.tags] == ["World", "Trade"]


def test_a_story_without_a_byline_is_credited_to_the_newsroom(client, site, settings):
    settings.DATELINE = {**settings.DATELINE, "SITE_NAME": "The Harbour Gazette"}
    entry = next(e for e in parsed(fetch(client, "/feeds/rss/")).entries if e.title == site["biz"].headline)
    assert entry.author == "The Harbour Gazette"


def test_lead_images_are_enclosures_with_their_size_and_type(client, site):
    image = site["image"]
    for url in ("/feeds/rss/", "/feeds/atom/"):
        entry = next(e for e in parsed(fetch(client, url)).entries if e.enclosures)
        (enclosure,) = entry.enclosures
        assert enclosure.href == f"http://testserver{image.file.url}"
        assert int(enclosure.length) == image.file.size > 0
        assert enclosure.type == "image/jpeg"


def test_dates_are_the_publication_and_update_times(client, site):
    story = actions.update_story(site["stories"][2], body="<p>Corrected figures.</p>")
    _, elements = items(fetch(client, "/feeds/rss/"))
    element = next(e for e in elements if e.findtext("title") == story.headline)
    assert rss_date(element.findtext("pubDate")) == story.published_at
    entry = next(e for e in parsed(fetch(client, "/feeds/atom/")).entries if e.title == story.headline)
    assert datetime.fromisoformat(entry.published) == story.published_at
    assert datetime.fromisoformat(entry.updated) == story.updated_at > story.published_at


def test_dates_are_written_in_the_site_time_zone(client, site, settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    _, elements = items(fetch(client, "/feeds/rss/"))
    assert elements[0].findtext("pubDate").endswith("+0530")
    assert rss_date(elements[0].findtext("pubDate")) == site["biz"].published_at


def test_a_guid_survives_a_new_slug_and_a_new_section(client, site):
    story = site["stories"][1]

    def guid_and_link():
        entry = next(e for e in parsed(fetch(client, "/feeds/rss/")).entries if e.title == story.headline)
        return entry.id, entry.link

    guid, link = guid_and_link()
    assert guid.startswith("tag:testserver,") and guid.endswith(f":story:{story.pk}")
    actions.update_story(story, slug="renamed-story")
    actions.move_story(story, site["business"])
    new_guid, new_link = guid_and_link()
    assert new_guid == guid and new_link == "http://testserver/business/renamed-story/" != link
    atom = next(e for e in parsed(fetch(client, "/feeds/atom/")).entries if e.title == story.headline)
    assert atom.id == guid


@pytest.mark.parametrize("url", [
    "/feeds/section/nowhere/rss/", "/feeds/section/nowhere/atom/", "/feeds/tag/nothing/rss/",
    "/feeds/tag/nothing/atom/", "/feeds/author/nobody/rss/", "/feeds/author/nobody/atom/",
    "/feeds/section/world/json/", "/feeds/", "/feeds/podcast/",
])
def test_unknown_feeds_get_the_404_page(client, site, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()


def test_feeds_refuse_writes(client, site):
    assert client.post("/feeds/rss/").status_code == 405
    assert client.head("/feeds/atom/").status_code == 200


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/", "/feeds/section/world/rss/", "/feeds/tag/trade/atom/"])
def test_a_repeated_request_gets_304_by_etag_and_by_date(client, site, url):
    first = fetch(client, url)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    newest = max(s.modified_at for s in [*site["stories"], site["biz"]])
    assert etag.startswith('"')
    by_etag = client.get(url, headers={"If-None-Match": etag})
    by_date = client.get(url, headers={"If-Modified-Since": last_modified})
    assert by_etag.status_code == by_date.status_code == 304
    assert by_etag.content == b"" and by_etag["ETag"] == etag
    assert email.utils.parsedate_to_datetime(last_modified) <= newest + timedelta(seconds=1)


def test_last_modified_is_the_newest_story_change(client, site):
    story = actions.update_story(site["stories"][0], body="<p>Later correction.</p>")
    story.refresh_from_db()
    last_modified = email.utils.parsedate_to_datetime(fetch(client, "/feeds/rss/")["Last-Modified"])
    assert last_modified == story.modified_at.replace(microsecond=0)


def test_a_new_story_or_a_pulled_one_changes_the_feed_validators(client, site, newsroom):
    url = "/feeds/section/world/atom/"
    first = fetch(client, url)
    newsroom.story(site["world"], "Fresh harbour news", hours_ago=0)
    second = client.get(url, headers={"If-None-Match": first["ETag"], "If-Modified-Since": first["Last-Modified"]})
    assert second.status_code == 200 and "Fresh harbour news" in headlines(second)
    actions.unpublish_story(site["stories"][2])
    third = client.get(url, headers={"If-None-Match": second["ETag"]})
    assert third.status_code == 200 and site["stories"][2].headline not in headlines(third)
    # A story edited outside the feed's scope leaves it alone.
    actions.update_story(site["biz"], body="<p>Business only.</p>")
    assert client.get(url, headers={"If-None-Match": third["ETag"]}).status_code == 304


def test_control_characters_and_markup_in_text_do_not_break_feeds(client, newsroom):
    section = newsroom.section("World")
    newsroom.story(section, "Tariffs \x0bon <steel> & \x01iron", paragraphs=["Pasted\x0c text & more"],
                   standfirst="Quotes \"and\" <b>bold</b>")
    for url in ("/feeds/rss/", "/feeds/atom/"):
        entry = parsed(fetch(client, url)).entries[0]
        assert entry.title == "Tariffs on <steel> & iron"
        # Shown as HTML by readers: the standfirst's text, not markup of its own.
        assert "<b>" not in entry.summary and html.unescape(entry.summary) == 'Quotes "and" <b>bold</b>'
        assert "Pasted text &amp; more" in entry.content[0].value


def test_an_empty_site_still_has_valid_feeds(client, db):
    for url in ("/feeds/rss/", "/feeds/atom/"):
        feed = parsed(fetch(client, url))
        assert feed.entries == []


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/section/world/atom/", "/feeds/tag/trade/rss/",
                                 "/feeds/author/ada-reporter/atom/"])
def test_feed_queries_do_not_grow_with_the_number_of_stories(client, site, newsroom, url):
    before = count_queries(client, url)
    for i in range(12):
        newsroom.story(site["world"], f"More harbour news {i}", hours_ago=20 + i,
                       authors=[site["ada"], site["ben"]], tags=["Trade", f"Extra {i}"],
                       lead_image=site["image"] if i % 2 else None)
    assert count_queries(client, url) == before <= 6
    # A conditional request that matches answers without loading stories.
    etag = client.get(url)["ETag"]
    assert count_queries(client, url, status=304, **{"If-None-Match": etag}) <= 2


class AlternateLinks(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "alternate":
            self.found.append((attrs["type"], attrs["href"], attrs.get("title")))


@pytest.mark.parametrize("page, own", [
    ("/", []),
    ("/world/", ["/feeds/section/world/rss/", "/feeds/section/world/atom/"]),
    ("/tag/trade/", ["/feeds/tag/trade/rss/", "/feeds/tag/trade/atom/"]),
    ("/author/ada-reporter/", ["/feeds/author/ada-reporter/rss/", "/feeds/author/ada-reporter/atom/"]),
])
def test_pages_announce_the_site_feeds_and_their_own(client, site, page, own):
    links = AlternateLinks(client.get(page).content.decode()).found
    assert [href for _, href, _ in links] == ["/feeds/rss/", "/feeds/atom/", *own]
    for kind, href, title in links:
        assert title
        response = fetch(client, href)
        assert response["Content-Type"].startswith(kind)
        parsed(response)


def test_a_story_scheduled_for_later_enters_the_feed_when_its_time_comes(client, site):
    future = site["future"]
    assert future.headline not in headlines(fetch(client, "/feeds/rss/"))
    actions.publish_story(future, at=timezone.now() - timedelta(minutes=1))
    assert headlines(fetch(client, "/feeds/rss/"))[0] == future.headline


def test_a_kept_rendering_is_never_served_for_another_host_or_scheme(client, site):
    first = parsed(client.get("/feeds/rss/", headers={"Host": "news.example.org"})).entries[0]
    second = parsed(client.get("/feeds/rss/", headers={"Host": "mirror.example.net"}, secure=True)).entries[0]
    assert first.link.startswith("http://news.example.org/") and first.id.startswith("tag:news.example.org,")
    assert second.link.startswith("https://mirror.example.net/")
