"""The library's desk pages over HTTP: who may use them, and what they do."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dateline.media import actions
from dateline.news.models import Image

from .conftest import photo

PAGES = {
    "library": ("/desk/media/", "news.view_image"),
    "pick": ("/desk/media/pick/", "news.view_image"),
    "upload": ("/desk/media/upload/", "news.add_image"),
    "edit": ("/desk/media/{pk}/", "news.change_image"),
}


def make(alt="Boats in a harbour", caption="", size=(640, 360), name="boats.jpg"):
    return actions.upload_image(SimpleUploadedFile(name, photo(size)), alt_text=alt, caption=caption)


@pytest.fixture
def image(db):
    return make()


@pytest.mark.parametrize("page", PAGES)
def test_someone_signed_out_is_sent_to_sign_in(client, image, settings, page):
    url = PAGES[page][0].format(pk=image.pk)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL) and "next=" in response["Location"]


@pytest.mark.parametrize("page", PAGES)
def test_a_reader_account_with_the_permission_but_not_staff_is_refused(client, cast, image, page):
    url, perm = PAGES[page]
    client.force_login(cast.user(perm, staff=False))
    assert client.get(url.format(pk=image.pk)).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_staff_without_the_permission_are_refused(client, cast, image, page):
    url, perm = PAGES[page]
    others = [p for _, p in PAGES.values() if p != perm]
    client.force_login(cast.user(*others))
    assert client.get(url.format(pk=image.pk)).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_staff_with_the_permission_get_the_page(client, cast, image, page):
    url, perm = PAGES[page]
    client.force_login(cast.user(perm))
    assert client.get(url.format(pk=image.pk)).status_code == 200


def test_staff_without_add_image_cannot_post_an_upload(client, cast, media_root):
    client.force_login(cast.user("news.view_image", "news.change_image"))
    response = client.post("/desk/media/upload/", {"file": SimpleUploadedFile("a.jpg", photo()), "alt_text": "A"})
    assert response.status_code == 403 and Image.objects.count() == 0


def test_an_upload_without_the_csrf_token_is_refused(cast, media_root):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.editor())
    form = client.get("/desk/media/upload/")
    assert b'name="csrfmiddlewaretoken"' in form.content and b'enctype="multipart/form-data"' in form.content
    response = client.post("/desk/media/upload/", {"file": SimpleUploadedFile("a.jpg", photo()), "alt_text": "A"})
    assert response.status_code == 403 and Image.objects.count() == 0


def test_an_upload_with_the_csrf_token_goes_through(cast, media_root):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.editor())
    client.get("/desk/media/upload/")
    token = client.cookies["csrftoken"].value
    response = client.post("/desk/media/upload/", {"file": SimpleUploadedFile("a.jpg", photo()), "alt_text": "A",
                                                   "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and Image.objects.count() == 1


def test_the_library_lists_newest_first_and_pages_through(desk, db):
    images = [make(alt=f"Picture {i}", size=(120, 80)) for i in range(26)]
    first = desk.get("/desk/media/")
    page = first.context["page"]
    assert [i.pk for i in page.object_list] == [i.pk for i in reversed(images)][:24]
    assert page.paginator.num_pages == 2
    second = desk.get("/desk/media/?page=2")
    assert [i.pk for i in second.context["page"].object_list] == [images[1].pk, images[0].pk]
    assert desk.get("/desk/media/?page=99").status_code == 200  # a stale link shows the last page
    assert desk.get("/desk/media/?page=x").status_code == 200


def test_the_library_searches_alt_text_captions_and_credits(desk, db):
    make(alt="Fishing boats at the quay")
    make(alt="A council meeting", caption="Councillors vote on the harbour plan")
    make(alt="Rain over the hills")
    found = desk.get("/desk/media/?q=harbour").context["page"].object_list
    assert [i.caption for i in found] == ["Councillors vote on the harbour plan"]
    found = desk.get("/desk/media/?q=BOATS").context["page"].object_list
    assert [i.alt_text for i in found] == ["Fishing boats at the quay"]
    response = desk.get("/desk/media/?q=volcano")
    assert "No images match" in response.content.decode()


def test_the_library_shows_thumbnails_from_renditions(desk, image):
    html = desk.get("/desk/media/").content.decode()
    assert 'srcset="/media/renditions/' in html
    # The card's link names the image; the thumbnail beside the words would only repeat them.
    assert 'alt=""' in html and '<span class="media-card__alt">Boats in a harbour</span>' in html
    assert f'href="/desk/media/{image.pk}/"' in html


def test_the_picker_answers_json_with_recent_images(desk, db):
    older = make(alt="Old pier", size=(300, 200))
    newer = make(alt="New bridge", size=(1600, 900))
    data = desk.get("/desk/media/pick/").json()["results"]
    assert [r["id"] for r in data] == [newer.pk, older.pk]
    first = data[0]
    assert first["alt"] == "New bridge"
    assert first["thumbnail"].startswith("/media/renditions/") and first["thumbnail"].endswith("-480w.webp")
    assert first["url"].endswith("-1200w.jpg") and (first["width"], first["height"]) == (1200, 675)
    assert [r["id"] for r in desk.get("/desk/media/pick/?q=pier").json()["results"]] == [older.pk]


def test_editing_alt_text_caption_credit_and_focal_point(desk, image):
    response = desk.post(f"/desk/media/{image.pk}/", {
        "alt_text": "  Two fishing boats   at dawn ", "caption": "Dawn at the quay", "credit": "Ada Reporter",
        "focal_x": "0.25", "focal_y": "0.7",
    })
    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.alt_text, image.caption, image.credit) == ("Two fishing boats at dawn", "Dawn at the quay",
                                                              "Ada Reporter")
    assert (image.focal_x, image.focal_y) == (0.25, 0.7)
    page = desk.get(f"/desk/media/{image.pk}/").content.decode()
    assert "Saved." in page and 'value="0.25"' in page and "object-position: 25% 70%" in page


def test_a_focal_point_off_the_image_is_refused(desk, image):
    response = desk.post(f"/desk/media/{image.pk}/", {"alt_text": "Boats", "caption": "", "credit": "",
                                                      "focal_x": "1.5", "focal_y": "-1"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "focal_x" in errors and "focal_y" in errors
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y, image.alt_text) == (0.5, 0.5, "Boats in a harbour")


def test_editing_sends_image_changed_with_what_changed(image):
    from dateline.media import signals

    seen = []
    signals.image_changed.connect(lambda sender, image, changed, **kw: seen.append(changed), weak=False,
                                  dispatch_uid="test-seen")
    try:
        actions.update_image(image, alt_text="Boats in a harbour", caption="New caption")
        actions.update_image(image, caption="New caption")
    finally:
        signals.image_changed.disconnect(dispatch_uid="test-seen")
    assert seen == [{"caption"}]


def test_an_unknown_image_is_404(desk, db):
    assert desk.get("/desk/media/999999/").status_code == 404
