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
    assert len(queries) == 1
    if connection.vendor == "postgresql":  # sent as a prepared statement: the values go apart
        assert "$1" in queries[0]["sql"] and str(b.pk) not in queries[0]["sql"]
    else:
        assert str(b.pk) in queries[0]["sql"]


def test_on_postgresql_each_query_is_planned_once_per_connection(newsroom, settings):
    """A prepared statement on the server: parsed and planned once, then only executed;
    the application's other queries stay as Django sends them."""
    import pytest

    if connection.vendor != "postgresql":
        pytest.skip("server-side prepared statements are PostgreSQL's")
    world = newsroom.section("World")
    stories = [newsroom.story(world, f"Story {i}", hours_ago=i + 1) for i in range(3)]

    def prepared():
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
            return {sql: runs for sql, runs in cursor.fetchall() if "news_story" in sql}

    before = prepared()
    for story in stories * 4:
        assert NEWEST.all(now=newsroom.now, section=world.pk, story=story.pk,
                          shape={"limit": 2, "exclude": True}) == [s for s in stories if s != story][:2]
    after = prepared()
    ours = {sql: runs - before.get(sql, 0) for sql, runs in after.items() if runs != before.get(sql, 0)}
    assert len(ours) == 1 and list(ours.values()) == [12]
    list(Story.objects.filter(section=world))  # Django's own query: not prepared
    assert prepared() == after
    # Behind a pooler that cannot keep prepared statements: DATELINE_PG_PREPARED=0.
    settings.DATELINE = {**settings.DATELINE, "PG_PREPARED": False}
    assert NEWEST.all(now=newsroom.now, section=world.pk, story=0, shape={"limit": 2, "exclude": False})
    assert prepared() == after


def test_teasers_stand_for_their_stories(newsroom):
    world = newsroom.section("World")
    story = newsroom.story(world, "A teaser")
    teaser, = teasers(Story.objects.filter(pk=story.pk).values_list(*columns()))
    assert isinstance(teaser, Teaser) and teaser == story and story == teaser and hash(teaser) == hash(story)
    assert teaser.get_absolute_url() == story.get_absolute_url()
    assert (teaser.headline, teaser.section.name, teaser.lead_image) == ("A teaser", "World", None)


def test_a_union_answers_what_each_part_answers_in_one_query(newsroom):
    from django.db.models import IntegerField, Value

    from dateline.public.prepared import PreparedUnion

    world = newsroom.section("World")
    ada, bo, cy = newsroom.author("Ada Reporter"), newsroom.author("bo Other"), newsroom.author("Cy Third")
    stories = [newsroom.story(world, f"Story {i}", hours_ago=i + 1, authors=[cy, ada, bo][: i + 1]) for i in range(3)]
    later = newsroom.story(world, "Not yet", hours_ago=-5)

    def build(p, limit):
        return {
            "bylines": Byline.objects.filter(story_id=p.story).order_by().values_list("position", "author__name", "pk"),
            "stories": Story.objects.published(p.now).newest_first()
            .annotate(position=Value(0, output_field=IntegerField())).values_list("position", "headline", "pk")[:limit],
        }

    union = PreparedUnion(build, now=datetime, story=int)
    in_order = PreparedUnion(build, sorted_by=2, now=datetime, story=int)
    for story in stories:
        for now in (newsroom.now, newsroom.now + timedelta(hours=6)):
            for limit in (1, 2, 10):
                with CaptureQueriesContext(connection) as queries:
                    got = union.all(now=now, story=story.pk, shape={"limit": limit})
                assert len(queries) == 1
                bylines = list(Byline.objects.filter(story=story).values_list("position", "author__name", "pk"))
                newest = [(0, s.headline, s.pk) for s in Story.objects.published(now).newest_first()[:limit]]
                assert sorted(got["bylines"]) == sorted(bylines) and sorted(got["stories"]) == sorted(newest)
                # Sorted by the database: each part in (position, name) order, as an ORDER BY on
                # those columns would give it.
                ordered = in_order.all(now=now, story=story.pk, shape={"limit": limit})
                assert ordered["bylines"] == list(Byline.objects.filter(story=story).order_by("position", "author__name")
                                                  .values_list("position", "author__name", "pk"))
                assert ordered["stories"] == sorted(newest)
    assert later.headline in [h for _, h, _ in union.all(now=newsroom.now + timedelta(hours=6), story=0,
                                                         shape={"limit": 10})["stories"]]
    assert union.all(now=newsroom.now, story=0, shape={"limit": 1})["bylines"] == []


def test_a_union_takes_only_value_lists():
    import pytest

    from dateline.public.prepared import PreparedUnion

    with pytest.raises(TypeError, match="not lists"):
        PreparedUnion(lambda p: {}, ids=list)
    whole = PreparedUnion(lambda p: {"stories": Story.objects.filter(pk=p.story)}, story=int)
    with pytest.raises(TypeError, match="not a values_list"):
        whole.all(story=1)
