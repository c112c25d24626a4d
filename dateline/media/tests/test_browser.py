"""Images in Debian's Chromium (the shared ``browser`` fixture): readers get a WebP rendition, and an editor
sets the focal point by clicking the picture."""

import mimetypes
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from dateline.conftest import Newsroom
from dateline.media import actions
from dateline.news.models import Image

from .conftest import Cast, photo

pytestmark = [pytest.mark.browser]


def serve_media_from_tmp(page, base):
    """Tests keep media in a temporary MEDIA_ROOT; answer /media/ from there,
    as nginx would in production."""
    root = Path(settings.MEDIA_ROOT)

    def fulfil(route):
        path = root / route.request.url[len(base) + len("/media/"):].split("?")[0]
        if path.is_file():
            route.fulfill(status=200, body=path.read_bytes(),
                          headers={"Content-Type": mimetypes.guess_type(path.name)[0] or "application/octet-stream"})
        else:
            route.fulfill(status=404, body="")

    page.route(base + "/media/**", fulfil)


def shoot(page, name):
    """Keep a screenshot when DATELINE_SCREENSHOTS names a folder, as the reader tests do."""
    folder = os.environ.get("DATELINE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def pictured(transactional_db):
    room = Newsroom()
    world = room.section("World")
    image = actions.upload_image(SimpleUploadedFile("quay.jpg", photo((1600, 900))), alt_text="Cranes on the quay",
                                 caption="The new quay", credit="Ada Reporter")
    stories = [room.story(world, f"Quay story {i}", hours_ago=5 - i, lead_image=image) for i in range(3)]
    return dict(image=image, story=stories[-1])


def test_a_reader_gets_a_webp_rendition_sized_for_the_column_and_no_axe_violations(browser, live_server, pictured):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    serve_media_from_tmp(page, live_server.url)
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(live_server.url + pictured["story"].get_absolute_url())
    lead = page.locator(".lead-image img")
    lead.evaluate("img => img.complete || new Promise(done => img.addEventListener('load', done))")
    current = lead.evaluate("img => img.currentSrc")
    assert current.endswith("-800w.webp")  # a 42rem column at 1× needs the 800-pixel one
    assert lead.evaluate("img => img.naturalWidth") > 0  # decoded, not a broken image
    box = lead.bounding_box()
    assert abs(box["width"] / box["height"] - 16 / 9) < 0.02  # width and height attributes hold the shape
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in Axe().run(page).response["violations"]]
    assert violations == []
    assert errors == []
    shoot(page, "media-story")
    context.close()


def test_an_editor_clicks_the_picture_to_set_the_focal_point_on_accessible_pages(browser, live_server, pictured, client):
    editor = Cast().editor()
    client.force_login(editor)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    page = context.new_page()
    serve_media_from_tmp(page, live_server.url)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    image = pictured["image"]
    page.goto(f"{live_server.url}/desk/media/{image.pk}/")
    picture = page.locator(".focal__frame img")
    picture.evaluate("img => img.complete || new Promise(done => img.addEventListener('load', done))")
    box = picture.bounding_box()
    picture.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.75})
    assert abs(float(page.locator("#id_focal_x").input_value()) - 0.25) < 0.01
    assert abs(float(page.locator("#id_focal_y").input_value()) - 0.75) < 0.01
    assert page.locator(".focal__marker").is_visible()
    shoot(page, "media-focal-picker")
    assert page.locator(".focal__preview").evaluate("el => getComputedStyle(el).objectPosition").startswith("25")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/desk/media/{image.pk}/")
    assert page.get_by_text("Saved.").is_visible()
    from axe_playwright_python.sync_playwright import Axe

    for url in ["/desk/media/", f"/desk/media/{image.pk}/", "/desk/media/upload/"]:
        page.goto(live_server.url + url)
        violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in Axe().run(page).response["violations"]]
        assert violations == [], url
        shoot(page, "media-" + url.strip("/").replace("/", "-"))
    image = Image.objects.get(pk=image.pk)
    assert abs(image.focal_x - 0.25) < 0.01 and abs(image.focal_y - 0.75) < 0.01
    assert errors == []
    context.close()
