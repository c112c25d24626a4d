"""Shared test fixtures: a tiny newsroom built through the real actions."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.news import actions
from dateline.news.models import Author, Section, Source

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class Newsroom:
    """Makes sections, authors, sources and stories through dateline.news.actions."""

    def __init__(self):
        self.now = timezone.now().replace(microsecond=0)

    def section(self, name="World", slug=None, position=0):
        from django.utils.text import slugify

        return actions.save_section(Section(name=name, slug=slug or slugify(name), position=position))

    def author(self, name="Ada Reporter"):
        from django.utils.text import slugify

        return Author.objects.create(name=name, slug=slugify(name))

    def source(self, name="Meridian Press Agency", kind="agency"):
        from django.utils.text import slugify

        return Source.objects.create(name=name, slug=slugify(name), kind=kind, url="https://example.com/")

    def story(self, section, headline=None, *, hours_ago=1, publish=True, paragraphs=None, **fields):
        n = next(_counter)
        headline = headline or f"Story number {n} about harbour works"
        paragraphs = paragraphs or [f"Paragraph {i} of story {n} about the harbour and its works." for i in range(5)]
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        story = actions.create_story(headline=headline, section=section, body=body, **fields)
        if publish:
            story = actions.publish_story(story, at=self.now - timedelta(hours=hours_ago))
        return story


@pytest.fixture
def newsroom(db):
    return Newsroom()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright; Playwright never downloads a browser here."""
    import os
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        if os.environ.get("DATELINE_SKIP_BROWSER"):
            pytest.skip("DATELINE_SKIP_BROWSER is set and Debian's chromium is not installed")
        pytest.fail("Debian's chromium is missing: apt-get install chromium (scripts/test does it)")
    # Playwright's sync API keeps an event loop in this thread; the tests' own ORM
    # calls happen outside any page callback, so Django's async guard can stand down.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
