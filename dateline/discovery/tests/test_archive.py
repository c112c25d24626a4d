"""The archive by year, month and day, over HTTP, in the site's time zone."""

from datetime import datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dateline.news import actions

NEW_YORK = ZoneInfo("America/New_York")


class Page(HTMLParser):
    """What a list page shows: its <h1>, teaser headlines, links and <link rel> elements."""

    def __init__(self, response):
        super().__init__()
        assert response.status_code == 200
        self.heading, self.headlines, self.links, self.head_links = "", [], [], []
        self._in = None
        self._link = None
        self.feed(response.content.decode())

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h1":
            self._in = "h1"
        elif tag == "h2" and "teaser__headline" in (attrs.get("class") or ""):
            self._in = "teaser"
            self.headlines.append("")
        elif tag == "a":
            self._link = [attrs.get("href"), attrs.get("rel"), ""]
        elif tag == "link" and attrs.get("rel") in ("prev", "next"):
            self.head_links.append((attrs["rel"], attrs["href"]))

    def handle_data(self, data):
        if self._in == "h1":
            self.heading += data
        elif self._in == "teaser":
            self.headlines[-1] += data
        if self._link is not None:
            self._link[2] += data

    def handle_endtag(self, tag):
        if tag in ("h1", "h2"):
            self._in = None
        if tag == "a" and self._link is not None:
            self._link[2] = " ".join(self._link[2].split())
            self.links.append(tuple(self._link))
            self._link = None

    def link_to(self, href):
        return next((text for link, _, text in self.links if link == href), None)


def at(*parts, tz=NEW_YORK):
    return datetime(*parts, tzinfo=tz)


@pytest.fixture
def archive(newsroom, settings):
    """Stories around the ends of days, months and years, seen from New York."""
    settings.TIME_ZONE = "America/New_York"
    world, business = newsroom.section("World"), newsroom.section("Business", position=1)

    def story(headline, when, section=world, **fields):
        return actions.publish_story(newsroom.story(section, headline, publish=False, **fields), at=when)

    made = {
        "morning": story("Tuesday morning harbour story", at(2024, 11, 26, 9, 0)),
        "late": story("Late harbour story", at(2024, 11, 26, 23, 30), business),  # 04:30 UTC on the 27th
        "next": story("Next day harbour story", at(2024, 11, 27, 0, 30)),
        "september": story("September harbour story", at(2024, 9, 15, 12, 0)),
        "new_year": story("New year harbour story", at(2025, 1, 2, 9, 0)),
        "eve": story("New Year's Eve harbour story", at(2023, 12, 31, 23, 30)),  # 2024 in UTC
    }
    pulled = story("Pulled harbour story", at(2024, 11, 26, 12, 0))
    actions.unpublish_story(pulled)
    newsroom.story(world, "Draft harbour story", publish=False)
    made["future"] = actions.publish_story(newsroom.story(world, "Future harbour story", publish=False),
                                           at=timezone.now() + timedelta(days=40))
    return made


def test_a_day_lists_its_stories_newest_first_by_the_site_clock(client, archive):
    page = Page(client.get("/archive/2024/11/26/"))
    assert page.heading == "Archive: November 26, 2024"
    assert page.headlines == ["Late harbour story", "Tuesday morning harbour story"]
    assert Page(client.get("/archive/2024/11/27/")).headlines == ["Next day harbour story"]


def test_day_boundaries_move_with_the_time_zone(client, archive, settings):
    settings.TIME_ZONE = "UTC"
    assert Page(client.get("/archive/2024/11/26/")).headlines == ["Tuesday morning harbour story"]
    assert Page(client.get("/archive/2024/11/27/")).headlines == ["Next day harbour story", "Late harbour story"]
    assert client.get("/archive/2023/").status_code == 404
    assert "New Year's Eve harbour story" in Page(client.get("/archive/2024/01/")).headlines


def test_a_month_lists_its_stories_and_links_to_the_nearest_months_with_stories(client, archive):
    page = Page(client.get("/archive/2024/11/"))
    assert page.heading == "Archive: November 2024"
    assert page.headlines == ["Next day harbour story", "Late harbour story", "Tuesday morning harbour story"]
    # October and December have nothing: the links skip them.
    assert page.link_to("/archive/2024/09/") == "← September 2024"
    assert page.link_to("/archive/2025/01/") == "January 2025 →"
    assert page.link_to("/archive/2024/10/") is None and page.link_to("/archive/2024/12/") is None


