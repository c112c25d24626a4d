"""Each change purges exactly the stored entries that show what changed, after the commit."""

from datetime import timedelta

import pytest
from django.db import transaction

from dateline.news import actions

from .conftest import RecordingPurger


@pytest.fixture
def site(transactional_db, newsroom):
    """World with eight stories an hour apart, Sport with three; a draft waiting in World."""
    world = newsroom.section("World")
    sport = newsroom.section("Sport", position=1)
    ada, bo = newsroom.author("Ada Reporter"), newsroom.author("Bo Writer")
    worlds = [newsroom.story(world, f"World story {i}", hours_ago=30 - i, authors=[bo], tags=["Harbour"])
              for i in range(8)]
    sports = [newsroom.story(sport, f"Sport story {i}", hours_ago=40 - i, authors=[bo], tags=["Cup"])
              for i in range(3)]
    draft = newsroom.story(world, "Breaking: the harbour reopens", publish=False, authors=[ada], tags=["Ports"])
    return dict(world=world, sport=sport, worlds=worlds, sports=sports, draft=draft, ada=ada, bo=bo)


def every_page(site):
    stories = [*site["worlds"], *site["sports"]]
    return ["/", "/world/", "/sport/", "/tag/harbour/", "/tag/cup/", "/author/bo-writer/",
            *(s.get_absolute_url() for s in stories)]


def fill(web, site):
    for url in every_page(site):
        assert web.get(url).status == 200, url


def test_publishing_purges_its_lists_neighbours_and_fragments_and_nothing_else(web, site, store):
    fill(web, site)
    before = set(store.keys())
    world, worlds, sports = site["world"].pk, site["worlds"], site["sports"]
    latest_fragments = {k for k in before if k.startswith(f"/_fragment/latest/{world}/")}
    dont_miss_fragments = {k for k in before if k.startswith("/_fragment/dont-miss/")}
    assert latest_fragments and dont_miss_fragments
    RecordingPurger.calls = []

    story = actions.publish_story(site["draft"])

    purged = before - set(store.keys())
    assert purged == {
        "/", "/world/", worlds[-1].get_absolute_url(),  # the front, the section, the previous newest
        *latest_fragments, *dont_miss_fragments,
    }
    # Not touched: other stories of World, Sport's pages, lists the story is not in.
    assert {s.get_absolute_url() for s in [*worlds[:-1], *sports]} <= set(store.keys())
    assert {"/sport/", "/tag/harbour/", "/tag/cup/", "/author/bo-writer/"} <= set(store.keys())
    # The CDN hook is told the same tags, once.
    assert RecordingPurger.calls == [{
        f"story:{story.pk}", f"neighbours:{worlds[-1].pk}", f"list:section:{world}", "list:site",
        f"list:tag:{story.tags.get().pk}", f"list:author:{site['ada'].pk}",
    }]
    page = web.get(worlds[-1].get_absolute_url())
    assert page["X-Page-Store"] == "miss" and "Breaking: the harbour reopens" in page.text


def test_nothing_is_purged_before_the_commit_nor_after_a_rollback(web, site, store):
    fill(web, site)
    before = set(store.keys())
    with transaction.atomic():
        actions.publish_story(site["draft"])
        assert set(store.keys()) == before  # readers still get the old pages: nothing is committed
        transaction.set_rollback(True)
    assert set(store.keys()) == before
    actions.publish_story(site["draft"])
    assert set(store.keys()) < before


def test_an_edit_purges_only_what_shows_the_story(web, site, store):
    fill(web, site)
    before = set(store.keys())
    edited = site["worlds"][3]
    showing = {k for k in before if f"story:{edited.pk}" in store.get(k).tags}
    actions.update_story(edited, headline="World story 3, corrected")
    purged = before - set(store.keys())
    assert purged == showing
    assert {"/world/", "/tag/harbour/", "/author/bo-writer/", edited.get_absolute_url(),
            site["worlds"][2].get_absolute_url(), site["worlds"][4].get_absolute_url()} <= purged
    assert "/sport/" not in purged and site["sports"][0].get_absolute_url() not in purged
    assert "World story 3, corrected" in web.get(site["worlds"][2].get_absolute_url()).text


