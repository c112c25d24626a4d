"""Prepared queries answer what the querysets they were built from answer, for any values."""

from datetime import datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dateline.news.models import Byline, Story
from dateline.public.prepared import Prepared
from dateline.public.teasers import Teaser, columns, teasers


def _newest(p, limit, exclude):
    qs = Story.objects.published(p.now).filter(section_id=p.section).select_related("section").newest_first()
    return (qs.exclude(pk=p.story) if exclude else qs)[:limit]


NEWEST = Prepared(_newest, now=datetime, section=int, story=int)
BY_IDS = Prepared(lambda p: Story.objects.filter(pk__in=p.ids).order_by("pk").values_list("pk", "slug"), ids=list)
BYLINES = Prepared(lambda p: Byline.objects.filter(story_id=p.story).select_related("author"), story=int)


def test_the_same_rows_as_the_queryset_for_every_value_and_shape(newsroom):
    world, sport = newsroom.section("World"), newsroom.section("Sport", position=1)
    stories = [newsroom.story(world if i % 3 else sport, f"Story {i}", hours_ago=i + 1) for i in range(9)]
    later = newsroom.story(world, "Not yet", hours_ago=-5)
    for section in (world, sport):
        for now in (newsroom.now, newsroom.now + timedelta(hours=6), newsroom.now - timedelta(hours=4)):
            for exclude in (None, stories[1], stories[3]):
                for limit in (1, 3, 20):
                    expected = Story.objects.published(now).filter(section=section).newest_first()
                    if exclude is not None:
                        expected = expected.exclude(pk=exclude.pk)
                    got = NEWEST.all(now=now, section=section.pk, story=exclude.pk if exclude else 0,
                                     shape={"limit": limit, "exclude": exclude is not None})
                    assert got == list(expected[:limit])
                    assert all(s.section == section for s in got)  # select_related() filled in
    assert later in NEWEST.all(now=newsroom.now + timedelta(hours=6), section=world.pk, story=0,
                               shape={"limit": 20, "exclude": False})
    ids = [s.pk for s in stories]
    assert BY_IDS.all(ids=ids[2:5]) == [(s.pk, s.slug) for s in stories[2:5]]
    assert BY_IDS.all(ids=[ids[0], ids[0] + 10_000]) == [(stories[0].pk, stories[0].slug)]
    assert BY_IDS.all(ids=[]) == []


def test_compiled_once_then_only_sent(newsroom):
    world = newsroom.section("World")
    writer, other = newsroom.author("Ada Reporter"), newsroom.author("Bo Other")
    a = newsroom.story(world, "One", authors=[writer, other])
    b = newsroom.story(world, "Two", authors=[other])
    assert [x.author.name for x in BYLINES.all(story=a.pk)] == ["Ada Reporter", "Bo Other"]
    with CaptureQueriesContext(connection) as queries:
        assert [x.author.name for x in BYLINES.all(story=b.pk)] == ["Bo Other"]
    assert len(queries) == 1 and str(b.pk) in queries[0]["sql"]


def test_teasers_stand_for_their_stories(newsroom):
    world = newsroom.section("World")
    story = newsroom.story(world, "A teaser")
    teaser, = teasers(Story.objects.filter(pk=story.pk).values_list(*columns()))
    assert isinstance(teaser, Teaser) and teaser == story and story == teaser and hash(teaser) == hash(story)
    assert teaser.get_absolute_url() == story.get_absolute_url()
    assert (teaser.headline, teaser.section.name, teaser.lead_image) == ("A teaser", "World", None)