def test_a_year_lists_its_stories_and_its_months(client, archive):
    page = Page(client.get("/archive/2024/"))
    assert page.heading == "Archive: 2024"
    assert page.headlines == ["Next day harbour story", "Late harbour story", "Tuesday morning harbour story",
                              "September harbour story"]
    assert page.link_to("/archive/2024/09/") == "September 2024"
    assert page.link_to("/archive/2024/11/") == "November 2024"
    assert page.link_to("/archive/2023/") == "← 2023" and page.link_to("/archive/2025/") == "2025 →"
    assert Page(client.get("/archive/2023/")).headlines == ["New Year's Eve harbour story"]


def test_the_newest_period_does_not_link_to_the_future(client, archive):
    page = Page(client.get("/archive/2025/"))
    assert page.link_to("/archive/2024/") == "← 2024"
    assert not [text for href, _, text in page.links if href.startswith("/archive/") and text.endswith("→")]


def test_teasers_name_their_section(client, archive):
    page = Page(client.get("/archive/2024/11/26/"))
    assert page.link_to("/business/") == "Business"


def test_hidden_stories_are_in_no_archive(client, archive):
    for url in ["/archive/2024/", "/archive/2024/11/", "/archive/2024/11/26/", "/archive/"]:
        body = client.get(url).content.decode()
        assert "Pulled" not in body and "Draft" not in body and "Future" not in body, url
    future = timezone.localtime(archive["future"].published_at)
    assert client.get(f"/archive/{future:%Y/%m/%d}/").status_code == 404
    assert client.get(f"/archive/{future:%Y/%m}/").status_code == 404


def test_archive_pages_are_paged_like_every_list(client, archive, settings):
    settings.DATELINE = {**settings.DATELINE, "PAGE_SIZE": 2}
    first = Page(client.get("/archive/2024/11/"))
    assert len(first.headlines) == 2 and ("next", "?page=2") in first.head_links
    assert ("?page=2", "next", "Older →") in first.links
    second = Page(client.get("/archive/2024/11/?page=2"))
    assert second.headlines == ["Tuesday morning harbour story"] and ("prev", "?page=1") in second.head_links
    for bad in ("3", "0", "-1", "abc", "1.5", "last", ""):
        assert client.get(f"/archive/2024/11/?page={bad}").status_code == 404, bad


@pytest.mark.parametrize("url", [
    "/archive/2024/13/", "/archive/2024/00/", "/archive/2024/02/30/", "/archive/2023/02/29/",
    "/archive/2024/11/31/", "/archive/2024/11/00/", "/archive/0/", "/archive/0000/", "/archive/0001/01/01/",
    "/archive/9999/", "/archive/9999/12/", "/archive/9999/12/31/", "/archive/99999/", "/archive/2024/1/",
    "/archive/2024/11/5/", "/archive/abcd/", "/archive/2024/10/", "/archive/2022/", "/archive/2024/11/28/",
    "/archive/2024/11/26/extra/",
])
def test_impossible_or_empty_periods_get_the_404_page(client, archive, url):
    response = client.get(url)
    assert response.status_code == 404, url
    assert "We couldn’t find that page" in response.content.decode()


def test_a_leap_day_is_a_day(client, newsroom, settings):
    settings.TIME_ZONE = "America/New_York"
    section = newsroom.section("World")
    actions.publish_story(newsroom.story(section, "Leap day story", publish=False), at=at(2024, 2, 29, 12))
    assert Page(client.get("/archive/2024/02/29/")).headlines == ["Leap day story"]


def test_the_archive_index_lists_the_years_with_stories(client, archive):
    page = Page(client.get("/archive/"))
    years = [href for href, _, _ in page.links if href.startswith("/archive/2")]
    assert years == ["/archive/2025/", "/archive/2024/", "/archive/2023/"]


def test_an_empty_site_has_no_archive(client, db):
    assert client.get("/archive/").status_code == 404
    assert client.get("/archive/2024/").status_code == 404
