"""A small newsroom for feeds, sitemaps and archives, built through the real actions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.news import actions

from .support import make_image


@pytest.fixture
def site(newsroom):
    """World: five stories an hour apart (the newest with a lead image and two bylines),
    Business: one; plus a draft, an unpublished story and one scheduled for tomorrow."""
    world = newsroom.section("World")
    business = newsroom.section("Business", position=1)
    ada, ben = newsroom.author("Ada Reporter"), newsroom.author("Ben Writer")
    image = make_image()
    stories = [
        newsroom.story(world, f"World story {i} on harbour trade", hours_ago=10 - i, authors=[ada],
                       tags=["Trade", "Ports"])
        for i in range(4)
    ]
    stories.append(newsroom.story(
        world, "Harbour cranes & tariffs: what changes", hours_ago=5, authors=[ada, ben], tags=["Trade"],
        lead_image=image,
        paragraphs=["Read the <a href=\"/business/\">business pages</a> first.", "Then the rest."],
    ))
    biz = newsroom.story(business, "Business story on harbour tariffs", hours_ago=3, tags=["Trade"])
    draft = newsroom.story(world, "Secret draft headline", publish=False, tags=["Trade"], authors=[ada])
    pulled = actions.unpublish_story(newsroom.story(world, "Pulled headline", hours_ago=2, authors=[ada]))
    future = actions.publish_story(
        newsroom.story(world, "Future headline", publish=False, tags=["Trade"], authors=[ada]),
        at=timezone.now() + timedelta(days=1),
    )
    return dict(world=world, business=business, ada=ada, ben=ben, image=image, stories=stories, biz=biz,
                draft=draft, pulled=pulled, future=future, hidden=[draft, pulled, future])
