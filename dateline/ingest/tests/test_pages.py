"""Single pages: headline, date, author and body out of HTML and scraped text, without the site's chrome."""

import json
import os
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from dateline.ingest import pages
from dateline.ingest.errors import FetchError
from dateline.ingest.http import Client
from dateline.ingest.models import ImportedItem
from dateline.news.models import Credit, Source, Story

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO.parent / "shared" / "seed" / "sample-article-page.txt"

# Every line of the scraped fixture that belongs to the site, not the story.
SCRAPED_CHROME = [
    "2 min read", "ALSO READ: Wind turbine plan for Elder Ridge withdrawn after objections", "Previous Story",
    "Ferry operator adds a Sunday crossing to the islands", "Next Story",
    "School meals contract goes back out to tender", "Latest from Regional Desk", "Bus depot move delayed again",
    "Market hall roof repairs finished ahead of schedule", "Go toTop", "Don't Miss",
    "Inside the last rope works on the coast", "Tide gauge records highest reading in thirty years",
]


def read(fixtures, name) -> pages.Extract:
    return pages.extract((fixtures / name).read_bytes(), name=name)


def test_scraped_text_gives_headline_date_and_body_without_the_chrome(fixtures):
    page = read(fixtures, "page-scraped.txt")
    assert page.title == "Lowmoor council backs plan for a solar farm on the old airfield"
    assert page.date == date(2023, 3, 3)
    assert page.author is None
    assert len(page.paragraphs) == 6
    assert page.paragraphs[0].endswith("…reports Fenwick Courier")
    assert page.paragraphs[-1] == (
        "Construction could begin in the autumn if the planning inspectorate raises no objection.")
    for line in SCRAPED_CHROME + ["March 3, 2023"]:
        assert line not in page.body, line
    assert "the Meridian Press Agency reported" in page.body  # agency credits in the text stay
    assert page.publication == "Fenwick Courier"


def test_html_gives_headline_date_author_and_canonical_url_without_the_chrome(fixtures):
    page = read(fixtures, "page-article.html")
    assert page.title == "Harbour pilots strike over night shifts"
    assert page.date == date(2023, 6, 14)
    assert page.author == "Mira Tamsin"
    assert page.canonical_url == "https://courier.example.net/region/harbour-pilots-strike"
    assert page.publication == "Coastline Courier"
    assert page.paragraphs[0].startswith("Harbour pilots in Port Lenning walked off the job")
    assert len(page.paragraphs) == 4
    for chrome in ("3 min read", "ALSO READ", "Previous Story", "Next Story", "Share on Facebook", "Tweet",
                   "Latest from Region", "Bus depot", "Go to Top", "Home", "By Mira Tamsin", "June 14, 2023"):
        assert chrome not in page.body, chrome


@pytest.mark.parametrize("line", [
    "4 min read", "Reading time: 6 minutes", "Read more: Council budget approved", "ALSO READ: x y z",
    "Share", "Facebook Twitter WhatsApp Email", "Go to Top", "Back to top", "Advertisement",
    "Home » World » Asia", "Skip to content",
])
def test_chrome_lines_are_recognised(line):
    from dateline.ingest import scraped

    assert scraped.is_chrome(line) or scraped.is_end(line)


@pytest.mark.parametrize("line, expected", [
    ("January 27, 2022", date(2022, 1, 27)), ("Published 3 Mar 2023, 10:30 IST", date(2023, 3, 3)),
    ("Updated: 2021-11-05 14:00 GMT", date(2021, 11, 5)), ("Thursday, 9th September 2021", date(2021, 9, 9)),
    ("The council met on March 3, 2023 to discuss the plan in detail", None),
])
def test_a_date_line_is_a_date_and_little_else(line, expected):
    from dateline.ingest import scraped

    assert scraped.date_line(line) == expected


