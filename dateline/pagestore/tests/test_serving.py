"""Stored pages over HTTP, through the real WSGI wrapper: hits, 304s, gzip, who gets what."""

import gzip

import pytest
from django.db import connection
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext

from dateline.news import actions


@pytest.fixture
def site(transactional_db, newsroom):
    world = newsroom.section("World")
    sport = newsroom.section("Sport", position=1)
    ada = newsroom.author("Ada Reporter")
    stories = [newsroom.story(world, f"World story {i}", hours_ago=20 - i, authors=[ada], tags=["Ports"])
               for i in range(6)]
    match = newsroom.story(sport, "Cup final tonight", hours_ago=2, tags=["Ports"])
    actions.add_pick(stories[0])
    return dict(world=world, sport=sport, stories=stories, match=match, ada=ada)


class Templates:
    def __init__(self):
        self.rendered = []

    def __enter__(self):
        template_rendered.connect(self.record)
        return self

    def record(self, sender, template, **kwargs):
        self.rendered.append(template.name)

    def __exit__(self, *exc):
        template_rendered.disconnect(self.record)


def test_a_page_is_rendered_once_then_served_without_database_or_templates(web, site, store):
    url = site["stories"][2].get_absolute_url()
    first = web.get(url)
    assert first.status == 200 and first["X-Page-Store"] == "miss"
    assert url in store.keys()
    with CaptureQueriesContext(connection) as queries, Templates() as templates:
        again = web.get(url)
    assert again.status == 200 and again["X-Page-Store"] == "hit"
    assert len(queries) == 0, [q["sql"] for q in queries]
    assert templates.rendered == []
    assert again.body == first.body


def test_a_stored_story_page_is_the_same_page_readers_get_without_the_store(web, site):
    for url in ["/", "/world/", "/sport/", "/tag/ports/", "/author/ada-reporter/",
                *(s.get_absolute_url() for s in [*site["stories"], site["match"]])]:
        stored = web.get(url)
        assert stored.body == web.get(url).body == web.fresh(url).body, url
        assert b"<!--#" not in stored.body


def test_story_pages_include_the_shared_fragments(web, site, store):
    old, newest = site["stories"][0], site["stories"][-1]
    web.get(old.get_absolute_url())
    web.get(newest.get_absolute_url())
    shell = store.get(old.get_absolute_url()).body.decode()
    world = site["world"].pk
    # An old story is in neither block: it shares the generic fragments...
    assert f'<!--# include virtual="/_fragment/latest/{world}/" -->' in shell
    # ...but it is a pick, so "Don't miss" must leave it out.
    assert f'<!--# include virtual="/_fragment/dont-miss/{old.pk}/" -->' in shell
    newest_shell = store.get(newest.get_absolute_url()).body.decode()
    assert f'/_fragment/latest/{world}/{newest.pk}/' in newest_shell
    assert f'/_fragment/dont-miss/{newest.pk}/' in newest_shell
    assert {f"/_fragment/latest/{world}/", f"/_fragment/dont-miss/{old.pk}/"} <= set(store.keys())


def test_fragments_do_not_answer_outside_requests(web, site):
    response = web.get(f"/_fragment/latest/{site['world'].pk}/")
    assert response.status == 404
    assert web.get("/_fragment/dont-miss/").status == 404


def test_etag_and_last_modified_answer_304(web, site):
    url = "/world/"
    first = web.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified.endswith("GMT")
    assert first["Cache-Control"] == "public, max-age=0, s-maxage=300, must-revalidate"
    assert first["Vary"] == "Accept-Encoding"
    not_modified = web.get(url, If_None_Match=etag)
    assert not_modified.status == 304 and not_modified.raw == b"" and not_modified["ETag"] == etag
    assert web.get(url, If_Modified_Since=modified).status == 304
    assert web.get(url, If_None_Match='"something-else"').status == 200
    # If-None-Match decides when both are sent.
    assert web.get(url, If_None_Match='"something-else"', If_Modified_Since=modified).status == 200


def test_a_story_page_etag_changes_when_a_fragment_changes(web, site):
    url = site["stories"][0].get_absolute_url()
    etag = web.get(url)["ETag"]
    actions.add_pick(site["stories"][1])  # changes "Don't miss" on that page
    changed = web.get(url, If_None_Match=etag)
    assert changed.status == 200 and changed["ETag"] != etag
    assert "World story 1" in changed.text.split("Don't miss")[1]


def test_gzip_when_the_client_accepts_it_compressed_once(web, site, app, monkeypatch):
    url = site["stories"][1].get_absolute_url()
    plain = web.get(url)
    calls = []
    real = gzip.compress
    monkeypatch.setattr(gzip, "compress", lambda data, **kw: calls.append(1) or real(data, **kw))
    first = web.get(url, Accept_Encoding="gzip, deflate, br")
    second = web.get(url, Accept_Encoding="gzip")
    assert first["Content-Encoding"] == "gzip" and first["Vary"] == "Accept-Encoding"
    assert first.body == plain.body and len(first.raw) < len(plain.raw) / 2
    assert int(first["Content-Length"]) == len(first.raw)
    assert second.raw == first.raw and len(calls) == 1
    assert first["ETag"] != plain["ETag"]  # another representation, another validator
    assert web.get(url, Accept_Encoding="gzip", If_None_Match=first["ETag"]).status == 304
    assert web.get(url, Accept_Encoding="gzip;q=0").get("Content-Encoding") is None


