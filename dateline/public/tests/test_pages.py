"""Reader pages over HTTP: what each shows, what it hides, and how it fails."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dateline.news import actions
from dateline.public import blocks


class Links(HTMLParser):
    """The <a> elements of a page: (href, rel, text)."""

    def __init__(self, html):
        super().__init__()
        self.links, self._open = [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open = [dict(attrs).get("href"), dict(attrs).get("rel"), ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[2] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            self._open[2] = " ".join(self._open[2].split())
            self.links.append(tuple(self._open))
            self._open = None


def html_of(response):
    return response.content.decode()


@pytest.fixture
def site(newsroom):
    """Two sections; World has five stories an hour apart, a draft and a future story."""
    world = newsroom.section("World")
    business = newsroom.section("Business", position=1)
    reporter = newsroom.author("Ada Reporter")
    agency = newsroom.source("Meridian Press Agency")
    stories = [
        newsroom.story(world, f"World story {i} on harbour trade", hours_ago=10 - i,
                       authors=[reporter], credits=[(agency, "reported_by")], tags=["Trade", "Ports"])
        for i in range(5)
    ]
    biz = newsroom.story(business, "Business story on harbour tariffs", hours_ago=3, tags=["Trade"])
    draft = newsroom.story(world, "Secret draft headline", publish=False)
    future = actions.publish_story(newsroom.story(world, "Future headline", publish=False),
                                   at=timezone.now() + timedelta(days=1))
    return dict(world=world, business=business, stories=stories, biz=biz, draft=draft, future=future,
                reporter=reporter, agency=agency)


def test_every_page_type_answers(client, site):
    story = site["stories"][2]
    for url in ["/", "/world/", "/business/", story.get_absolute_url(), "/tag/trade/", "/author/ada-reporter/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")


def test_the_story_page_shows_every_element_of_a_news_page(client, site):
    stories = site["stories"]
    story = stories[2]
    page = html_of(client.get(story.get_absolute_url()))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert f"<h1 class=\"story__headline\">{story.headline}</h1>" in page
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d">', page)
    assert "1 min read" in text
    assert "Reported by Meridian Press Agency" in text
    assert "By Ada Reporter" in text
    links = Links(page).links
    assert ((stories[1].get_absolute_url(), "prev", f"Previous story {stories[1].headline}") in links)
    assert ((stories[3].get_absolute_url(), "next", f"Next story {stories[3].headline}") in links)
    assert "Latest from World" in text
    assert ("#top", None, "Back to top ↑") in links and 'id="top"' in page
    assert "Don't miss" in text
    also = re.search(r'Also read:</span> <a href="([^"]+)">', page)
    assert also and also.group(1) != story.get_absolute_url()


def test_latest_from_the_section_has_four_teasers_and_never_the_story_itself(client, site):
    story = site["stories"][4]
    page = html_of(client.get(story.get_absolute_url()))
    block = page.split('id="latest-title"')[1].split("</section>")[0]
    hrefs = re.findall(r'class="teaser__headline"><a href="([^"]+)"', block)
    assert len(hrefs) == 4 and story.get_absolute_url() not in hrefs
    assert hrefs == [s.get_absolute_url() for s in site["stories"][3::-1]]


def test_neighbours_stop_at_the_edges_of_the_section(site):
    first, last = site["stories"][0], site["stories"][-1]
    assert blocks.neighbours(first) == (None, site["stories"][1])
    # The future story of the same section is not a "next" yet; the other section's never is.
    assert blocks.neighbours(last) == (site["stories"][-2], None)


def test_the_first_story_shows_only_a_next_link(client, site):
    page = html_of(client.get(site["stories"][0].get_absolute_url()))
    assert 'rel="next"' in page and 'rel="prev"' not in page.split("<body")[1]


def test_drafts_and_future_stories_appear_nowhere_public(client, site):
    for url in ["/", "/world/", "/tag/trade/", "/author/ada-reporter/", site["stories"][-1].get_absolute_url()]:
        page = html_of(client.get(url))
        assert "Secret draft" not in page and "Future headline" not in page, url
    assert client.get(site["draft"].get_absolute_url()).status_code == 404
    assert client.get(site["future"].get_absolute_url()).status_code == 404


def test_dont_miss_shows_live_picks_first_then_the_newest_stories(client, site):
    stories = site["stories"]
    actions.add_pick(stories[0])
    actions.add_pick(site["draft"])  # not published: never shown
    picked = blocks.dont_miss()
    assert picked[0] == stories[0] and len(picked) == 4
    assert site["draft"] not in picked
    assert picked[1:] == [site["biz"], stories[4], stories[3]]


def test_dont_miss_on_a_story_page_leaves_that_story_out(site):
    story = site["stories"][4]
    actions.add_pick(story)
    assert story not in blocks.dont_miss(exclude=story)


def test_the_editors_also_read_wins_over_the_related_one(client, site):
    story, chosen = site["stories"][1], site["biz"]
    actions.update_story(story, also_read=chosen)
    page = html_of(client.get(story.get_absolute_url()))
    assert f'Also read:</span> <a href="{chosen.get_absolute_url()}">{chosen.headline}</a>' in page


def test_also_read_sits_after_the_configured_paragraph(client, site):
    story = actions.update_story(site["stories"][1], also_read_after=2)
    page = html_of(client.get(story.get_absolute_url()))
    body = page.split('class="story__body">')[1].split("</div>")[0]
    before = body.split('<aside class="also-read"')[0]
    assert before.count("<p>") == 2


def test_an_updated_story_says_so(client, site):
    story = actions.update_story(site["stories"][1], body="<p>Corrected facts.</p>")
    page = html_of(client.get(story.get_absolute_url()))
    assert re.search(r"Updated <time datetime=", page)
    assert "Updated" not in html_of(client.get(site["stories"][2].get_absolute_url())).split("<main")[1].split("Latest from")[0]


@pytest.mark.parametrize("url", [
    "/no-such-section/", "/world/no-such-story/", "/tag/no-such-tag/", "/author/nobody/",
    "/world/?page=abc", "/world/?page=-1", "/world/?page=0", "/world/?page=99999", "/world/?page=1.5",
    "/tag/trade/?page=9", "/a/b/c/d/",
])
def test_unknown_addresses_and_bad_page_numbers_get_the_404_page(client, site, url):
    response = client.get(url)
    assert response.status_code == 404
    page = html_of(response)
    assert "We couldn’t find that page" in page and 'href="/world/"' in page


def test_a_changed_slug_answers_301_to_the_new_address(client, site):
    story = site["stories"][1]
    old = story.get_absolute_url()
    story = actions.update_story(story, slug="a-better-slug")
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == story.get_absolute_url()
    assert client.get(story.get_absolute_url()).status_code == 200


def test_a_moved_story_answers_301_from_its_old_section(client, site):
    story = site["stories"][1]
    old = story.get_absolute_url()
    story = actions.move_story(story, site["business"])
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == f"/business/{story.slug}/"


def test_an_unpublished_story_no_longer_redirects_from_its_old_address(client, site):
    story = site["stories"][1]
    old = story.get_absolute_url()
    story = actions.update_story(story, slug="moved-then-pulled")
    actions.unpublish_story(story)
    assert client.get(old).status_code == 404


def test_reader_pages_refuse_writes(client, site):
    assert client.post("/").status_code in (403, 405)
    assert client.post(site["stories"][0].get_absolute_url()).status_code in (403, 405)


def test_sections_paginate(client, newsroom, settings):
    settings.DATELINE = {**settings.DATELINE, "PAGE_SIZE": 3}
    world = newsroom.section()
    for i in range(7):
        newsroom.story(world, f"Paged story {i}", hours_ago=i + 1)
    first, third = html_of(client.get("/world/")), html_of(client.get("/world/?page=3"))
    assert "Page 1 of 3" in first and 'rel="next" href="?page=2"' in first.replace('href="?page=2" rel="next"', 'rel="next" href="?page=2"')
    assert "Paged story 6" in third and client.get("/world/?page=4").status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_number_of_stories(client, site, newsroom):
    story = site["stories"][2]
    actions.add_pick(site["biz"])
    urls = ["/", "/world/", story.get_absolute_url(), "/tag/trade/", "/author/ada-reporter/"]
    before = {url: _queries(client, url) for url in urls}
    for i in range(30):
        newsroom.story(site["world" if i % 2 else "business"], f"More news {i}", hours_ago=20 + i,
                       authors=[site["reporter"]], tags=["Trade"])
    after = {url: _queries(client, url) for url in urls}
    assert before == after
    # The story, what hangs off it (bylines, credits, tags, corrections, the section
    # navigation), and every list of teasers it shows: one query each.
    assert after[story.get_absolute_url()] == 3 and after["/"] <= 8


def test_around_the_story_in_two_queries_is_what_each_block_reads_alone(site, newsroom):
    """The story page reads its blocks in two queries; each block must be what its own
    query over the models gives, in the same order, for every story and every mix."""
    from dateline.enrich.models import RelatedStory
    from dateline.enrich.related import related_to
    from dateline.news.models import Correction, Section, Story

    world, business = site["world"], site["business"]
    newsroom.section("Culture", position=1)  # the same position as Business: sorted by name
    bo, cy = newsroom.author("bo lowercase"), newsroom.author("Cy Third")
    wire = newsroom.source("Wire Service", kind="publication")
    rich = newsroom.story(world, "A story with everything", hours_ago=4.5, authors=[cy, site["reporter"], bo],
                          credits=[(wire, "via"), (site["agency"], "additional_reporting")],
                          tags=["zulu", "Alpha", "Émile", "beta", "100 days"])
    actions.add_correction(rich, "The harbour master's name was misspelled.")
    actions.add_correction(rich, "Figures updated.", kind="update")
    actions.update_story(site["stories"][3], also_read=site["draft"])  # not public: the related one instead
    actions.update_story(site["stories"][0], also_read=site["biz"])
    for i in range(3):
        newsroom.story(business, f"Business story {i}", hours_ago=5 + i)
    picks = [actions.add_pick(s) for s in (site["stories"][2], rich, site["draft"])]
    actions.reorder_picks([picks[1].pk, picks[0].pk, picks[2].pk])

    stories = list(Story.objects.published().select_related("section", "lead_image", "also_read__section"))
    assert len(stories) > 8
    for lists in (True, False):
        for story in stories:
            with CaptureQueriesContext(connection) as queries:
                around = blocks.around_story(story, lists=lists, related_ids=not lists)
            assert len(queries) == 2
            assert [(b.author.name, b.author.slug) for b in around.bylines] == [
                (b.author.name, b.author.slug) for b in story.bylines.select_related("author")]
            assert [(c.get_role_display(), c.source.name, c.source.url, c.source_id) for c in around.credits] == [
                (c.get_role_display(), c.source.name, c.source.url, c.source_id)
                for c in story.credits.select_related("source")]
            assert [(t.pk, t.name, t.get_absolute_url()) for t in around.tags] == [
                (t.pk, t.name, t.get_absolute_url()) for t in story.tags.all()]
            assert [(c.get_kind_display(), c.text, c.created_at) for c in around.corrections] == [
                (c.get_kind_display(), c.text, c.created_at) for c in Correction.objects.filter(story=story)]
            assert [(s.pk, s.name, s.slug, s.description) for s in around.sections] == [
                (s.pk, s.name, s.slug, s.description) for s in Section.objects.all()]
            assert (around.previous, around.next) == blocks.neighbours(story)
            chosen = story.also_read if story.also_read and story.also_read.is_visible() else None
            assert around.also_read == (chosen or related_to(story).first())
            if lists:
                assert around.latest == blocks.latest_in_section(story.section, exclude=story)
                assert around.dont_miss == blocks.dont_miss(exclude=story)
                assert around.related_ids is None
            else:
                assert around.latest is None and around.dont_miss is None
                assert sorted(around.related_ids) == sorted(
                    RelatedStory.objects.filter(story=story).values_list("related_id", flat=True))
    # The mix above was there to be compared: five tags, two notes, the picks in their new order.
    assert len(blocks.around_story(rich).tags) == 5 and len(blocks.around_story(rich).corrections) == 2
    assert blocks.around_story(site["stories"][4]).dont_miss[:2] == [rich, site["stories"][2]]
