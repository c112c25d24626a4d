"""Every role × every desk action, over HTTP, including POSTs no page would offer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.news import actions
from dateline.news.models import Pick, Section, Story

ROLES = ["anonymous", "reader", "contributor", "editor", "admin"]

# action -> roles allowed
MATRIX = {
    "create": {"contributor", "editor", "admin"},
    "edit own": {"contributor", "editor", "admin"},
    "edit other's": {"editor", "admin"},
    "submit": {"contributor", "editor", "admin"},
    "publish": {"editor", "admin"},
    "schedule": {"editor", "admin"},
    "unpublish": {"editor", "admin"},
    "delete": {"editor", "admin"},
    "restore": {"editor", "admin"},
    "take down": {"editor", "admin"},
    "manage picks": {"editor", "admin"},
    "manage sections": {"editor", "admin"},
}


@pytest.fixture
def world(db):
    return actions.save_section(Section(name="World", slug="world"))


def draft_of(user, world, headline="A draft"):
    return actions.create_story(headline=headline, section=world, body="<p>Text.</p>", by=user)


def form_for(story, **changes):
    data = {"headline": story.headline, "slug": story.slug, "standfirst": "", "body": story.body, "summary": "",
            "section": story.section_id, "version": story.version, "authors": "", "tags": "",
            "credits-TOTAL_FORMS": "0", "credits-INITIAL_FORMS": "0"}
    data.update(changes)
    return data


def attempt(client, action, actor, people, world):
    """Performs ``action`` as the signed-in client; returns (response, check) where
    check() tells whether the change really happened."""
    owner = actor if actor is not None and actor.is_staff else people["other"]
    own = draft_of(owner, world, "Own story")
    others = draft_of(people["other"], world, "Someone else's story")
    if action == "create":
        r = client.post("/desk/new/", form_for(own, headline="Brand new story", slug=""))
        return r, lambda: Story.objects.filter(headline="Brand new story").exists()
    if action == "edit own":
        r = client.post(f"/desk/{own.pk}/", form_for(own, headline="Own story, edited"))
        return r, lambda: Story.objects.get(pk=own.pk).headline == "Own story, edited"
    if action == "edit other's":
        r = client.post(f"/desk/{others.pk}/", form_for(others, headline="Hijacked"))
        return r, lambda: Story.objects.get(pk=others.pk).headline == "Hijacked"
    if action == "submit":
        r = client.post(f"/desk/{own.pk}/submit/")
        return r, lambda: Story.objects.get(pk=own.pk).status == Story.Status.REVIEW
    if action == "publish":
        r = client.post(f"/desk/{others.pk}/publish/")
        return r, lambda: Story.objects.get(pk=others.pk).is_visible()
    if action == "schedule":
        at = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        r = client.post(f"/desk/{others.pk}/schedule/", {"at": at})
        return r, lambda: Story.objects.get(pk=others.pk).desk_status == "scheduled"
    if action == "unpublish":
        actions.publish_story(others)
        r = client.post(f"/desk/{others.pk}/unpublish/")
        return r, lambda: Story.objects.get(pk=others.pk).status == Story.Status.UNPUBLISHED
    if action == "delete":
        r = client.post(f"/desk/{others.pk}/trash/")
        return r, lambda: Story.objects.get(pk=others.pk).deleted_at is not None
    if action == "restore":
        actions.trash_story(others)
        r = client.post(f"/desk/{others.pk}/restore/")
        return r, lambda: Story.objects.get(pk=others.pk).deleted_at is None
    if action == "take down":
        actions.publish_story(others)
        r = client.post(f"/desk/{others.pk}/kill/", {"reason": "test"})
        return r, lambda: Story.objects.get(pk=others.pk).status == Story.Status.KILLED
    if action == "manage picks":
        actions.publish_story(others)
        r = client.post("/desk/picks/", {"story": others.pk})
        return r, lambda: Pick.objects.filter(story=others).exists()
    if action == "manage sections":
        r = client.post("/desk/sections/", {"name": "Opinion", "slug": "opinion", "position": 3, "description": ""})
        return r, lambda: Section.objects.filter(slug="opinion").exists()
    raise AssertionError(action)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_permission_matrix(client, people, world, role, action):
    actor = people.get(role)
    if actor is not None:
        client.force_login(actor)
    response, happened = attempt(client, action, actor, people, world)
    if role in MATRIX[action]:
        assert response.status_code == 302, (response.status_code, response.content[:300])
        assert happened()
    else:
        assert not happened()
        if role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith("/desk/login/")
        else:
            assert response.status_code == 403


def test_a_contributor_cannot_edit_their_own_story_once_published(client, people, world):
    story = draft_of(people["contributor"], world)
    actions.publish_story(story)
    client.force_login(people["contributor"])
    response = client.post(f"/desk/{story.pk}/", form_for(story, headline="Changed after publishing"))
    assert response.status_code == 403
    assert Story.objects.get(pk=story.pk).headline == "A draft"


def test_a_contributor_sees_no_publish_button(client, people, world):
    story = draft_of(people["contributor"], world)
    client.force_login(people["contributor"])
    page = client.get(f"/desk/{story.pk}/").content.decode()
    assert "Send for review" in page and "Publish now" not in page and "Take down" not in page


def test_an_editor_sees_the_workflow(client, people, world):
    story = draft_of(people["contributor"], world)
    client.force_login(people["editor"])
    page = client.get(f"/desk/{story.pk}/").content.decode()
    assert "Publish now" in page and "Schedule" in page and "Move to trash" in page
