"""The desk over HTTP: conflicts, autosave, revisions, previews, sign-in, lists, bad input."""

import json
import re
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from dateline.desk.views import PREVIEW_SALT
from dateline.news import actions
from dateline.news.models import Revision, Section, Story

from .conftest import PASSWORD
from .test_permissions import form_for


@pytest.fixture
def world(db):
    return actions.save_section(Section(name="World", slug="world"))


@pytest.fixture
def story(people, world):
    return actions.create_story(headline="Bridge reopens", section=world, body="<p>First.</p>", by=people["contributor"])


def test_a_second_save_on_an_old_version_is_refused_and_both_kept(client, people, story):
    client.force_login(people["editor"])
    first = client.post(f"/desk/{story.pk}/", form_for(story, body="<p>Editor's text.</p>"))
    assert first.status_code == 302
    client.force_login(people["contributor"])
    second = client.post(f"/desk/{story.pk}/", form_for(story, body="<p>Writer's text.</p>"))  # old version
    assert second.status_code == 409
    page = second.content.decode()
    assert "Someone else saved this story" in page and "Writer&#x27;s text" in page  # still in the form
    story.refresh_from_db()
    assert story.body == "<p>Editor's text.</p>"
    kept = story.revisions.get(kind=Revision.Kind.CONFLICT)
    assert kept.data["body"] == "<p>Writer's text.</p>" and kept.user == people["contributor"]


def test_autosave_keeps_one_copy_and_offers_it_back(client, people, story):
    client.force_login(people["contributor"])
    for n in range(3):
        r = client.post(f"/desk/{story.pk}/autosave/", json.dumps({"body": f"<p>Draft {n}</p>", "version": story.version}),
                        content_type="application/json")
        assert r.status_code == 200 and "saved_at" in r.json()
    assert story.autosaves.count() == 1 and story.revisions.count() == 1
    page = client.get(f"/desk/{story.pk}/").content.decode()
    assert "You have unsaved changes" in page and "Draft 2" in page
    bad = client.post(f"/desk/{story.pk}/autosave/", "not json", content_type="application/json")
    assert bad.status_code == 400


def test_revisions_compare_and_restore(client, people, story):
    client.force_login(people["editor"])
    client.post(f"/desk/{story.pk}/", form_for(story, body="<p>Second version of the text.</p>"))
    page = client.get(f"/desk/{story.pk}/revisions/compare/?a=1&b=2").content.decode()
    assert "<del>First.</del>" in page and "<ins>Second version of the text.</ins>" in page
    r = client.post(f"/desk/{story.pk}/revisions/1/restore/")
    assert r.status_code == 302
    story.refresh_from_db()
    assert story.body == "<p>First.</p>" and story.revisions.count() == 3
    assert client.get(f"/desk/{story.pk}/revisions/compare/?a=1&b=99").status_code == 404
    assert client.get(f"/desk/{story.pk}/revisions/compare/?a=x&b=1").status_code == 404


def test_the_body_is_sanitised_whatever_the_browser_sent(client, people, story):
    client.force_login(people["contributor"])
    evil = '<p onclick="x()">Hi</p><script>alert(1)</script><a href="javascript:alert(2)">link</a><img src=x onerror=alert(3)>'
    client.post(f"/desk/{story.pk}/", form_for(story, body=evil))
    story.refresh_from_db()
    assert "script" not in story.body and "onclick" not in story.body and "javascript:" not in story.body
    assert "onerror" not in story.body


def test_preview_shows_an_unpublished_story_to_the_desk_only(client, people, story):
    assert client.get(f"/desk/{story.pk}/preview/").status_code == 302  # to sign-in
    client.force_login(people["contributor"])
    page = client.get(f"/desk/{story.pk}/preview/").content.decode()
    assert "Bridge reopens" in page and "Preview: this is how the story will look" in page
    assert 'name="robots" content="noindex"' in page


def test_a_preview_link_works_without_an_account_and_expires(client, people, story, settings):
    client.force_login(people["editor"])
    r = client.post(f"/desk/{story.pk}/share/", follow=True)
    link = re.search(r'href="http://testserver(/desk/preview/[^"]+/)"', r.content.decode()).group(1)
    client.logout()
    shared = client.get(link)
    assert shared.status_code == 200 and "Bridge reopens" in shared.content.decode()
    assert shared["X-Robots-Tag"] == "noindex, nofollow"
    settings.DATELINE = {**settings.DATELINE, "PREVIEW_LINK_HOURS": 0}
    import time
    time.sleep(1.1)
    assert client.get(link).status_code == 410
    assert client.get("/desk/preview/forged-token/").status_code == 404


def test_a_contributor_cannot_make_preview_links(client, people, story):
    client.force_login(people["contributor"])
    assert client.post(f"/desk/{story.pk}/share/").status_code == 403


