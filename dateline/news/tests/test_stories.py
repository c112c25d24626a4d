"""Story rules and the write path: derived fields, visibility, actions, signals."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dateline.news import actions, signals
from dateline.news.models import Pick, Redirect, Section, Story


class Recorder:
    """Records the domain signals sent while it is active."""

    def __init__(self):
        self.seen = []

    def __call__(self, signal_name):
        def receiver(sender, **kwargs):
            self.seen.append((signal_name, kwargs))
        return receiver

    def names(self):
        return [name for name, _ in self.seen]


@pytest.fixture
def recorded():
    rec = Recorder()
    receivers = []
    for name in ("story_created", "story_published", "story_unpublished", "story_changed", "story_deleted", "picks_changed"):
        r = rec(name)
        receivers.append((getattr(signals, name), r))
        getattr(signals, name).connect(r)
    yield rec
    for signal, r in receivers:
        signal.disconnect(r)


def test_save_derives_word_count_reading_time_and_excerpt(newsroom):
    world = newsroom.section()
    words = " ".join(["word"] * 500)
    story = newsroom.story(world, paragraphs=[words, "Second paragraph."])
    assert story.word_count == 502
    assert story.reading_minutes == 3  # 502 / 230 rounded up
    assert story.excerpt.startswith("word word") and story.excerpt.endswith("…")


def test_a_written_summary_is_the_excerpt(newsroom):
    story = newsroom.story(newsroom.section(), summary="Written by the editor.")
    assert story.excerpt == "Written by the editor."


def test_a_short_story_still_takes_a_minute(newsroom):
    assert newsroom.story(newsroom.section(), paragraphs=["Brief."]).reading_minutes == 1


def test_body_is_sanitised_on_every_save(newsroom):
    story = newsroom.story(newsroom.section(), paragraphs=['Hi<script>alert(1)</script>'])
    assert "<script" not in story.body
    actions.update_story(story, body='<p onmouseover="x()">Again</p>')
    story.refresh_from_db()
    assert story.body == "<p>Again</p>"


def test_drafts_and_future_stories_are_not_published(newsroom):
    world = newsroom.section()
    live = newsroom.story(world)
    draft = newsroom.story(world, publish=False)
    future = actions.publish_story(newsroom.story(world, publish=False), at=timezone.now() + timedelta(hours=2))
    unpublished = actions.unpublish_story(newsroom.story(world))
    visible = set(Story.objects.published())
    assert live in visible
    assert not {draft, future, unpublished} & visible
    assert not future.is_visible() and live.is_visible()


def test_a_scheduled_story_becomes_visible_when_its_time_comes(newsroom):
    at = timezone.now() + timedelta(minutes=5)
    story = actions.publish_story(newsroom.story(newsroom.section(), publish=False), at=at)
    assert story not in Story.objects.published()
    assert story in Story.objects.published(now=at + timedelta(seconds=1))


def test_publishing_sends_the_signal_and_unpublishing_too(newsroom, recorded):
    story = newsroom.story(newsroom.section())
    actions.unpublish_story(story)
    assert recorded.names() == ["story_created", "story_published", "story_unpublished"]
    assert recorded.seen[2][1]["old_url"] == story.get_absolute_url()


def test_a_changed_slug_keeps_the_old_address_as_a_redirect(newsroom, recorded):
    story = newsroom.story(newsroom.section(), "Harbour reopens")
    old = story.get_absolute_url()
    story = actions.update_story(story, slug="harbour-reopens-after-storm")
    assert story.get_absolute_url() != old
    assert Redirect.objects.get(old_path=old).story == story
    name, info = recorded.seen[-1]
    assert name == "story_changed" and info["changed"] == {"slug"} and info["old_url"] == old


def test_a_moved_story_keeps_the_old_address_as_a_redirect(newsroom):
    world, business = newsroom.section("World"), newsroom.section("Business", position=1)
    story = newsroom.story(world)
    old = story.get_absolute_url()
    story = actions.move_story(story, business)
    assert story.get_absolute_url().startswith("/business/")
    assert Redirect.objects.filter(old_path=old, story=story).exists()


def test_editing_a_live_story_marks_it_updated_but_not_a_draft(newsroom):
    world = newsroom.section()
    live = newsroom.story(world)
    draft = newsroom.story(world, publish=False)
    live = actions.update_story(live, body="<p>New facts.</p>")
    draft = actions.update_story(draft, body="<p>New facts.</p>")
    assert live.was_updated and live.updated_at > live.published_at
    assert draft.updated_at is None


def test_slugs_are_unique_and_derived_from_the_headline(newsroom):
    world = newsroom.section()
    a = newsroom.story(world, "Same headline")
    b = newsroom.story(world, "Same headline")
    assert a.slug == "same-headline" and b.slug == "same-headline-2"


def test_update_refuses_fields_that_have_their_own_action(newsroom):
    story = newsroom.story(newsroom.section())
    with pytest.raises(ValueError):
        actions.update_story(story, status="draft")


def test_a_section_cannot_take_a_slug_the_site_uses(db):
    with pytest.raises(ValidationError):
        actions.save_section(Section(name="Tags", slug="tag"))
    assert not Section.objects.exists()


def test_picks_are_live_only_in_their_window_and_when_the_story_is(newsroom, recorded):
    world = newsroom.section()
    now = timezone.now()
    a, b, c, d = (newsroom.story(world) for _ in range(4))
    actions.add_pick(a)
    actions.add_pick(b, starts_at=now + timedelta(hours=1))
    actions.add_pick(c, ends_at=now - timedelta(minutes=1))
    actions.add_pick(d)
    actions.unpublish_story(d)
    assert [p.story for p in Pick.objects.live()] == [a]
    assert recorded.names().count("picks_changed") == 4


def test_delete_sends_what_the_story_was(newsroom, recorded):
    story = newsroom.story(newsroom.section())
    url, pk = story.get_absolute_url(), story.pk
    actions.delete_story(story)
    name, info = recorded.seen[-1]
    assert name == "story_deleted" and info["story_id"] == pk and info["old_url"] == url and info["was_visible"]
    assert not Story.objects.filter(pk=pk).exists()