def test_dry_run_json_prints_exactly_four_keys_and_saves_nothing(db, fixtures, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["DATELINE_HOME"] = str(tmp_path / "home")
    result = subprocess.run(
        [sys.executable, "-m", "dateline", "import-page", str(fixtures / "page-scraped.txt"), "--dry-run", "--json"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["title", "date", "author", "body"]
    assert data["title"] == "Lowmoor council backs plan for a solar farm on the old airfield"
    assert data["date"] == "2023-03-03" and data["author"] is None
    assert "\n\n" in data["body"] and "Previous Story" not in data["body"]
    assert not (tmp_path / "home" / "dateline.sqlite3").exists()  # it never even opened the database


def test_dry_run_json_for_html_through_call_command(db, fixtures):
    out = StringIO()
    call_command("import-page", str(fixtures / "page-article.html"), "--dry-run", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data == {
        "title": "Harbour pilots strike over night shifts", "date": "2023-06-14", "author": "Mira Tamsin",
        "body": data["body"],
    }
    assert data["body"].count("\n\n") == 3
    assert not Story.objects.exists()


def test_importing_makes_a_draft_credited_to_the_publication_with_its_canonical_url(db, fixtures):
    call_command("import-page", str(fixtures / "page-article.html"), stdout=StringIO(), stderr=StringIO())
    story = Story.objects.get()
    assert story.status == Story.Status.DRAFT and story.headline == "Harbour pilots strike over night shifts"
    assert story.canonical_url == "https://courier.example.net/region/harbour-pilots-strike"
    credit = story.credits.get()
    assert credit.source.name == "Coastline Courier" and credit.role == Credit.Role.VIA
    assert credit.source.kind == Source.Kind.PUBLICATION and credit.source.url == "https://courier.example.net/"
    assert story.body.count("<p>") == 4
    # The same page again is recognised, not doubled.
    err = StringIO()
    call_command("import-page", str(fixtures / "page-article.html"), stdout=StringIO(), stderr=err)
    assert Story.objects.count() == 1 and "Already imported" in err.getvalue()


def test_the_source_can_be_named_for_scraped_text(db, fixtures):
    call_command("import-page", str(fixtures / "page-scraped.txt"), "--source", "Lowmoor Gazette",
                 stdout=StringIO(), stderr=StringIO())
    story = Story.objects.get()
    assert story.credits.get().source.name == "Lowmoor Gazette"
    item = ImportedItem.objects.get(story=story)
    assert item.origin == "page" and item.original_published_at.date() == date(2023, 3, 3)


def test_a_page_comes_over_http_through_the_transport_given(db, fixtures, transport):
    url = "https://courier.example.net/region/harbour-pilots-strike?utm=x"
    transport.routes[url] = (200, {"Content-Type": "text/html; charset=utf-8"},
                             (fixtures / "page-article.html").read_bytes())
    result = pages.import_page(url, client=Client(transport))
    assert result.story.headline == "Harbour pilots strike over night shifts"
    assert transport.requests[0].headers["User-Agent"].startswith("Dateline")


def test_a_desk_typed_address_may_not_reach_private_networks(transport):
    with pytest.raises(FetchError, match="private or local network"):
        pages.load("http://127.0.0.1:8000/admin/", Client(transport, allow_private=False))
    assert not transport.requests


def test_an_empty_or_unreadable_page_is_refused_clearly(db, tmp_path):
    from django.core.management.base import CommandError

    empty = tmp_path / "empty.txt"
    empty.write_text("Home\nMenu\n")
    with pytest.raises(CommandError, match="no headline or no body"):
        call_command("import-page", str(empty), stdout=StringIO())
    huge = tmp_path / "huge.html"
    huge.write_bytes(b"<p>" + b"x" * (5 * 1024 * 1024 + 10))
    with pytest.raises(CommandError, match="larger than the 5 MB"):
        call_command("import-page", str(huge), "--dry-run", stdout=StringIO())


@pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/seed/sample-article-page.txt is not beside this checkout")
def test_the_real_sample_page_reads_cleanly(db):
    sample_lines = [line.strip() for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = StringIO()
    call_command("import-page", str(SAMPLE), "--dry-run", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["title"] == "Raisi: Iran seeks to promote relationship with Azerbaijan"
    assert data["date"] == "2022-01-27"
    body = data["body"].split("\n\n")
    assert body[0].startswith("President Ebrahim Raisi has said") and body[-1].startswith("Heading a high-ranking")
    kept = set(body)
    chrome = sample_lines[:2] + [line for line in sample_lines[sample_lines.index(body[-1]) + 1:]]
    chrome += [line for line in sample_lines if line.startswith("ALSO READ")]
    assert chrome and not kept & set(chrome)
    assert all(line in kept for line in sample_lines if line not in chrome and line != data["title"])
