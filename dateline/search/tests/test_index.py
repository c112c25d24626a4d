"""The index follows the newsroom: actions, bulk loads, `dateline reindex`, and repairs."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dateline.demo.load import add_synthetic
from dateline.news import actions
from dateline.news.models import Story
from dateline.search import index
from dateline.search.backends import get_backend
from dateline.search.query import Phrase, Term, parse
from dateline.search.search import find


def held():
    return get_backend().indexed_ids()


@pytest.fixture
def world(newsroom):
    return newsroom.section("World")


def test_only_published_stories_are_held(newsroom, world):
    draft = newsroom.story(world, "Draft about gulls", publish=False)
    live = newsroom.story(world, "Live story about gulls")
    assert held() == {live.pk}
    actions.update_story(draft, headline="Draft about terns")
    assert held() == {live.pk}


def test_unpublish_kill_and_trash_take_stories_out(newsroom, world):
    a, b, c = (newsroom.story(world, f"Gulls {i}") for i in range(3))
    actions.unpublish_story(a)
    actions.kill_story(b, reason="legal")
    actions.trash_story(c)
    assert held() == set()


def test_a_rolled_back_publish_leaves_no_trace(newsroom, world):
    story = newsroom.story(world, "Gull census", publish=False)

    class Boom(Exception):
        pass

    def fail(**kwargs):
        raise Boom

    from dateline.news import signals

    signals.story_published.connect(fail, dispatch_uid="test.fail")
    try:
        with pytest.raises(Boom):
            actions.publish_story(story)
    finally:
        signals.story_published.disconnect(dispatch_uid="test.fail")
    assert held() == set()
    assert find("census").count() == 0


def test_edits_that_change_no_indexed_text_leave_the_index_alone(newsroom, world):
    story = newsroom.story(world, "Gull census")
    with CaptureQueriesContext(connection) as queries:
        actions.add_correction(story, "A count was wrong.")
        actions.update_story(story, slug="gull-count")
    assert not [q for q in queries if "search_" in q["sql"]]
    assert find("census").story_ids() == [story.pk]


def test_deleting_a_story_behind_the_actions_back_removes_its_document(newsroom, world):
    story = newsroom.story(world, "Gull census")
    Story.objects.filter(pk=story.pk).delete()
    if connection.vendor == "postgresql":
        assert held() == set()  # the database cascades
    else:
        index.sync()
        assert held() == set()
    assert find("census").count() == 0


def test_renaming_an_author_or_a_tag_reindexes_their_stories(newsroom, world):
    """Saved in the admin: plain model saves and deletes, no story action."""
    from dateline.news.models import Author, Tag

    writer = newsroom.author("Ada Reporter")
    tagged = newsroom.story(world, "Gull census", authors=[writer], tags=["Seabirds"])
    other = newsroom.story(world, "Tern census", authors=[newsroom.author("Bo Other")])
    draft = newsroom.story(world, "Draft census", authors=[writer], tags=["Seabirds"], publish=False)
    assert find("Reporter").story_ids() == [tagged.pk] and find("seabirds").story_ids() == [tagged.pk]

    writer.name = "Zebulon Quill"
    writer.save()
    tag = Tag.objects.get(name="Seabirds")
    tag.name = "Kittiwakes"
    tag.save()
    assert find("Zebulon").story_ids() == [tagged.pk] and find("Reporter").count() == 0
    assert find("kittiwakes").story_ids() == [tagged.pk] and find("seabirds").count() == 0
    assert held() == {tagged.pk, other.pk} and draft.pk not in held()

    # A save that keeps the name touches no document.
    with CaptureQueriesContext(connection) as queries:
        Author.objects.get(pk=writer.pk).save()
    assert not [q for q in queries if "search_" in q["sql"]]

    # Deleting the tag (as the admin does, on a queryset) takes its name out of its stories' documents.
    Tag.objects.filter(pk=tag.pk).delete()
    assert find("kittiwakes").count() == 0 and find("Zebulon").story_ids() == [tagged.pk]


def test_synthetic_stories_are_searchable(db):
    made = add_synthetic(30, seed=7, batch=12, log=lambda *a: None)
    published = set(Story.objects.published().values_list("pk", flat=True))
    assert made == 30 and held() == published
    story = Story.objects.published().order_by("pk").first()
    found = find(f'"{story.headline}"')
    assert story.pk in found.story_ids()


def test_reindex_rebuilds_everything(newsroom, world):
    stories = [newsroom.story(world, f"Gull census {i}") for i in range(3)]
    get_backend().clear()
    assert find("census").count() == 0
    out = StringIO()
    call_command("reindex", stdout=out)
    assert "Indexed 3 published stories" in out.getvalue()
    assert set(find("census").story_ids()) == {s.pk for s in stories}


def test_sync_adds_what_is_missing_and_drops_what_is_extra(newsroom, world):
    keep, drop = newsroom.story(world, "Gull census one"), newsroom.story(world, "Gull census two")
    backend = get_backend()
    backend.remove([keep.pk])
    Story.objects.filter(pk=drop.pk).update(status=Story.Status.UNPUBLISHED)
    assert index.sync() == (1, 1)
    assert held() == {keep.pk}
    assert index.sync() == (0, 0)


@pytest.mark.parametrize("text, parts", [
    ("harbour", (Term("harbour"),)),
    ("Harbour HARBOUR harbour", (Term("harbour"),)),
    ("the harbour of", (Term("harbour"),)),
    ("harb*", (Term("harb", prefix=True),)),
    ("ha*", (Term("ha"),)),
    ('"flood defences" now', (Phrase(("flood", "defences")),)),
    ("“flood defences”", (Phrase(("flood", "defences")),)),
    ('"unbalanced quote', (Term("unbalanced"), Term("quote"))),
    ("council's e-mail", (Phrase(("council", "s")), Phrase(("e", "mail")))),
    ("NEAR(a b) OR c:d -e", (Term("near"), Term("b"), Term("c"), Term("d"), Term("e"))),
    ("'; DROP TABLE x; --", (Term("drop"), Term("table"), Term("x"))),
    ('"to be" or not', ()),
    ("🏆", ()),
])
def test_queries_are_cut_into_words_phrases_and_prefixes(text, parts):
    assert parse(text).parts == parts


def test_queries_are_cut_to_1000_characters_and_32_parts():
    query = parse(" ".join(f"word{i}" for i in range(500)))
    assert len(query.text) == 1000 and len(query.parts) == 32


def test_the_body_is_indexed_as_plain_text():
    from dateline.search.documents import plain_text

    body = ('<p>First <a href="/x" title="a > b">link</a>&amp;\x02more</p><h2>Next</h2>'
            "<ul><li>one</li><li>two<br>three</li></ul>")
    assert plain_text(body) == "First link& more Next one two three"
