"""The page store's promise, checked on random desk work: after any sequence of
actions, every stored page is what a fresh render would give.

Each example builds a small newsroom (three sections, eight stories of which
five are published, tags, authors, a pick), then runs up to twelve desk actions. After each one it asks
the server for every public page (so the store fills, and stale entries would be
served), and compares what it served with a fresh inline render, and every
stored fragment with a fresh render of its own. Time is a clock the test moves
("advance"), so scheduled stories and pick windows come due inside the example.
"""

import itertools
import os
import tempfile
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, note, settings as hypothesis_settings, strategies as st

from dateline.news import actions
from dateline.news.models import Author, Pick, Redirect, Section, Story, Tag

from .conftest import store_settings
from .support import WSGIClient

OPS = [
    "publish", "publish_at", "schedule", "advance", "edit", "retag", "reauthor", "also_read", "correct",
    "unpublish", "kill", "trash", "delete", "move", "slug", "pick", "pick_window", "unpick", "reorder_picks",
    "rename_section",
]
TAG_SETS = [[], ["Harbour"], ["Cup"], ["Harbour", "Ports"], ["Ports", "Cup"]]


class Clock:
    def __init__(self):
        self.at = timezone.now().replace(microsecond=0)

    def now(self):
        return self.at


class Desk:
    """A small newsroom and the actions an editor takes on it."""

    def __init__(self, clock):
        self.clock = clock
        self.counter = itertools.count(1)
        self.sections = [actions.save_section(Section(name=n, slug=n.lower(), position=i))
                         for i, n in enumerate(["World", "Sport", "Arts"])]
        self.authors = [Author.objects.create(name=n, slug=n.lower().replace(" ", "-"))
                        for n in ["Ada Reporter", "Bo Writer"]]
        self.stories = []
        for i in range(8):
            story = actions.create_story(
                headline=f"Story {i} on the harbour", section=self.sections[i % 3],
                body="".join(f"<p>Paragraph {p} of story {i} about harbour works and ports.</p>" for p in range(4)),
                authors=[self.authors[i % 2]], tags=TAG_SETS[i % len(TAG_SETS)],
            )
            if i % 3 != 2:  # five published, three drafts waiting
                story = actions.publish_story(story, at=clock.at - timedelta(hours=3 * (8 - i)))
            self.stories.append(story)
        actions.add_pick(self.stories[0])

    def story(self, n, visible=None):
        """The n-th story, counting only those readers can (or cannot) see when
        there are any: an action should mostly change something public."""
        stories = list(Story.objects.filter(pk__in=[s.pk for s in self.stories]).order_by("pk"))
        if visible is not None:
            wanted = [s for s in stories if s.is_visible() == visible
                      and (visible or (s.status != Story.Status.KILLED and not s.deleted_at))]
            stories = wanted or stories
        return stories[n % len(stories)]

    def run(self, op, a, b):
        now, n = self.clock.at, next(self.counter)
        # Publishing goes mostly to stories readers cannot see yet, the rest mostly to
        # those they can; one time in four to any story at all.
        hidden_first = op in ("publish", "publish_at", "schedule")
        story = self.story(a, visible=None if a % 4 == 3 else not hidden_first)
        try:
            if op == "publish":
                actions.publish_story(story)
            elif op == "publish_at":
                actions.publish_story(story, at=now - timedelta(hours=b * 5 + 1))
            elif op == "schedule":
                actions.schedule_story(story, at=now + timedelta(minutes=10 * (b + 1)))
            elif op == "advance":
                self.clock.at = now + timedelta(minutes=10 * (a + 1))
            elif op == "edit":
                actions.update_story(story, headline=f"Story {a % 8} edited ({n})",
                                     body=f"<p>New body {n}.</p>" * (b + 1))
            elif op == "retag":
                actions.update_story(story, tags=TAG_SETS[b % len(TAG_SETS)])
            elif op == "reauthor":
                actions.update_story(story, authors=[self.authors[b % 2], self.authors[(b + a) % 2]])
            elif op == "also_read":
                other = self.story(b, visible=True)
                actions.update_story(story, also_read=None if other.pk == story.pk else other)
            elif op == "correct":
                actions.add_correction(story, f"Correction number {n}.")
            elif op == "unpublish":
                actions.unpublish_story(story)
            elif op == "kill":
                if story.status == Story.Status.KILLED:
                    actions.reinstate_story(story)
                else:
                    actions.kill_story(story)
            elif op == "trash":
                if story.deleted_at:
                    actions.restore_story(story)
                else:
                    actions.trash_story(story)
            elif op == "delete":
                if len(self.stories) > 3:
                    actions.delete_story(story)
                    self.stories = [s for s in self.stories if s.pk != story.pk]
            elif op == "move":
                actions.move_story(story, self.sections[b % 3])
            elif op == "slug":
                actions.update_story(story, slug=f"{story.slug[:40]}-{n}")
            elif op == "pick":
                actions.add_pick(story)
            elif op == "pick_window":
                window = timedelta(minutes=10 * (b + 1))
                if b % 2:
                    actions.add_pick(story, starts_at=now + window)
                else:
                    actions.add_pick(story, ends_at=now + window)
            elif op == "unpick":
                picks = list(Pick.objects.all())
                if picks:
                    actions.remove_pick(picks[b % len(picks)])
            elif op == "reorder_picks":
                actions.reorder_picks(list(reversed(Pick.objects.values_list("pk", flat=True))))
            elif op == "rename_section":
                section = Section.objects.get(pk=self.sections[a % 3].pk)
                section.name = f"{section.name.split(' ')[0]} {n}"
                actions.save_section(section)
        except actions.ActionError:
            pass  # the desk refuses it (e.g. publishing a story in the trash): nothing changed

    def urls(self):
        """Every public page there is now."""
        urls = ["/"]
        for section in Section.objects.all():
            urls.append(section.get_absolute_url())
            if Story.objects.published().filter(section=section).count() > 3:
                urls.append(f"{section.get_absolute_url()}?page=2")
        urls += [t.get_absolute_url() for t in Tag.objects.all()]
        urls += [a.get_absolute_url() for a in Author.objects.all()]
        urls += [s.get_absolute_url() for s in Story.objects.published().select_related("section")]
        return urls