def test_unpublishing_hands_the_generic_fragment_to_none_of_its_readers(web, site, store):
    """When the newest story goes, the fifth newest moves into "Latest from": its
    page must switch to the fragment that leaves it out."""
    fill(web, site)
    worlds = site["worlds"]
    moving_in = worlds[3]
    assert f"/_fragment/latest/{site['world'].pk}/\"" in store.get(moving_in.get_absolute_url()).body.decode()
    actions.unpublish_story(worlds[-1])
    page = web.get(moving_in.get_absolute_url())
    assert page["X-Page-Store"] == "miss"
    latest = page.text.split("Latest from World")[1].split("</section>")[0]
    assert moving_in.headline not in latest
    assert page.body == web.fresh(moving_in.get_absolute_url()).body


def test_a_move_purges_both_sections_and_the_old_address_redirects(web, site, store):
    fill(web, site)
    story = site["worlds"][5]
    old_url = story.get_absolute_url()
    moved = actions.move_story(story, site["sport"])
    assert old_url not in store.keys()
    assert not {"/world/", "/sport/", "/"} & set(store.keys())
    response = web.get(old_url)
    assert response.status == 301 and response["Location"] == moved.get_absolute_url()
    assert old_url not in store.keys()
    assert "World story 5" in web.get("/sport/").text
    assert "World story 5" not in web.get("/world/").text


def test_renaming_a_section_purges_every_page_that_draws_the_navigation(web, site, store):
    fill(web, site)
    section = site["sport"]
    section.name = "Sports"
    actions.save_section(section)
    assert store.keys() == []
    assert ">Sports</a>" in web.get(site["worlds"][0].get_absolute_url()).text


def test_deleting_a_story_purges_the_pages_that_showed_it(web, site, store):
    fill(web, site)
    story = site["sports"][-1]
    actions.delete_story(story)
    assert not {"/", "/sport/", "/tag/cup/", "/author/bo-writer/", site["sports"][1].get_absolute_url()} \
        & set(store.keys())
    assert web.get(story.get_absolute_url()).status == 404
    assert "Sport story 2" not in web.get("/").text


def test_rescheduling_a_live_story_into_the_future_takes_it_off_every_page(web, site, store, newsroom):
    fill(web, site)
    story = site["worlds"][-1]
    actions.publish_story(story, at=newsroom.now + timedelta(hours=5))
    for url in every_page(site):
        page = web.get(url)
        if url == story.get_absolute_url():
            assert page.status == 404
        else:
            assert story.headline not in page.text, url


def test_editing_an_image_in_the_library_purges_the_pages_that_draw_it(web, site, store):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image as PILImage

    from dateline.media.actions import update_image
    from dateline.news.models import Image

    out = io.BytesIO()
    PILImage.new("RGB", (64, 36), "navy").save(out, "PNG")
    image = Image.objects.create(file=ContentFile(out.getvalue(), name="harbour.png"), alt_text="The harbour at dawn")
    story = actions.update_story(site["sports"][0], lead_image=image)
    fill(web, site)
    assert 'alt="The harbour at dawn"' in web.get(story.get_absolute_url()).text
    update_image(image, alt_text="The harbour at dusk")
    page = web.get(story.get_absolute_url())
    assert page["X-Page-Store"] == "miss" and 'alt="The harbour at dusk"' in page.text
    assert "/world/" in store.keys()  # shows no Sport story: untouched


def test_renaming_an_author_or_a_tag_purges_the_pages_that_print_the_name(web, site, store):
    fill(web, site)
    bo = site["bo"]
    bo.name = "Bo Ambrose Writer"
    bo.save()  # what Django's admin does
    for url in ["/author/bo-writer/", site["worlds"][2].get_absolute_url(), site["sports"][0].get_absolute_url()]:
        assert url not in store.keys(), url
        assert "Bo Ambrose Writer" in web.get(url).text, url

    from dateline.news.models import Tag

    fill(web, site)
    cup = Tag.objects.get(slug="cup")
    cup.name = "Cup Final"
    cup.save()
    assert "/tag/cup/" not in store.keys()
    assert "Cup Final" in web.get(site["sports"][1].get_absolute_url()).text
    assert "Cup Final" in web.get("/tag/cup/").text
    assert site["worlds"][0].get_absolute_url() in store.keys()  # a story without that tag stays


def test_renaming_a_credited_source_purges_the_stories_it_is_credited_on(web, site, store, newsroom):
    from dateline.news.models import Credit

    source = newsroom.source("Harbour Wire")
    story = site["worlds"][3]
    Credit.objects.create(story=story, source=source, role=Credit.Role.REPORTED_BY)
    url = story.get_absolute_url()
    web.get(url)
    assert "Harbour Wire" in web.get(url).text and url in store.keys()
    source.name = "Harbour Newswire"
    source.save()
    assert url not in store.keys()
    assert "Harbour Newswire" in web.get(url).text
