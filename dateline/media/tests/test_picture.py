"""How readers get images: <picture> with renditions, from fields already loaded."""

import io
import re
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template.loader import render_to_string

from dateline.media import actions
from dateline.news.models import Image, Story

from .conftest import files_under, photo


def render(image, **context):
    return render_to_string("public/blocks/picture.html", {"image": image, **context})


def old_row(alt="An older image", size=(1000, 600)):
    """An image stored before renditions existed: just the file."""
    image = Image(alt_text=alt)
    image.file.save("old.jpg", ContentFile(photo(size)), save=False)
    image.save()
    return image


@pytest.fixture
def image(db):
    return actions.upload_image(SimpleUploadedFile("boats.jpg", photo((1600, 900))), alt_text="Boats & “ships”")


def attrs(html, tag):
    found = re.search(rf"<{tag}\b([^>]*)>", html)
    assert found, f"no <{tag}> in {html}"
    return dict(re.findall(r'([a-z-]+)="([^"]*)"', found.group(1)))


def test_picture_offers_webp_then_a_jpeg_srcset_with_sizes_and_dimensions(image):
    html = render(image, sizes="(min-width: 60rem) 22rem, 100vw", lazy=True)
    assert html.strip().startswith("<picture>") and html.strip().endswith("</picture>")
    source, img = attrs(html, "source"), attrs(html, "img")
    assert source["type"] == "image/webp"
    assert re.fullmatch(r"/media/renditions/\S+-480w\.webp 480w, \S+-800w\.webp 800w, \S+-1200w\.webp 1200w",
                        source["srcset"])
    assert source["sizes"] == img["sizes"] == "(min-width: 60rem) 22rem, 100vw"
    assert re.fullmatch(r"\S+-480w\.jpg 480w, \S+-800w\.jpg 800w, \S+-1200w\.jpg 1200w", img["srcset"])
    assert img["src"].endswith("-1200w.jpg")
    assert (img["width"], img["height"]) == ("1200", "675")
    assert img["alt"] == "Boats &amp; “ships”"
    assert img["loading"] == "lazy" and img["decoding"] == "async" and "fetchpriority" not in img
    assert "style" not in img  # centred: CSS's default needs no help


def test_the_lead_image_loads_first_and_a_focal_point_moves_the_crop(image):
    actions.update_image(image, focal_x=0.2, focal_y=0.75)
    img = attrs(render(image, lazy=False), "img")
    assert img["fetchpriority"] == "high" and "loading" not in img
    assert img["style"] == "object-position: 20% 75%"
    assert attrs(render(image), "img")["loading"] == "lazy"  # unless told otherwise, below the fold


def test_an_image_without_renditions_falls_back_to_its_original(db):
    image = old_row()
    html = render(image, lazy=True)
    img = attrs(html, "img")
    assert "<source" not in html and "srcset" not in img and "sizes" not in img
    assert img["src"] == image.file.url and (img["width"], img["height"]) == ("1000", "600")


def test_teasers_draw_their_images_without_a_query(newsroom, image, django_assert_num_queries):
    world = newsroom.section("World")
    for n in range(3):
        newsroom.story(world, f"Pictured story {n}", lead_image=image)
    stories = list(Story.objects.published().teasers())
    with django_assert_num_queries(0):
        for story in stories:
            render(story.lead_image, lazy=True)


def test_the_story_page_draws_the_lead_image_from_renditions(client, newsroom, image):
    story = newsroom.story(newsroom.section("World"), "Harbour reopens", lead_image=image)
    html = client.get(story.get_absolute_url()).content.decode()
    lead = html[html.index('<figure class="lead-image">'):]
    assert '<source type="image/webp" srcset="/media/renditions/' in lead
    img = attrs(lead, "img")
    assert img["fetchpriority"] == "high" and img["width"] == "1200" and img["height"] == "675"
    assert img["sizes"] == "(min-width: 44rem) 42rem, calc(100vw - 2rem)"


def test_reader_and_desk_pages_with_renditions_are_valid_html(client, desk, newsroom, image, tmp_path):
    from dateline.public.tests.test_html_valid import vnu_or_skip

    vnu = vnu_or_skip()
    actions.update_image(image, focal_x=0.3, focal_y=0.4, caption="Boats", credit="Dateline")
    world = newsroom.section("World")
    stories = [newsroom.story(world, f"Harbour story {i}", hours_ago=5 - i, lead_image=image) for i in range(4)]
    reader = [client.get(url) for url in ["/", "/world/", stories[-1].get_absolute_url()]]
    refused = desk.post("/desk/media/upload/", {"file": SimpleUploadedFile("x.jpg", b"not really"), "alt_text": ""})
    pages = reader + [desk.get("/desk/media/"), desk.get("/desk/media/upload/"), refused,
                      desk.get(f"/desk/media/{image.pk}/")]
    paths = []
    for n, response in enumerate(pages):
        assert response.status_code in (200, 400)
        paths.append(tmp_path / f"page{n}.html")
        paths[-1].write_bytes(response.content)
    result = subprocess.run(["java", "-jar", str(vnu), "--errors-only", *map(str, paths)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_older_images_get_renditions_from_the_command(db, media_root):
    image = old_row(size=(900, 500))
    call_command("renditions", stdout=(out := io.StringIO()))
    assert "Made renditions for 1 image." in out.getvalue()
    image.refresh_from_db()
    assert sorted({r["width"] for r in image.renditions}) == [480, 800, 900]
    call_command("renditions", stdout=(out := io.StringIO()))
    assert "Made renditions for 0 images." in out.getvalue()


def test_deleting_an_image_removes_its_files_once_committed(image, media_root, django_capture_on_commit_callbacks):
    assert files_under(media_root)
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert files_under(media_root) == []
