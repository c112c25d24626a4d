"""The story list at scale: headline search through the index, keyset pages that keep
their filters, bounded counts, day filters. Over HTTP, on SQLite and PostgreSQL."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from dateline.desk import views
from dateline.news import actions
from dateline.news.models import Author, Byline, Section, Story

ROW = re.compile(r'<a href="/desk/(\d+)/">([^<]+)</a>')


@pytest.fixture
def world(db):
    return actions.save_section(Section(name="World", slug="world"))


@pytest.fixture
def editor(client, people):
    client.force_login(people["editor"])
    return people["editor"]


def listed(client, query=""):
    response = client.get("/desk/" + query)
    page = response.content.decode()
    return response, page, [int(pk) for pk, _ in ROW.findall(page)]


def follow(page, rel):
    match = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
    return match.group(1).replace("&amp;", "&") if match else None


def many(section, count, prefix="Filler story", start=None, **fields):
    """``count`` stories in one insert, changed a minute apart, newest last, with ties."""
    start = start or timezone.now() - timedelta(days=3)
    made = Story.objects.bulk_create([
        Story(headline=f"{prefix} {n}", slug=f"{prefix.lower().replace(' ', '-')}-{n}", section=section, **fields)
        for n in range(count)
    ])
    for n, story in enumerate(made):
        # Every third pair shares its time, so pages must break ties by id.
        Story.objects.filter(pk=story.pk).update(modified_at=start + timedelta(minutes=n - n % 3 // 2))
    return [s.pk for s in made]


def test_headline_search_finds_a_draft_by_a_word_in_the_middle(client, editor, people, world):
    draft = actions.create_story(headline="Councillors quietly approve the harbour levy", section=world,
                                 by=people["contributor"])
    actions.create_story(headline="Bridge reopens after repairs", section=world)
    for q in ("quietly", "QUIETLY", "harbour lev", "ietly appr"):
        response, page, ids = listed(client, f"?q={q}")
        assert response.status_code == 200 and ids == [draft.pk], q
        assert "1 story matches." in page
    # Every state is searchable: the draft stays findable in review and in the trash filter.
    actions.submit_for_review(draft)
    assert listed(client, "?q=quietly&status=review")[2] == [draft.pk]
    actions.trash_story(draft)
    assert listed(client, "?q=quietly")[2] == []
    assert listed(client, "?q=quietly&status=trash")[2] == [draft.pk]


def test_headline_search_follows_edits_and_deletions(client, editor, world):
    story = actions.create_story(headline="Ferry timetable changes", section=world)
    actions.update_story(story, headline="Night train returns to Wexley")
    assert listed(client, "?q=ferry")[2] == []
    assert listed(client, "?q=train returns")[2] == [story.pk]
    actions.trash_story(story)
    actions.delete_story(Story.objects.get(pk=story.pk))
    assert listed(client, "?q=train returns&status=trash")[2] == []


def test_stories_inserted_in_bulk_are_searchable_too(client, editor, world):
    ids = many(world, 5, prefix="Wind farm hearing")
    _, page, found = listed(client, "?q=farm hear")
    assert sorted(found) == sorted(ids) and "5 stories match." in page


def test_too_short_a_search_is_refused_with_a_message(client, editor, world):
    response, page, _ = listed(client, "?q=ab")
    assert response.status_code == 400 and "at least 3 characters" in page


def test_search_text_with_quotes_and_symbols_is_just_text(client, editor, world):
    story = actions.create_story(headline='Mayor says "no" to 50% rise', section=world)
    assert listed(client, '?q="no" to 50%')[2] == [story.pk]
    assert listed(client, "?q=OR AND NOT*")[2] == []


def test_older_and_newer_walk_every_story_once_and_keep_the_filters(client, editor, world):
    sport = actions.save_section(Section(name="Sport", slug="sport", position=1))
    wanted = many(world, 130)
    many(sport, 40, prefix="Match report")
    expected = list(Story.objects.filter(section=world, deleted_at__isnull=True)
                    .order_by("-modified_at", "-id").values_list("pk", flat=True))
    assert sorted(expected) == sorted(wanted)
    seen, pages, query = [], [], "?section=world"
    while query:
        response, page, ids = listed(client, query)
        assert response.status_code == 200
        seen += ids
        pages.append((query, ids))
        query = follow(page, "next")
        if query:
            assert "section=world" in query
    assert seen == expected and [len(ids) for _, ids in pages] == [50, 50, 30]
    # Newer from the last page leads back to exactly the middle page.
    _, last, _ = listed(client, pages[-1][0])
    newer = follow(last, "prev")
    assert "section=world" in newer
    assert listed(client, newer)[2] == pages[1][1]
    # The first page offers no newer link; the last no older one.
    assert follow(listed(client, "?section=world")[1], "prev") is None
    assert follow(last, "next") is None


def test_counts_are_exact_when_small_and_bounded_when_large(client, editor, world, monkeypatch):
    many(world, 12)
    assert "12 stories match." in listed(client, "?section=world")[1]
    monkeypatch.setattr(views, "COUNT_LIMIT", 10)
    _, page, ids = listed(client, "?section=world")
    if connection.vendor == "postgresql":  # no probe there: one page holds them all, so the count is exact
        assert "12 stories match." in page and len(ids) == 12
    else:
        assert "More than 10 stories match." in page and len(ids) == 12
    assert "No stories match." in listed(client, "?section=world&q=zzqx")[1]


def test_a_list_longer_than_a_page_gives_a_bounded_or_estimated_count(client, editor, world, monkeypatch):
    many(world, 60)
    monkeypatch.setattr(views, "COUNT_LIMIT", 100)
    page = listed(client, "?section=world")[1]
    if connection.vendor == "sqlite":  # counted up to the limit
        assert "60 stories match." in page
    assert re.search(r"(About [\d,]+|60) stories match\.", page)
    # Deeper pages say the same kind of thing, never a count of the whole archive.
    older = follow(page, "next")
    assert re.search(r"(About [\d,]+|60) stories match\.", listed(client, older)[1])


@pytest.mark.parametrize("count_limit", [views.COUNT_LIMIT, 0], ids=["sorted-matches", "walk-newest-first"])
def test_filters_combine(client, editor, people, world, monkeypatch, count_limit):
    # With a limit of 0 every list takes the path for common matches: a walk along the newest-first index.
    monkeypatch.setattr(views, "COUNT_LIMIT", count_limit)
    sport = actions.save_section(Section(name="Sport", slug="sport", position=1))
    ada = Author.objects.create(name="Ada Reporter", slug="ada-reporter")
    hers = actions.create_story(headline="Harbour crane collapses", section=sport, authors=[ada])
    actions.submit_for_review(hers)
    actions.create_story(headline="Harbour crane inspected", section=sport)
    other = actions.create_story(headline="Harbour crane fund", section=world, authors=[ada])
    actions.submit_for_review(other)
    assert listed(client, "?q=crane&section=sport&author=ada-reporter&status=review")[2] == [hers.pk]
    assert sorted(listed(client, "?q=crane&author=ada-reporter")[2]) == sorted([hers.pk, other.pk])
    assert Byline.objects.filter(author=ada).count() == 2


def test_day_filters_cover_whole_days_in_the_newsroom_time(client, editor, world):
    early, late, outside = many(world, 3)
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    Story.objects.filter(pk=early).update(modified_at=today - timedelta(days=2))
    Story.objects.filter(pk=late).update(modified_at=today - timedelta(days=1, seconds=1))
    Story.objects.filter(pk=outside).update(modified_at=today)
    day_before = (today - timedelta(days=2)).date().isoformat()
    yesterday = (today - timedelta(days=1)).date().isoformat()
    assert sorted(listed(client, f"?from={day_before}&to={yesterday}")[2]) == sorted([early, late])
    assert listed(client, f"?from={today.date().isoformat()}")[2] == [outside]


@pytest.mark.parametrize("query", ["?before=nonsense", "?after=12-x", f"?page={views.MAX_PAGE + 1}"])
def test_bad_or_too_deep_page_addresses_are_not_found(client, editor, query):
    assert client.get("/desk/" + query).status_code == 404


def test_the_lookup_finds_published_stories_by_part_of_a_headline(client, editor, world):
    live = actions.publish_story(actions.create_story(headline="Tollgate library saved", section=world))
    actions.create_story(headline="Tollgate library draft", section=world)
    found = client.get("/desk/lookup/?q=gate libr").json()["results"]
    assert [r["id"] for r in found] == [live.pk]
    assert client.get("/desk/lookup/?q=li").json()["results"] == []
