"""Agency copy: feeds polled over (fake) HTTP, files dropped in a folder, the queue, one-click stories."""

import os
import shutil
from datetime import datetime, timezone
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone as dj_timezone

from dateline.ingest import wires
from dateline.ingest.http import Client
from dateline.ingest.models import Wire, WireItem
from dateline.news import actions
from dateline.news.models import Credit, Source, Story

FEED = "https://crw.example.net/feed.rss"
ATOM = "https://wire.northstar.example/science.atom"


def drop(folder, fixtures, *names):
    """Put fixture files in the drop folder as an agency would, old enough to be picked up."""
    for name in names:
        target = folder / name
        shutil.copy(fixtures / name, target)
        os.utime(target, (target.stat().st_mtime - 60,) * 2)


def ingest(folder, *args):
    out = StringIO()
    try:
        call_command("ingest-wire-folder", str(folder), *args, stdout=out, stderr=StringIO())
        return 0, out.getvalue()
    except SystemExit as exc:
        return exc.code, out.getvalue()


@pytest.fixture
def wire_folder(tmp_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    return folder


def test_ninjs_copy_lands_in_the_queue_sanitised_with_its_embargo(db, fixtures, wire_folder):
    drop(wire_folder, fixtures, "ninjs-v1.json")
    code, report = ingest(wire_folder)
    assert code == 0, report
    item = WireItem.objects.get()
    assert item.agency.name == "Meridian Press Agency" and item.agency.kind == Source.Kind.AGENCY
    assert item.headline == "Northern rail tunnel to reopen after flood repairs"
    assert item.version == 1 and item.status == WireItem.Status.QUEUED and item.format == "ninjs"
    assert item.embargo == datetime(2030, 3, 12, 22, 0, tzinfo=timezone.utc) and item.is_embargoed()
    assert "<script" not in item.body and "pumping station" in item.body
    assert (wire_folder / "done" / "ninjs-v1.json").exists() and not (wire_folder / "ninjs-v1.json").exists()


def test_a_new_version_updates_the_queued_copy_and_an_older_one_never_overwrites_it(db, fixtures, wire_folder):
    drop(wire_folder, fixtures, "ninjs-v1.json")
    ingest(wire_folder)
    drop(wire_folder, fixtures, "ninjs-v2.json")
    code, report = ingest(wire_folder)
    assert code == 0 and "1 updated" in report
    item = WireItem.objects.get()
    assert item.version == 2 and item.headline == "Northern rail tunnel reopens Monday; freight a week later"
    assert item.updated_at is not None

    shutil.copy(fixtures / "ninjs-v1.json", wire_folder / "late-v1.json")  # version 1 arrives late
    os.utime(wire_folder / "late-v1.json", (0, 0))
    code, report = ingest(wire_folder)
    assert code == 0 and "1 older" in report
    item.refresh_from_db()
    assert item.version == 2 and "reopens Monday" in item.headline
    assert WireItem.objects.count() == 1
    assert (wire_folder / "done" / "late-v1.json").exists()


def test_newsml_g2_items_update_in_place_too(db, fixtures, wire_folder):
    drop(wire_folder, fixtures, "newsml-g2.xml")
    assert ingest(wire_folder)[0] == 0
    item = WireItem.objects.get()
    assert item.agency.name == "Harbour Wire" and item.version == 3 and item.format == "newsml-g2"
    assert item.headline == "Fishing fleet returns early as storm warning is raised"
    assert item.byline == "Ines Halloran" and item.summary.startswith("Forty boats")
    assert item.embargo == datetime(2030, 4, 19, 5, 0, tzinfo=timezone.utc)
    assert "<p>Forty fishing boats" in item.body and "onclick" not in item.body
    drop(wire_folder, fixtures, "newsml-g2-v4.xml")
    ingest(wire_folder)
    drop(wire_folder, fixtures, "newsml-g2.xml")  # the same v3 again, after v4
    code, report = ingest(wire_folder)
    assert "1 older" in report
    item.refresh_from_db()
    assert item.version == 4 and item.headline == "Storm warning lifted; fishing fleet to sail on Saturday"


def test_a_ninjs_2_list_queues_text_and_refuses_a_picture(db, fixtures, wire_folder):
    drop(wire_folder, fixtures, "ninjs-2x-list.json")
    code, report = ingest(wire_folder)
    assert code == 2 and "is a picture, not text copy" in report
    item = WireItem.objects.get()
    assert item.agency.name == "Northstar News Service" and item.byline == "Lena Voss"
    assert item.body.count("<p>") == 2
    assert item.url == "https://wire.northstar.example/items/ns-88120"
    assert (wire_folder / "failed" / "ninjs-2x-list.json.error.txt").read_text().startswith("ninjs-2x-list.json")


def test_a_broken_file_goes_to_failed_with_a_note_and_the_others_still_come_in(db, fixtures, wire_folder):
    (wire_folder / "broken.json").write_text('{"uri": "x", "headline": ')
    (wire_folder / "unknown.xml").write_text("<catalog><book/></catalog>")
    drop(wire_folder, fixtures, "ninjs-v1.json")
    for name in ("broken.json", "unknown.xml"):
        os.utime(wire_folder / name, (0, 0))
    code, report = ingest(wire_folder)
    assert code == 2
    assert "broken.json: not valid JSON" in report and "not a wire format Dateline reads" in report
    assert WireItem.objects.count() == 1
    assert {p.name for p in (wire_folder / "failed").iterdir()} == {
        "broken.json", "broken.json.error.txt", "unknown.xml", "unknown.xml.error.txt"}


def test_files_still_arriving_wait_for_the_next_run(db, fixtures, wire_folder):
    shutil.copy(fixtures / "ninjs-v1.json", wire_folder / "fresh.json")
    (wire_folder / "upload.json.part").write_text("{")
    code, report = ingest(wire_folder)
    assert code == 0 and "still being written" in report
    assert not WireItem.objects.exists() and (wire_folder / "fresh.json").exists()
    assert (wire_folder / "upload.json.part").exists()


def test_the_agency_can_be_named_for_files_that_do_not_say(db, fixtures, wire_folder):
    drop(wire_folder, fixtures, "newsml-g2.xml")
    ingest(wire_folder, "--agency", "Coastal Agency")
    assert WireItem.objects.get().agency.name == "Coastal Agency"


def test_an_unreadable_folder_is_one_line_and_a_non_zero_exit(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no such folder"):
        call_command("ingest-wire-folder", str(tmp_path / "nope"), stdout=StringIO())


# -- feeds over HTTP, with the fake transport -----------------------------------------------------


@pytest.fixture
def feeds(db, fixtures, transport):
    agency = wires.agency_named("Castleford Regional Wire")
    Wire.objects.create(name="CRW", agency=agency, url=FEED)
    Wire.objects.create(name="Northstar science", agency=wires.agency_named("Northstar News Service"), url=ATOM)
    transport.routes[FEED] = (200, {"ETag": '"v1"', "Content-Type": "application/rss+xml"},
                              (fixtures / "wire-feed.rss").read_bytes())
    transport.routes[ATOM] = (200, {"Last-Modified": "Thu, 02 May 2024 12:00:00 GMT"},
                              (fixtures / "wire-feed.atom").read_bytes())
    return transport


def test_polling_queues_rss_and_atom_items_credited_to_their_wire(feeds):
    report = wires.poll_wires(Client(feeds))
    assert report.ok, str(report)
    assert WireItem.objects.count() == 3
    toll = WireItem.objects.get(guid="crw-2024-1108")
    assert toll.agency.name == "Castleford Regional Wire" and toll.wire.name == "CRW" and toll.format == "rss"
    assert toll.url == "https://crw.example.net/copy/toll-bridge-fares-frozen"
    assert "publish its accounts in full" in toll.body  # content:encoded wins over the description
    puffins = WireItem.objects.get(guid="tag:northstar.example,2024:ns-90001")
    assert puffins.headline == "Seabird census finds puffins & terns recovering"
    assert puffins.byline == "Lena Voss" and "Tern colonies" in puffins.body


def test_polling_again_asks_conditionally_and_doubles_nothing(feeds):
    wires.poll_wires(Client(feeds))
    feeds.routes[FEED] = (304, {}, b"")
    feeds.requests.clear()
    report = wires.poll_wires(Client(feeds))
    assert report.ok and WireItem.objects.count() == 3
    sent = {r.url: r.headers for r in feeds.requests}
    assert sent[FEED]["If-None-Match"] == '"v1"'
    assert sent[ATOM]["If-Modified-Since"] == "Thu, 02 May 2024 12:00:00 GMT"
    assert "1 feeds unchanged" in str(report) and "1 unchanged" in str(report)  # the Atom feed, read again


def test_a_failing_feed_is_reported_by_name_and_the_others_still_polled(feeds):
    feeds.routes[FEED] = (503, {}, b"down for maintenance")
    report = wires.poll_wires(Client(feeds))
    assert not report.ok and "CRW" in str(report) and "503" in str(report)
    assert WireItem.objects.count() == 1  # the Atom feed's one entry
    assert "503" in Wire.objects.get(name="CRW").last_error


def test_the_poll_command_exits_non_zero_when_a_wire_fails(db):
    Wire.objects.create(name="Nowhere", agency=wires.agency_named("Ghost Agency"), url="ftp://nowhere.example/")
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("poll-wires", stdout=out)
    assert exc.value.code == 1 and "Nowhere" in out.getvalue()


def test_a_feed_too_large_is_refused(feeds):
    from dateline.ingest.http import UrllibTransport

    transport = UrllibTransport(max_bytes=1000)
    with pytest.raises(Exception, match="larger than"):
        transport._response(200, FEED, {}, _Body(b"x" * 5000))


class _Body:
    def __init__(self, data):
        self.data = data

    def read(self, n):
        return self.data[:n]


# -- from the queue to a story --------------------------------------------------------------------


def test_one_click_makes_a_draft_credited_to_the_agency_with_its_embargo(db, fixtures, wire_folder, editor):
    drop(wire_folder, fixtures, "ninjs-v1.json")
    ingest(wire_folder)
    item = WireItem.objects.get()
    story = wires.story_from_wire(item, user=editor)
    assert story.status == Story.Status.DRAFT and story.headline == item.headline
    credits = [(c.source.name, c.role) for c in story.credits.all()]
    assert credits == [("Meridian Press Agency", Credit.Role.REPORTED_BY)]
    assert story.embargo_until == item.embargo and story.standfirst == item.summary
    item.refresh_from_db()
    assert item.status == WireItem.Status.USED and item.story == story and item.used_by == editor
    assert wires.story_from_wire(item) == story  # a second click does not make a second story
    with pytest.raises(actions.WorkflowError, match="embargo"):
        actions.publish_story(story)


def test_the_canonical_url_is_kept(db, fixtures, wire_folder):
    drop(wire_folder, fixtures, "ninjs-2x-list.json")
    ingest(wire_folder)
    story = wires.story_from_wire(WireItem.objects.get())
    assert story.canonical_url == "https://wire.northstar.example/items/ns-88120"


def test_a_new_version_after_use_is_flagged_not_applied_to_the_story(db, fixtures, wire_folder):
    drop(wire_folder, fixtures, "ninjs-v1.json")
    ingest(wire_folder)
    story = wires.story_from_wire(WireItem.objects.get())
    drop(wire_folder, fixtures, "ninjs-v2.json")
    ingest(wire_folder)
    item = WireItem.objects.get()
    assert item.changed_after_use and item.version == 2 and item.status == WireItem.Status.USED
    story.refresh_from_db()
    assert story.headline == "Northern rail tunnel to reopen after flood repairs"


def test_withdrawn_copy_cannot_be_used(db, fixtures, wire_folder, tmp_path):
    text = (fixtures / "ninjs-v2.json").read_text().replace('"usable"', '"canceled"').replace('"2"', '"3"')
    (wire_folder / "kill.json").write_text(text)
    os.utime(wire_folder / "kill.json", (0, 0))
    ingest(wire_folder)
    item = WireItem.objects.get()
    assert item.withdrawn
    with pytest.raises(wires.WithdrawnCopy):
        wires.story_from_wire(item)
    assert not Story.objects.exists()


def test_embargo_lifts_when_its_time_comes(db, fixtures, wire_folder):
    drop(wire_folder, fixtures, "ninjs-v1.json")
    ingest(wire_folder)
    story = wires.story_from_wire(WireItem.objects.get())
    story = actions.publish_story(story, at=datetime(2030, 3, 12, 22, 0, tzinfo=timezone.utc))
    assert story.status == Story.Status.PUBLISHED and not story.is_visible(now=dj_timezone.now())
