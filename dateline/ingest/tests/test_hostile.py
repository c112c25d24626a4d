"""Hostile and broken files: refused with one clear line, and nothing written."""

import os
import shutil
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dateline.ingest import wires
from dateline.ingest.errors import UnreadableFile, UnsafeXML
from dateline.ingest.http import Client
from dateline.ingest.models import Wire, WireItem
from dateline.ingest.safexml import parse_bytes
from dateline.news.models import Section, Story


def dateline_command(*args, home):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["DATELINE_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "dateline", *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_entity_attacks_on_a_wordpress_import_are_refused_and_nothing_is_written(db, fixtures, name):
    with pytest.raises(CommandError, match=r"refused: the file declares a DTD or entities.*nothing was imported"):
        call_command("import-wordpress", str(fixtures / name), stdout=StringIO(), stderr=StringIO())
    assert not Story.objects.exists() and not Section.objects.exists()


def test_the_command_line_shows_one_line_and_no_traceback(fixtures, tmp_path):
    result = dateline_command("import-wordpress", fixtures / "billion-laughs.xml", home=tmp_path / "home")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("Reading")]
    assert len(lines) == 1 and "refused" in lines[0] and "Traceback" not in result.stderr
    result = dateline_command("import-page", tmp_path / "missing.html", home=tmp_path / "home")
    assert result.returncode != 0 and result.stderr.strip().endswith("missing.html: no such file")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_entity_attacks_in_a_wire_drop_go_to_failed(db, fixtures, tmp_path, name):
    folder = tmp_path / "drop"
    folder.mkdir()
    shutil.copy(fixtures / name, folder / name)
    os.utime(folder / name, (0, 0))
    with pytest.raises(SystemExit):
        call_command("ingest-wire-folder", str(folder), stdout=StringIO())
    assert not WireItem.objects.exists()
    note = (folder / "failed" / f"{name}.error.txt").read_text()
    assert "refused" in note and "DTD" in note


def test_an_entity_attack_served_as_a_feed_is_refused(db, fixtures, transport):
    Wire.objects.create(name="Evil", agency=wires.agency_named("Evil Agency"), url="https://evil.example/feed")
    transport.routes["https://evil.example/feed"] = (200, {}, (fixtures / "billion-laughs.xml").read_bytes())
    report = wires.poll_wires(Client(transport))
    assert not report.ok and "refused" in str(report)
    assert not WireItem.objects.exists()


def test_a_truncated_export_is_refused_before_anything_is_written(db, fixtures, tmp_path):
    raw = (fixtures / "wordpress-export.xml").read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(raw[: int(len(raw) * 0.8)])
    with pytest.raises(CommandError, match=r"cut.xml: not well-formed XML at line \d+"):
        call_command("import-wordpress", str(cut), stdout=StringIO(), stderr=StringIO())
    assert not Story.objects.exists()


def test_an_export_over_the_size_limit_is_refused_without_reading_it(db, tmp_path):
    huge = tmp_path / "huge.xml"
    with open(huge, "wb") as f:
        f.truncate(513 * 1024 * 1024)  # sparse: costs no disk
    with pytest.raises(CommandError, match=r"larger than the 512 MB allowed for a WordPress export"):
        call_command("import-wordpress", str(huge), stdout=StringIO(), stderr=StringIO())


def test_wrong_declared_encodings_are_read_as_the_bytes_really_are():
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><a>Caf\xe9 \x93quoted\x94</a>'.encode("latin-1")
    assert parse_bytes(latin, "x").text == "Café “quoted”"  # declared Latin-1, really Windows-1252
    mixed = '<?xml version="1.0" encoding="UTF-8"?><a>café '.encode() + b"na\xefve</a>"
    assert parse_bytes(mixed, "x").text == "café naïve"
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><a>Zoë</a>'.encode("utf-16")
    assert parse_bytes(utf16, "x").text == "Zoë"
    with pytest.raises(UnreadableFile, match="unknown encoding"):
        parse_bytes(b'<?xml version="1.0" encoding="klingon-8"?><a/>', "x")


def test_parse_errors_name_the_place():
    with pytest.raises(UnreadableFile, match=r"feed.xml: not well-formed XML at line 2"):
        parse_bytes(b"<a>\n<b></a>", "feed.xml")
    with pytest.raises(UnsafeXML):
        parse_bytes(b'<!DOCTYPE a SYSTEM "http://evil.example/a.dtd"><a/>', "x")
