"""Time-driven changes reach stored pages on time, with no worker and no cron.

These wait for real time to pass (two seconds at most each): nothing but the
server's own requests runs the pending purges.
"""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dateline.news import actions


@pytest.fixture
def site(transactional_db, newsroom):
    world = newsroom.section("World")
    stories = [newsroom.story(world, f"World story {i}", hours_ago=30 - i) for i in range(6)]
    draft = newsroom.story(world, "Embargoed results are out", publish=False)
    return dict(world=world, stories=stories, draft=draft)


def dont_miss(page) -> str:
    return page.text.split('id="dont-miss-title"')[1].split("</section>")[0]


def wait_until(moment):
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()) + 0.05)


def test_a_scheduled_story_appears_at_its_time(web, site, store):
    story = actions.schedule_story(site["draft"], at=timezone.now() + timedelta(seconds=2))
    newest = site["stories"][-1]
    for url in ["/", "/world/", newest.get_absolute_url()]:
        assert story.headline not in web.get(url).text
    assert web.get(story.get_absolute_url()).status == 404
    with CaptureQueriesContext(connection) as queries:
        before = web.get("/")
    assert before["X-Page-Store"] == "hit" and len(queries) == 0  # nothing due yet: no ORM
    # A CDN may not keep the page past the story's time.
    assert int(before["Cache-Control"].split("s-maxage=")[1].split(",")[0]) <= 2

    wait_until(story.published_at)
    home = web.get("/")
    assert home["X-Page-Store"] == "miss" and story.headline in home.text
    assert story.headline in web.get("/world/").text
    assert web.get(story.get_absolute_url()).status == 200
    neighbour = web.get(newest.get_absolute_url())
    assert f'href="{story.get_absolute_url()}" rel="next"' in neighbour.text
    assert store.next_due() is None
    with CaptureQueriesContext(connection) as queries:
        assert web.get("/")["X-Page-Store"] == "hit"
    assert len(queries) == 0


def test_pick_windows_open_and_close_on_time(web, site, store):
    opening, closing = site["stories"][0], site["stories"][1]  # old: not in the newest fill
    at = timezone.now() + timedelta(seconds=1.5)
    actions.add_pick(opening, starts_at=at)
    actions.add_pick(closing, ends_at=at)
    home = web.get("/")
    assert closing.headline in dont_miss(home) and opening.headline not in dont_miss(home)
    page = web.get(opening.get_absolute_url())
    assert '/_fragment/dont-miss/"' in store.get(opening.get_absolute_url()).body.decode()

    wait_until(at)
    home = web.get("/")
    assert opening.headline in dont_miss(home) and closing.headline not in dont_miss(home)
    # A live pick's own page leaves it out of "Don't miss".
    page = web.get(opening.get_absolute_url())
    assert opening.headline not in dont_miss(page)
    assert page.body == web.fresh(opening.get_absolute_url()).body
