"""The demo newsroom: enough varied, original content to show every feature."""

from collections import Counter

import pytest

from dateline.demo import cast, images, load
from dateline.news.models import Credit, Image, Pick, Section, Story


@pytest.fixture
def demo(db):
    load.load_demo(log=lambda *a: None)


def test_the_demo_newsroom(demo):
    """One load (it draws and renders 67 images), every promise checked."""
    stories = Story.objects.published()
    assert stories.count() >= 60
    per_section = Counter(stories.values_list("section__slug", flat=True))
    assert Section.objects.count() >= 8 and all(per_section[slug] >= 5 for _, slug, _ in cast.SECTIONS)
    words = sorted(stories.values_list("word_count", flat=True))
    assert words[0] < 200 and words[-1] > 700  # varied lengths
    assert Credit.objects.values("source").distinct().count() >= 5
    assert set(Credit.objects.values_list("role", flat=True)) == set(Credit.Role.values)
    assert Image.objects.count() >= 10 and not Image.objects.filter(alt_text="").exists()
    assert Pick.objects.live().count() == 4
    assert Story.objects.exclude(also_read=None).count() >= 8
    assert Story.objects.exclude(canonical_url="").count() >= 6
    # A second load is refused politely.
    assert load.has_demo()
    count = Story.objects.count()
    from django.core.management import call_command

    call_command("demo")
    assert Story.objects.count() == count


def test_synthetic_stories_are_complete_and_visible(db):
    load.add_synthetic(50, seed=3, log=lambda *a: None)
    stories = Story.objects.published()
    assert stories.count() == 50
    story = stories.first()
    assert story.word_count > 0 and story.excerpt and story.block_ends and story.bylines.count() == 1
    assert story.tags.count() == 2


def test_every_motif_draws_a_jpeg_of_the_right_size():
    from io import BytesIO

    from PIL import Image as PILImage

    for n, motif in enumerate(images.MOTIFS):
        picture = PILImage.open(BytesIO(images.draw(motif, n)))
        assert picture.format == "JPEG" and picture.size == images.SIZE
    with pytest.raises(ValueError):
        images.draw("unicorns", 1)


def _synthetic_rows():
    rows = []
    for story in Story.objects.order_by("pk").prefetch_related("bylines", "tags", "credits"):
        fields = {f.attname: getattr(story, f.attname) for f in Story._meta.concrete_fields
                  if f.attname not in ("id", "created_at", "modified_at", "published_at")}
        fields["relations"] = ([b.author_id for b in story.bylines.all()], sorted(t.pk for t in story.tags.all()),
                               [(c.source_id, c.role) for c in story.credits.all()])
        rows.append(fields)
    return rows


@pytest.mark.django_db(transaction=True)
def test_synthetic_stories_are_the_same_whether_derived_here_or_in_workers():
    load.add_synthetic(30, seed=11, batch=7, log=lambda *a: None, workers=0)
    here = _synthetic_rows()
    Story.objects.all().delete()
    load.add_synthetic(30, seed=11, batch=7, log=lambda *a: None, workers=2)
    assert _synthetic_rows() == here
    # Every derived field is what Story.derive makes of the story's text.
    for story in Story.objects.all()[:5]:
        before = (story.body, story.excerpt, story.word_count, story.reading_minutes, story.keywords, story.block_ends)
        story.derive()
        assert (story.body, story.excerpt, story.word_count, story.reading_minutes, story.keywords,
                story.block_ends) == before
    # A story added afterwards through the actions gets an id of its own.
    from dateline.news import actions

    later = actions.create_story(headline="After the bulk insert", section=Story.objects.first().section)
    assert later.pk > max(Story.objects.exclude(pk=later.pk).values_list("pk", flat=True))
