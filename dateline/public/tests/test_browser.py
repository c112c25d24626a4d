"""The reader's view in Debian's Chromium: every block of a story page, the
links between stories, back-to-top without JavaScript, no console errors and
no axe-core violations."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from dateline.conftest import Newsroom
from dateline.news import actions

pytestmark = [pytest.mark.browser]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


@pytest.fixture
def site(transactional_db):
    room = Newsroom()
    world = room.section("World")
    room.section("Business", position=1)
    reporter, agency = room.author("Ada Reporter"), room.source("Meridian Press Agency")
    paragraphs = [f"Paragraph {i}: the harbour authority said the new quay would open in spring, "
                  "after two years of dredging and a long argument over who pays." for i in range(6)]
    stories = [room.story(world, f"Harbour story number {i}", hours_ago=20 - i, paragraphs=paragraphs,
                          standfirst=f"Standfirst of harbour story {i}.", authors=[reporter],
                          credits=[(agency, "reported_by")], tags=["Ports"])
               for i in range(7)]
    actions.add_pick(stories[0])
    return dict(world=world, stories=stories)


def shoot(page, name):
    folder = os.environ.get("DATELINE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_a_reader_opens_a_story_and_finds_every_block(live_server, page, site):
    page.goto(live_server.url + "/")
    lead = site["stories"][-1]
    page.get_by_role("link", name=lead.headline).first.click()
    page.wait_for_url(re.compile(re.escape(lead.get_absolute_url()) + "$"))

    assert page.locator("h1").inner_text() == lead.headline
    assert page.locator("article.story time[datetime]").first.get_attribute("datetime")
    assert "min read" in page.locator(".story__meta").inner_text()
    assert page.get_by_text(f"Standfirst of harbour story 6.").is_visible()
    assert "Reported by Meridian Press Agency" in page.locator(".credits").inner_text()
    also = page.locator(".story__body .also-read a")
    assert also.count() == 1 and also.get_attribute("href").startswith("/world/")
    assert page.locator("a[rel=prev]").inner_text().lower().startswith("previous story")
    assert page.locator("a[rel=next]").count() == 0  # the newest story of its section
    latest = page.locator(".block--latest")
    assert latest.locator(".block__title").inner_text() == "Latest from World"
    assert latest.locator("article").count() == 4
    assert page.get_by_role("heading", name="Don't miss").is_visible()
    shoot(page, "story-desktop")
    assert page.errors == []


def test_next_story_and_back_to_top(live_server, page, site):
    first, second = site["stories"][0], site["stories"][1]
    page.goto(live_server.url + first.get_absolute_url())
    page.get_by_role("link", name=re.compile("^Next story")).click()
    page.wait_for_url(re.compile(re.escape(second.get_absolute_url()) + "$"))
    assert page.locator("h1").inner_text() == second.headline

    page.mouse.wheel(0, 5000)
    page.wait_for_function("window.scrollY > 300")
    page.get_by_role("link", name=re.compile("Back to top")).click()
    page.wait_for_function("window.scrollY === 0")
    assert page.errors == []


def test_back_to_top_works_without_javascript(browser, live_server, site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 700})
    page = context.new_page()
    page.goto(live_server.url + site["stories"][3].get_absolute_url())
    page.mouse.wheel(0, 5000)
    page.wait_for_timeout(200)
    page.get_by_role("link", name=re.compile("Back to top")).click()
    for _ in range(30):  # the scroll may be smooth: give it up to three seconds
        if page.evaluate("window.scrollY") == 0:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.scrollY") == 0 and page.url.endswith("#top")
    context.close()


@pytest.mark.parametrize("width,height,label", [(390, 844, "phone"), (1280, 900, "desktop")])
def test_pages_have_no_axe_violations(browser, live_server, site, width, height, label):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    story = site["stories"][3]
    for name, url in [("home", "/"), ("section", "/world/"), ("story", story.get_absolute_url()),
                      ("tag", "/tag/ports/"), ("author", "/author/ada-reporter/")]:
        page.goto(live_server.url + url)
        results = axe.run(page)
        violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                      for v in results.response["violations"]]
        assert violations == [], f"{name}: {violations}"
        shoot(page, f"{name}-{label}")
    page.goto(live_server.url + "/no-such-page/")
    shoot(page, f"404-{label}")
    assert [e for e in errors if "404" not in e] == []
    context.close()


def test_nothing_is_wider_than_a_phone(browser, live_server, site):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    for url in ["/", "/world/", site["stories"][2].get_absolute_url()]:
        page.goto(live_server.url + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
    context.close()


def test_a_scheduled_story_shows_up_when_its_time_comes(live_server, page, site):
    room = Newsroom()
    story = actions.publish_story(room.story(site["world"], "Scheduled harbour news", publish=False),
                                  at=timezone.now() + timedelta(seconds=2))
    page.goto(live_server.url + "/world/")
    assert page.get_by_text("Scheduled harbour news").count() == 0
    page.wait_for_timeout(2500)
    page.goto(live_server.url + "/world/")
    assert page.get_by_role("link", name="Scheduled harbour news").count() == 1
    page.goto(live_server.url + story.get_absolute_url())
    assert page.locator("h1").inner_text() == "Scheduled harbour news"