def test_feeds_pass_through_with_their_own_conditional_get(web, site):
    first = web.get("/feeds/rss/", Accept_Encoding="gzip")
    assert first.status == 200 and first.get("X-Page-Store") is None
    assert b"World story 5" in first.body
    assert first.get("ETag") and first.get("Last-Modified"), first.headers
    assert web.get("/feeds/rss/", Accept_Encoding="gzip", If_None_Match=first["ETag"]).status == 304
    assert web.get("/feeds/rss/", If_Modified_Since=first["Last-Modified"]).status == 304


def test_head_answers_headers_only(web, site):
    response = web.request("/world/", method="HEAD")
    assert response.status == 200 and response.raw == b""
    assert int(response["Content-Length"]) == len(web.get("/world/").body)


def test_security_headers_come_with_stored_pages(web, site):
    web.get("/")
    hit = web.get("/")
    assert hit["X-Page-Store"] == "hit"
    assert hit["X-Frame-Options"] == "DENY" and hit["X-Content-Type-Options"] == "nosniff"
    assert hit["Content-Type"] == "text/html; charset=utf-8"


def test_only_plain_public_pages_are_stored(web, site, store):
    web.get("/world/?page=1")
    web.get("/world/?utm_source=feed")
    web.get("/no-such-section/")
    web.get("/feeds/rss/")
    web.get("/search/?q=harbour")
    web.request("/world/", method="POST")
    web.get(site["stories"][0].get_absolute_url().rstrip("/"))  # answered by a redirect
    assert store.keys() == ["/world/?page=1"]


def test_a_signed_in_editor_always_gets_a_fresh_page_and_it_is_never_stored(web, site, store, client):
    from django.contrib.auth.models import User

    from dateline.pagestore.backends.base import Entry

    url = site["stories"][3].get_absolute_url()
    # A stale copy in the store: readers would get it, an editor must not.
    store.set(url, Entry(body=b"stale page", tags={"story:0"}, origin="http://127.0.0.1"))
    assert web.get(url).body == b"stale page"
    User.objects.create_user("sam", password="a long enough password")
    client.login(username="sam", password="a long enough password")
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    response = web.get(url, Cookie=cookie)
    assert response.status == 200 and b"stale page" not in response.body
    assert site["stories"][3].headline in response.text
    assert response.get("X-Page-Store") is None
    assert store.get(url).body == b"stale page"
    other = site["stories"][4].get_absolute_url()
    web.get(other, Cookie=cookie)
    assert other not in store.keys()


def test_a_page_rendered_for_another_host_name_is_not_served_to_this_one(web, site, settings):
    # Without DATELINE_SITE_URL absolute links (canonical, JSON-LD) follow the request's host.
    assert settings.DATELINE["SITE_URL"] == ""
    first = web.get("/", Host="news.example.org")
    other = web.get("/", Host="www.example.org")
    assert other["X-Page-Store"] == "miss"
    assert "http://www.example.org/" in other.text and "news.example.org" not in other.text
    assert web.get("/", Host="www.example.org")["X-Page-Store"] == "hit"
    assert "http://news.example.org/" in first.text


def test_a_page_rendered_while_its_story_changes_is_served_but_not_stored(web, site, store, monkeypatch):
    """The render read the old story; the purge came while it was rendering."""
    from dateline.pagestore.store import purge_tags
    from dateline.public import views

    story = site["stories"][2]
    real = views.blocks.around_story

    def read_then_a_purge(s, **kwargs):
        found = real(s, **kwargs)
        purge_tags({f"story:{story.pk}"})  # what a commit elsewhere would do now
        return found

    monkeypatch.setattr(views.blocks, "around_story", read_then_a_purge)
    response = web.get(story.get_absolute_url())
    assert response.status == 200 and response["X-Page-Store"] == "miss"
    assert story.get_absolute_url() not in store.keys()


def test_pages_kept_in_the_process_go_with_a_purge_made_elsewhere(web, site, store, settings):
    """The server keeps hot pages in memory, checked against the store's purge
    generation: a purge by another process (another store object on the same
    folder or Redis) reaches this one's next request."""
    from django.utils.module_loading import import_string

    conf = settings.DATELINE["PAGE_STORE"]
    elsewhere = import_string(conf["BACKEND"])(conf["LOCATION"], **(conf.get("OPTIONS") or {}))
    url = site["stories"][1].get_absolute_url()
    first = web.get(url)
    assert web.get(url)["X-Page-Store"] == "hit"
    with CaptureQueriesContext(connection) as queries, Templates() as templates:
        again = web.get(url)
    assert again["X-Page-Store"] == "hit" and again.body == first.body
    assert len(queries) == 0 and templates.rendered == []
    elsewhere.purge([f"story:{site['stories'][1].pk}"])
    assert web.get(url)["X-Page-Store"] == "miss"
    # The fragments too: "Latest from" of this page, purged elsewhere, is read again.
    fragment = next(k for k in store.keys() if k.startswith("/_fragment/latest/"))
    elsewhere.purge([f"list:section:{site['world'].pk}"])
    assert fragment not in store.keys()
    assert web.get(url)["X-Page-Store"] == "hit"
    assert any(k.startswith("/_fragment/latest/") for k in store.keys())