def test_repeated_failed_sign_ins_are_refused_for_a_while(client, people):
    for _ in range(5):
        r = client.post("/desk/login/", {"username": "eddie", "password": "wrong"})
        assert r.status_code == 200 and "Please enter a correct" in r.content.decode()
    r = client.post("/desk/login/", {"username": "eddie", "password": PASSWORD})
    assert r.status_code == 429 and "Too many failed sign-ins" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_takes_you_to_the_desk(client, people):
    r = client.post("/desk/login/", {"username": "eddie", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/desk/"
    assert client.get("/desk/").status_code == 200


def test_the_list_filters_and_flags_overdue(client, people, world):
    other = actions.save_section(Section(name="Sport", slug="sport", position=1))
    review = actions.create_story(headline="Waiting in review", section=world, by=people["contributor"])
    actions.submit_for_review(review)
    Story.objects.filter(pk=review.pk).update(modified_at=timezone.now() - timedelta(hours=9))
    live = actions.publish_story(actions.create_story(headline="Live sport story", section=other))
    scheduled = actions.schedule_story(actions.create_story(headline="Tomorrow's story", section=world),
                                       timezone.now() + timedelta(days=1))
    trashed = actions.trash_story(actions.create_story(headline="Binned story", section=world))
    client.force_login(people["editor"])

    def headlines(query):
        page = client.get("/desk/" + query).content.decode()
        return set(re.findall(r'<a href="/desk/\d+/">([^<]+)</a>', page))

    assert headlines("") >= {"Waiting in review", "Live sport story", "Tomorrow&#x27;s story"}
    assert "Binned story" not in headlines("")
    assert headlines("?status=trash") == {"Binned story"}
    assert headlines("?status=scheduled") == {"Tomorrow&#x27;s story"}
    assert headlines("?status=published") == {"Live sport story"}
    assert headlines("?status=overdue") == {"Waiting in review"}
    assert headlines("?section=sport") == {"Live sport story"}
    assert headlines("?q=sport") == {"Live sport story"}
    assert "1 story overdue" in client.get("/desk/").content.decode()
    assert live and scheduled and trashed


@pytest.mark.parametrize("query,status", [
    ("?status=bogus", 400), ("?from=2026-13-40", 400), ("?from=yesterday", 400), ("?page=abc", 404), ("?page=0", 404),
])
def test_bad_list_filters_get_a_clear_answer(client, people, query, status):
    client.force_login(people["editor"])
    r = client.get("/desk/" + query)
    assert r.status_code == status


def test_scheduling_in_the_past_is_refused_with_a_message(client, people, story):
    client.force_login(people["editor"])
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(f"/desk/{story.pk}/schedule/", {"at": past})
    assert r.status_code == 400 and "future" in r.content.decode()
    assert Story.objects.get(pk=story.pk).status == Story.Status.DRAFT


def test_publishing_under_embargo_is_refused_with_a_message(client, people, story):
    actions.update_story(story, embargo_until=timezone.now() + timedelta(hours=5))
    client.force_login(people["editor"])
    r = client.post(f"/desk/{story.pk}/publish/")
    assert r.status_code == 400 and "under embargo" in r.content.decode()
    assert not Story.objects.get(pk=story.pk).is_visible()


def test_an_unknown_author_is_a_form_error_not_a_crash(client, people, story):
    client.force_login(people["contributor"])
    r = client.post(f"/desk/{story.pk}/", form_for(story, authors="Nobody Atall"))
    assert r.status_code == 400 and "No author called Nobody Atall" in r.content.decode()


def test_corrections_from_the_desk_appear_on_the_story(client, people, story):
    actions.publish_story(story, at=timezone.now() - timedelta(hours=1))
    client.force_login(people["editor"])
    r = client.post(f"/desk/{story.pk}/correct/", {"kind": "correction", "text": "The bridge is in Wexley."})
    assert r.status_code == 302
    client.logout()
    page = client.get(story.get_absolute_url()).content.decode()
    assert "The bridge is in Wexley." in page and "Updated" in page


def test_picks_order_and_windows(client, people, world):
    a, b = (actions.publish_story(actions.create_story(headline=h, section=world)) for h in ("Pick A", "Pick B"))
    client.force_login(people["editor"])
    client.post("/desk/picks/", {"story": a.pk})
    client.post("/desk/picks/", {"story": b.pk})
    ids = [p.pk for p in reversed(list(a.picks.all()) + list(b.picks.all()))]
    client.post("/desk/picks/", {"order": "1", "pick": [str(i) for i in ids]})
    from dateline.public.blocks import dont_miss
    assert dont_miss()[:2] == [b, a]
    r = client.post("/desk/picks/", {"story": a.pk, "starts_at": "2026-12-02T10:00", "ends_at": "2026-12-01T10:00"})
    assert r.status_code == 400 and "must end after it starts" in r.content.decode()


def test_a_shared_link_for_a_trashed_story_is_dead(client, people, story):
    token = signing.dumps({"story": story.pk, "v": 1}, salt=PREVIEW_SALT, compress=True)
    actions.trash_story(story)
    assert client.get(f"/desk/preview/{token}/").status_code == 404
