"""The ingest desk over HTTP: who may see it, one-click stories, CSRF, and the page-import form."""

import re

import pytest
from django.test import Client

from dateline.ingest import wires
from dateline.ingest.models import WireItem
from dateline.news.models import Story

COPY = ("<p>The regional water board will raise charges for households by six per cent from April, its chair told "
        "councillors on Wednesday, blaming the cost of replacing pipes laid more than a century ago.</p>"
        "<p>Farmers in the valley, who pay a separate tariff, will see no change until the autumn review.</p>")


@pytest.fixture
def item(db):
    copy = wires.WireCopy(guid="mpa-1", headline="Water charges to rise", body=COPY, format="ninjs",
                          summary="Households pay six per cent more.", url="https://meridian.example/mpa-1")
    return wires.receive(copy, wires.agency_named("Meridian Press Agency"))[0]


def csrf_token(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.parametrize("method, url", [
    ("get", "/desk/ingest/wires/"), ("post", "/desk/ingest/wires/{pk}/use/"), ("get", "/desk/ingest/page/"),
])
def test_anonymous_visitors_are_sent_to_log_in(client, item, method, url):
    response = getattr(client, method)(url.format(pk=item.pk))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Story.objects.exists()


@pytest.mark.parametrize("method, url", [
    ("get", "/desk/ingest/wires/"), ("post", "/desk/ingest/wires/{pk}/use/"), ("get", "/desk/ingest/page/"),
])
def test_people_who_are_not_staff_are_refused(client, item, reader, method, url):
    client.force_login(reader)
    assert getattr(client, method)(url.format(pk=item.pk)).status_code == 403
    assert not Story.objects.exists()


def test_staff_without_the_right_to_add_stories_see_the_queue_but_cannot_use_it(client, item, intern):
    client.force_login(intern)
    response = client.get("/desk/ingest/wires/")
    assert response.status_code == 200 and "Water charges to rise" in response.content.decode()
    assert "Make a story" not in response.content.decode()
    assert client.post(f"/desk/ingest/wires/{item.pk}/use/").status_code == 403
    assert client.get("/desk/ingest/page/").status_code == 403


def test_an_editor_makes_a_story_in_one_click_with_csrf(item, editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    page = client.get("/desk/ingest/wires/")
    assert page.status_code == 200 and "no-cache" in page["Cache-Control"]
    assert client.post(f"/desk/ingest/wires/{item.pk}/use/").status_code == 403  # no token
    response = client.post(f"/desk/ingest/wires/{item.pk}/use/", {"csrfmiddlewaretoken": csrf_token(page)})
    story = Story.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{story.pk}/")
    assert story.status == Story.Status.DRAFT and story.canonical_url == "https://meridian.example/mpa-1"
    assert story.credits.get().source.name == "Meridian Press Agency"
    item.refresh_from_db()
    assert item.status == WireItem.Status.USED and item.used_by == editor
    assert client.get(f"/desk/ingest/wires/{item.pk}/use/").status_code == 405


def test_discarding_takes_an_item_off_the_queue(client, item, editor):
    client.force_login(editor)
    assert client.post(f"/desk/ingest/wires/{item.pk}/discard/").status_code == 302
    item.refresh_from_db()
    assert item.status == WireItem.Status.DISCARDED
    row = f'id="wire-{item.pk}"'
    assert row not in client.get("/desk/ingest/wires/").content.decode()
    assert row in client.get("/desk/ingest/wires/?status=discarded").content.decode()


def test_the_queue_flags_copy_already_in_the_archive_with_a_link(client, item, editor, newsroom):
    story = newsroom.story(newsroom.section(), "Water charges up six per cent", paragraphs=[
        re.sub("<[^>]+>", "", p) for p in COPY.split("</p>") if p])
    client.force_login(editor)
    html = client.get("/desk/ingest/wires/").content.decode()
    assert "Already here:" in html and f'href="/desk/{story.pk}/"' in html


def test_the_queue_shows_embargo_and_withdrawn_copy(client, editor, db):
    from datetime import datetime, timezone

    agency = wires.agency_named("Harbour Wire")
    wires.receive(wires.WireCopy(guid="e-1", headline="Embargoed report on fish stocks", body=COPY, format="ninjs",
                                 embargo=datetime(2031, 1, 1, 6, 0, tzinfo=timezone.utc)), agency)
    wires.receive(wires.WireCopy(guid="k-1", headline="Killed item", body=COPY, format="ninjs", withdrawn=True),
                  agency)
    client.force_login(editor)
    html = client.get("/desk/ingest/wires/").content.decode()
    assert "Embargo</span> until" in html and "2031" in html
    assert "Withdrawn" in html and "do not use it" in html


def test_the_page_form_previews_flags_duplicates_and_creates_a_draft(client, editor, newsroom, fixtures):
    text = (fixtures / "page-scraped.txt").read_text()
    client.force_login(editor)
    assert client.get("/desk/ingest/page/").status_code == 200
    preview = client.post("/desk/ingest/page/", {"text": text, "action": "preview"})
    html = preview.content.decode()
    assert preview.status_code == 200 and "Lowmoor council backs plan for a solar farm" in html
    assert "Previous Story" not in html.split("What was found")[1] and "This copy is already here" not in html
    assert not Story.objects.exists()

    created = client.post("/desk/ingest/page/", {"text": text, "action": "create", "source": "Fenwick Courier"})
    story = Story.objects.get()
    assert created.status_code == 302 and story.credits.get().source.name == "Fenwick Courier"
    again = client.post("/desk/ingest/page/", {"text": text, "action": "preview"})
    assert "This copy is already here" in again.content.decode() and f'href="/desk/{story.pk}/"' in (
        again.content.decode())


def test_the_page_form_refuses_bad_input_with_a_400(client, editor):
    client.force_login(editor)
    assert client.post("/desk/ingest/page/", {"action": "preview"}).status_code == 400
    response = client.post("/desk/ingest/page/", {"url": "http://127.0.0.1:8000/admin/", "action": "preview"})
    assert response.status_code == 400 and "private or local network" in response.content.decode()
    response = client.post("/desk/ingest/page/", {"text": "Home\nMenu", "action": "create"})
    assert response.status_code == 400 and "no headline or no body" in response.content.decode()


def test_an_uploaded_page_can_be_previewed_then_created(client, editor, fixtures):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(editor)
    upload = SimpleUploadedFile("page.html", (fixtures / "page-article.html").read_bytes(), "text/html")
    preview = client.post("/desk/ingest/page/", {"file": upload, "action": "preview"})
    html = preview.content.decode()
    assert preview.status_code == 200 and "Mira Tamsin" in html and "2023" in html
    assert "courier.example.net/region/harbour-pilots-strike" in html


def test_the_admin_lists_wires_queue_and_imports(client, item, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(admin)
    for url in ("/admin/ingest/wire/", "/admin/ingest/wireitem/", "/admin/ingest/importeditem/",
                f"/admin/ingest/wireitem/{item.pk}/change/"):
        assert client.get(url).status_code == 200, url