def clean():
    Pick.objects.all().delete()
    Redirect.objects.all().delete()
    Story.objects.all().delete()
    for model in (Section, Author, Tag):
        model.objects.all().delete()


def check(web, store, desk, done, everything=False):
    """Ask for every page, then compare what the store kept with fresh renders.

    Entries that were in the store before the pages were asked for are the ones
    that survived the last action's purges: if one is stale, a purge is
    missing. Entries stored while asking were rendered just now; ``everything``
    compares those too (done once at the end of each example).
    """
    survived = set(store.keys())
    served = {}
    for url in desk.urls():
        response = web.get(url)
        if response.status == 200:
            served[url] = response.body
    keys = store.keys() if everything else sorted(survived & set(store.keys()))
    for key in keys:
        if key.startswith("/_fragment/"):
            entry = store.get(key)
            fresh = web.fresh_entry(key)
            assert entry is not None and fresh.status == 200 and entry.body == fresh.body, (
                f"stored fragment {key} is stale after {done}")
        elif key.startswith("/_whole/"):  # what nginx sends from disk
            entry = store.get(key)
            fresh = web.fresh(key[len("/_whole"):])
            assert entry is not None and fresh.status == 200 and entry.body == fresh.body, (
                f"whole page {key} is stale after {done}")
        else:
            body = served.get(key)
            if body is None:
                body = web.get(key).body
            fresh = web.fresh(key)
            assert fresh.status == 200, f"{key} is stored but answers {fresh.status} after {done}"
            assert body == fresh.body, f"stored page {key} is stale after {done}"


# Each example takes a few seconds; DATELINE_PROPERTY_EXAMPLES=200 for a long hunt.
EXAMPLES = int(os.environ.get("DATELINE_PROPERTY_EXAMPLES", "8"))
# The same search again with the store in Redis (where REDIS_URL is set), with
# fewer examples. What a desk action makes stale is decided above the backend
# (handlers.py, tags, fragments), and the files run explores that; the Redis run
# is there to show that the other backend, under the same random sequences
# (purges racing renders, pending purges, get_many for fragments), keeps every
# stored page equal to a fresh render. The backend contract itself is checked on
# both, case by case, in test_backends.py.
REDIS_EXAMPLES = int(os.environ.get("DATELINE_PROPERTY_REDIS_EXAMPLES", "3"))
# Actions that move stories between places come up more often than the rest.
WEIGHTED = OPS + ["publish", "publish", "publish_at", "schedule", "advance", "unpublish", "move"]
step = st.tuples(st.sampled_from(WEIGHTED), st.integers(0, 7), st.integers(0, 7))
STEPS = st.lists(step, min_size=4, max_size=12)
SETTINGS = dict(deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# "files-site": with DATELINE_SITE_URL set, as behind nginx, where each page is also
# kept whole (fragments in place) for nginx to send: those copies are checked too.
@pytest.mark.parametrize("backend", ["files", "files-site"])
@hypothesis_settings(max_examples=EXAMPLES, **SETTINGS)
@given(steps=STEPS)
def test_every_stored_page_equals_a_fresh_render(transactional_db, settings, backend, app, steps):
    run_sequence(settings, backend, app, steps)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set (CI's PostgreSQL run sets it)")
@pytest.mark.parametrize("backend", ["redis"])
@hypothesis_settings(max_examples=REDIS_EXAMPLES, **SETTINGS)
@given(steps=STEPS)
def test_every_stored_page_equals_a_fresh_render_in_redis(transactional_db, settings, backend, app, steps):
    run_sequence(settings, backend, app, steps)


def run_sequence(settings, backend, app, steps):
    clock = Clock()
    with mock.patch("django.utils.timezone.now", clock.now), \
            tempfile.TemporaryDirectory() as folder:
        clean()
        # Small pages and short blocks, so a handful of stories fills them and moves them.
        settings.DATELINE = {**settings.DATELINE, "PAGE_SIZE": 3, "TEASERS": 2,
                             "SITE_URL": "http://testserver" if backend == "files-site" else ""}
        store = store_settings(settings, backend.removesuffix("-site"), folder)
        web = WSGIClient(app)
        try:
            desk = Desk(clock)
            done = []
            check(web, store, desk, done)
            for op, a, b in steps:
                desk.run(op, a, b)
                done.append((op, a, b))
                note(f"after {done}")
                check(web, store, desk, done)
            check(web, store, desk, done, everything=True)
            if backend == "files-site":
                assert any(k.startswith("/_whole/") for k in store.keys()), "no page was kept whole"
        finally:
            if backend == "redis":
                store.destroy()
