"""Django's admin: stories, picks, sections and images are read-only there (the desk
changes them through news.actions); authors, tags and sources are edited there."""

import pytest
from django.contrib.auth import get_user_model

from dateline.news.models import Author, Story


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "a long admin password")
    client.force_login(user)
    return client


def test_stories_can_be_read_but_not_changed_in_the_admin(admin_client, newsroom):
    story = newsroom.story(newsroom.section("World"), "Harbour cranes return to work")
    assert admin_client.get("/admin/news/story/").status_code == 200
    page = admin_client.get(f"/admin/news/story/{story.pk}/change/")
    assert page.status_code == 200 and b"Harbour cranes return to work" in page.content
    assert admin_client.get("/admin/news/story/add/").status_code == 403
    changed = admin_client.post(f"/admin/news/story/{story.pk}/change/", {"headline": "Rewritten behind the desk"})
    assert changed.status_code == 403
    assert admin_client.post(f"/admin/news/story/{story.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Story.objects.get(pk=story.pk).headline == "Harbour cranes return to work"
    for name in ("section", "pick", "image"):
        assert admin_client.get(f"/admin/news/{name}/").status_code == 200, name
        assert admin_client.get(f"/admin/news/{name}/add/").status_code == 403, name


def test_an_author_is_renamed_in_the_admin(admin_client, newsroom):
    ada = newsroom.author("Ada Reporter")
    response = admin_client.post(f"/admin/news/author/{ada.pk}/change/",
                                 {"name": "Ada M. Reporter", "slug": "ada-reporter", "bio": ""})
    assert response.status_code == 302, response.content[:2000]
    assert Author.objects.get(pk=ada.pk).name == "Ada M. Reporter"
