"""The storage backends: the same behaviour from files and from Redis."""

import pytest

from dateline.pagestore.backends.base import Entry


def entry(body=b"<p>page</p>", tags=("story:1",), **kw):
    return Entry(body=body, tags=frozenset(tags), **kw)


def test_an_entry_round_trips_with_its_headers_and_etag(store):
    stored = entry(headers=[("X-Frame-Options", "DENY")], origin="http://example.org")
    assert store.set("/world/", stored)
    found = store.get("/world/")
    assert found.body == stored.body and found.etag == stored.etag and found.tags == {"story:1"}
    assert found.headers == (("X-Frame-Options", "DENY"),) and found.origin == "http://example.org"
    assert store.get("/sport/") is None
    assert store.get_many(["/world/", "/sport/"]).keys() == {"/world/"}


def test_purge_drops_exactly_the_entries_carrying_a_tag(store):
    store.set("/", entry(tags={"list:site", "story:1"}))
    store.set("/world/", entry(tags={"list:section:1", "story:1"}))
    store.set("/sport/", entry(tags={"list:section:2", "story:2"}))
    assert store.purge({"story:1"}) == ["/", "/world/"]
    assert store.keys() == ["/sport/"]
    assert store.purge({"story:1"}) == []


def test_a_key_stored_again_loses_its_old_tags(store):
    store.set("/world/", entry(tags={"story:1"}))
    store.set("/world/", entry(tags={"story:2"}))
    assert store.purge({"story:1"}) == []
    assert store.purge({"story:2"}) == ["/world/"]


def test_a_page_rendered_before_a_purge_of_its_tags_is_refused(store):
    """The render read the database before the commit; the purge came after it."""
    since = store.mark()
    store.purge({"story:1"})
    assert store.set("/world/", entry(tags={"story:1", "sections"}), since=since) is False
    assert store.get("/world/") is None
    # Other tags were not purged: a page showing only them is fine.
    assert store.set("/sport/", entry(tags={"story:2"}), since=since) is True
    # Rendered after the purge: stored.
    assert store.set("/world/", entry(tags={"story:1"}), since=store.mark()) is True


def test_clear_drops_everything_and_voids_renders_in_flight(store):
    since = store.mark()
    store.set("/", entry())
    store.set("/world/?page=2", entry())
    assert store.clear() == 2
    assert store.keys() == [] and store.get("/") is None
    assert store.set("/", entry(), since=since) is False


def test_pending_purges_come_due_in_time_order(store):
    assert store.next_due() is None
    store.schedule(200.0, "story", "7")
    store.schedule(100.0, "picks")
    store.schedule(100.0, "picks")  # the same purge twice is one
    assert store.next_due() == 100.0
    assert store.due(50.0) == []
    assert store.due(150.0) == [(100.0, "picks", "")]
    store.done(store.due(150.0))
    assert store.next_due() == 200.0
    store.clear()  # pages go, pending purges stay: the pages stored later still need them
    assert store.due(300.0) == [(200.0, "story", "7")]


def test_keys_cannot_reach_outside_the_folder(settings, tmp_path):
    from dateline.pagestore.backends.files import FileStore

    store = FileStore(tmp_path / "pages")
    with pytest.raises(ValueError):
        store.path("/../../etc/")
    assert store.get("/../secret/") is None
    assert store.path("/world/?page=2").name == "index.html?page=2"
