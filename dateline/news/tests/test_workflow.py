"""The newsroom workflow through its actions: states, embargo, revisions, conflicts, trash."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from dateline.demo.images import draw
from dateline.news import actions
from dateline.news.models import Autosave, Image, Revision, Story

S = Story.Status


@pytest.fixture
def people(db):
    User = get_user_model()
    return User.objects.create_user("writer"), User.objects.create_user("editor")


@pytest.fixture
def draft(newsroom, people):
    writer, _ = people
    return actions.create_story(headline="Quay opens", section=newsroom.section(), body="<p>One.</p>", by=writer)


def events(story):
    return [(e.action, e.user.username if e.user else None) for e in story.events.order_by("at", "id")]


def test_draft_review_publish_unpublish_and_back_records_who(draft, people):
    writer, editor = people
    actions.submit_for_review(draft, by=writer)
    actions.return_to_draft(draft, by=editor, note="Needs a second source")
    actions.submit_for_review(draft, by=writer)
    actions.publish_story(draft, by=editor)
    actions.unpublish_story(draft, by=editor)
    story = actions.publish_story(draft, by=editor)
    assert story.is_visible()
    assert events(story) == [("created", "writer"), ("submitted", "writer"), ("returned", "editor"),
                             ("submitted", "writer"), ("published", "editor"), ("unpublished", "editor"),
                             ("published", "editor")]


def test_a_scheduled_story_waits_for_its_time(draft, people):
    at = timezone.now() + timedelta(hours=3)
    story = actions.schedule_story(draft, at, by=people[1])
    assert story.desk_status == "scheduled" and not story.is_visible()
    assert story not in Story.objects.published()
    assert story in Story.objects.published(now=at)
    assert events(story)[-1] == ("scheduled", "editor")


def test_a_schedule_in_the_past_is_refused(draft):
    with pytest.raises(actions.WorkflowError, match="future"):
        actions.schedule_story(draft, timezone.now() - timedelta(minutes=1))


def test_embargoed_copy_cannot_go_out_early(draft):
    embargo = timezone.now() + timedelta(hours=2)
    actions.update_story(draft, embargo_until=embargo)
    with pytest.raises(actions.WorkflowError, match="embargo"):
        actions.publish_story(draft)
    with pytest.raises(actions.WorkflowError, match="embargo"):
        actions.schedule_story(draft, embargo - timedelta(minutes=5))
    assert actions.schedule_story(draft, embargo).published_at == embargo.replace(microsecond=0)


def test_images_need_alt_text_before_publishing(draft, settings, tmp_path):
    image = Image(alt_text="")
    image.file.save("x.jpg", ContentFile(draw("bars", 1)), save=False)
    image.save()
    actions.update_story(draft, lead_image=image)
    with pytest.raises(actions.WorkflowError, match="alt text"):
        actions.publish_story(draft)
    image.alt_text = "Bar chart of exports"
    image.save()
    actions.update_story(draft, body='<p>Text</p><img src="/media/y.jpg">')
    with pytest.raises(actions.WorkflowError, match="Every image"):
        actions.publish_story(draft)
    actions.update_story(draft, body='<p>Text</p><img src="/media/y.jpg" alt="A chart">')
    assert actions.publish_story(draft).is_visible()


def test_a_takedown_removes_the_story_and_leaves_a_tombstone(client, draft):
    story = actions.publish_story(draft)
    url = story.get_absolute_url()
    assert client.get(url).status_code == 200
    actions.kill_story(story, reason="Legal")
    response = client.get(url)
    assert response.status_code == 410 and "This story has been removed" in response.content.decode()
    assert story not in Story.objects.published()
    with pytest.raises(actions.WorkflowError):
        actions.publish_story(story)
    assert actions.reinstate_story(story).status == S.UNPUBLISHED


def test_every_save_keeps_a_revision_and_restore_brings_one_back(draft, people):
    writer, editor = people
    actions.update_story(draft, body="<p>Two.</p>", by=writer)
    actions.update_story(draft, headline="Quay opens at last", tags=["Ports"], by=editor)
    revisions = list(draft.revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2, 3]
    assert revisions[0].data["body"] == "<p>One.</p>" and revisions[2].data["tags"] == ["Ports"]
    story = actions.restore_revision(draft, revisions[0], by=editor)
    assert story.headline == "Quay opens" and story.body == "<p>One.</p>" and story.tags.count() == 0
    latest = story.revisions.first()
    assert latest.number == 4 and latest.kind == Revision.Kind.RESTORE and "revision 1" in latest.note


def test_saving_nothing_new_adds_no_revision(draft):
    actions.update_story(draft, body="<p>One.</p>")
    assert draft.revisions.count() == 1


def test_an_edit_on_top_of_a_newer_save_is_refused_and_kept(draft, people):
    writer, editor = people
    started = draft.version
    actions.update_story(draft, body="<p>Editor's version.</p>", by=editor, expected_version=started)
    with pytest.raises(actions.EditConflict) as refused:
        actions.update_story(draft, body="<p>Writer's version.</p>", by=writer, expected_version=started)
    draft.refresh_from_db()
    assert draft.body == "<p>Editor's version.</p>"
    kept = refused.value.kept
    assert kept.kind == Revision.Kind.CONFLICT and kept.data["body"] == "<p>Writer's version.</p>"
    assert kept.user == writer and "version 2" in str(refused.value)


def test_autosaves_do_not_flood_the_history(draft, people):
    writer, _ = people
    for i in range(5):
        actions.autosave(draft, writer, {"body": f"<p>Typing {i}</p>"}, draft.version)
    assert Autosave.objects.get(story=draft, user=writer).data["body"] == "<p>Typing 4</p>"
    assert draft.revisions.count() == 1
    actions.update_story(draft, body="<p>Typing 4</p>", by=writer)
    assert not Autosave.objects.filter(story=draft).exists()


def test_trash_hides_and_restore_brings_back_unpublished(draft):
    story = actions.publish_story(draft)
    actions.trash_story(story)
    story.refresh_from_db()
    assert story.deleted_at and story.status == S.UNPUBLISHED and story not in Story.objects.published()
    with pytest.raises(actions.WorkflowError, match="trash"):
        actions.publish_story(story)
    story = actions.restore_story(story)
    assert story.deleted_at is None and story.desk_status == S.UNPUBLISHED
    assert actions.publish_story(story).is_visible()


def test_only_drafts_go_to_review(draft):
    actions.publish_story(draft)
    with pytest.raises(actions.WorkflowError, match="Only drafts"):
        actions.submit_for_review(draft)
