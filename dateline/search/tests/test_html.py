"""Search pages are valid HTML (Nu Html Checker) and pass axe-core in Chromium."""

import json
import subprocess

import pytest

from dateline.conftest import Newsroom
from dateline.public.tests.test_html_valid import vnu_or_skip

STATES = {
    "empty": {},
    "results": {"q": "harbour quay"},
    "page 2": {"q": "harbour", "page": "2"},
    "phrase in a section": {"q": '"new quay"', "section": "world"},
    "nothing found": {"q": "zeppelin", "section": "world", "from": "2020-01-01"},
    "bad dates": {"q": "harbour", "from": "2024-02-30", "to": "soon"},
    "unknown section": {"q": "harbour", "section": "nowhere"},
}


def fill(room):
    world = room.section("World")
    room.section("Business", position=1)
    author = room.author("Ada Reporter")
    for i in range(25):
        room.story(world, f"Harbour story {i} & “quotes” <angle>", hours_ago=i + 1, authors=[author], tags=["Ports"],
                   paragraphs=[f"The harbour authority said the new quay {i} would open in spring.",
                               "Fishermen & <traders> welcomed the news."])


def test_every_state_of_the_search_page_is_valid_html(client, newsroom, tmp_path):
    vnu = vnu_or_skip()
    fill(newsroom)
    files = {}
    for name, params in STATES.items():
        response = client.get("/search/", params)
        assert response.status_code in (200, 400), name
        path = tmp_path / f"{len(files)}.html"
        path.write_bytes(response.content)
        files[str(path)] = name
    result = subprocess.run(["java", "-jar", str(vnu), "--errors-only", "--format", "json", *files],
                            capture_output=True, text=True, timeout=120)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    problems = [(files.get(m.get("url", "").replace("file:", ""), m.get("url")), m.get("message")) for m in messages]
    assert problems == []


@pytest.mark.browser
def test_search_pages_have_no_axe_violations(browser, live_server, transactional_db):
    from axe_playwright_python.sync_playwright import Axe

    fill(Newsroom())
    axe = Axe()
    for width, height in ((1280, 900), (360, 740)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        for name, params in STATES.items():
            query = "&".join(f"{k}={v}" for k, v in params.items())
            page.goto(f"{live_server.url}/search/?{query}")
            violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                          for v in axe.run(page).response["violations"]]
            assert violations == [], f"{name} at {width}px: {violations}"
        context.close()


@pytest.mark.browser
def test_a_reader_searches_from_the_header_and_narrows_by_section(browser, live_server, transactional_db):
    fill(Newsroom())
    page = browser.new_page()
    page.goto(live_server.url + "/search/")
    page.get_by_role("searchbox", name="Search Dateline").fill("quay 7")
    page.get_by_role("banner").get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=quay+7")
    assert page.locator("h2.teaser__headline").first.inner_text() == "Harbour story 7 & “quotes” <angle>"
    assert page.locator("h2.teaser__headline mark").first.inner_text().lower() == "7"
    page.get_by_label("Section", exact=True).select_option("Business")
    page.get_by_role("search", name="Search stories").get_by_role("button", name="Search").click()
    page.wait_for_url("**section=business**")
    assert "No stories match" in page.locator("main").inner_text()
    page.close()
