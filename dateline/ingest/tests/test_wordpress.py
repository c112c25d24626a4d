"""Bringing a WordPress archive over, through the command an operator runs."""

from datetime import datetime, timezone
from io import StringIO

import pytest
from django.core.management import call_command

from dateline.ingest.models import Fingerprint, FingerprintBand, ImportedImage, ImportedItem
from dateline.ingest.wordpress import WordPressImport
from dateline.news.models import Author, Image, Redirect, Revision, Section, Story, StoryEvent, Tag
from dateline.pagestore.tests.conftest import app, backend, store, web  # noqa: F401 - fixtures


def run(*args):
    """`dateline import-wordpress ARGS`: (exit code, stdout)."""
    out = StringIO()
    try:
        call_command("import-wordpress", *map(str, args), stdout=out, stderr=StringIO())
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def by_post(post_id):
    return ImportedItem.objects.get(external_id=str(post_id)).story


@pytest.fixture
def imported(db, fixtures, media_folder):
    code, report = run(fixtures / "wordpress-export.xml", "--media", media_folder)
    assert code == 0, report
    return report


def test_posts_become_stories_and_everything_else_is_skipped_with_a_reason(imported):
    assert Story.objects.count() == 5
    assert "5 created" in imported
    assert "a page, not a story: post 105" in imported
    assert "an attachment" in imported and "a menu item: post 301" in imported
    assert "in the WordPress trash: post 106" in imported
    assert not Story.objects.filter(headline__in=["About the Gazette", "Home", "Old council minutes"]).exists()


def test_published_scheduled_and_draft_posts_keep_their_state(imported):
    cranes, ferry, notes = by_post(101), by_post(103), by_post(104)
    assert cranes.status == Story.Status.PUBLISHED and cranes.is_visible()
    assert cranes.published_at == datetime(2023, 5, 16, 7, 30, tzinfo=timezone.utc)
    assert ferry.status == Story.Status.PUBLISHED and not ferry.is_visible()  # scheduled for 2099
    assert ferry.published_at == datetime(2099, 3, 1, 7, 0, tzinfo=timezone.utc)
    assert notes.status == Story.Status.DRAFT and notes.published_at is None


def test_categories_become_sections_tags_and_authors_come_along(imported):
    cranes = by_post(101)
    # The primary category (Yoast) is "Harbour News", a child of "Local": the section is its top.
    assert cranes.section.slug == "local"
    assert Section.objects.get(slug="business").name == "Business & Money"
    assert set(cranes.tags.values_list("name", flat=True)) == {"Harbour News", "Business & Money", "Port", "Cranes"}
    assert list(cranes.authors.values_list("name", flat=True)) == ["Jane Doe"]
    ferry = by_post(103)
    assert list(ferry.bylines.values_list("author__name", flat=True)) == ["Oona Keller", "Marco Rossi"]  # co-author
    assert Author.objects.count() == 3
    assert cranes.summary == "Both cranes are back after a winter of repairs." == cranes.excerpt


def test_odd_characters_and_entities_arrive_intact(imported):
    cafe = by_post(102)
    assert cafe.headline == "Café owners say “no” to rent rise & parking fees"
    assert cafe.slug == "cafe-owners-say-no"
    assert "town’s kiosks &amp; terraces" in cafe.body and "☕" in cafe.body
    assert "<br>" in cafe.body  # a single line break inside a WordPress paragraph


def test_images_come_from_the_media_folder_with_alt_text(imported):
    cranes = by_post(101)
    assert cranes.lead_image.alt_text == "A yellow container crane against an orange sky"
    assert cranes.lead_image.width == 80
    assert "gazette.example.org/wp-content" not in cranes.body
    assert 'alt="A crane lying flat on a river barge"' in cranes.body  # from the attachment, not the empty alt=""
    assert "<figcaption>The second crane arrives on a barge.</figcaption>" in cranes.body
    assert 'alt="Map of the container quay"' in cranes.body
    assert Image.objects.count() == 3


def test_without_a_media_folder_images_stay_at_their_old_address_and_are_reported(db, fixtures):
    code, report = run(fixtures / "wordpress-export.xml")
    assert code == 0
    assert "images left at their old address (no --media folder)" in report
    assert "featured image not imported (no --media folder)" in report
    cranes = by_post(101)
    assert cranes.lead_image is None
    assert 'src="https://gazette.example.org/wp-content/uploads/2023/05/crane-barge-640x480.png"' in cranes.body


def test_shortcodes_go_but_brackets_in_prose_stay(imported):
    tides = by_post(107)
    assert "[gallery" not in tides.body and "online [sic]," in tides.body
    assert "shortcodes removed: gallery" in imported


def test_every_old_permalink_answers_301_to_the_new_address(imported, client):
    cranes, cafe = by_post(101), by_post(102)
    response = client.get("/2023/05/harbour-cranes-return/")
    assert response.status_code == 301 and response["Location"] == cranes.get_absolute_url()
    response = client.get("/2023/06/caf%C3%A9-owners-say-no/")  # the percent-encoded slug WordPress used
    assert response.status_code == 301 and response["Location"] == cafe.get_absolute_url()
    assert client.get(cranes.get_absolute_url()).status_code == 200
    assert set(Redirect.objects.filter(story=cranes).values_list("old_path", flat=True)) == {
        "/2023/05/harbour-cranes-return/", "/?p=101"}


def test_the_plain_permalink_with_p_id_answers_301(imported, client):
    cranes = by_post(101)
    response = client.get("/?p=101")
    assert response.status_code == 301 and response["Location"] == cranes.get_absolute_url()
    response = client.get("/?p=101&utm_source=newsletter")  # tracking parameters on a shared link
    assert response.status_code == 301 and response["Location"] == cranes.get_absolute_url()
    assert client.head("/?p=101").status_code == 301


def test_a_plain_permalink_to_nothing_visible_is_just_the_home_page(imported, client):
    from dateline.news import actions

    assert client.get("/?p=999999").status_code == 200  # no such post: the home page, as before
    assert client.get("/?p=104").status_code == 200  # a draft: its old address must not reveal it
    actions.unpublish_story(by_post(101))
    assert client.get("/?p=101").status_code == 200
    assert client.post("/?p=102").status_code != 301


def test_the_plain_permalink_answers_301_through_the_page_store(imported, web, store):
    cranes = by_post(101)
    assert web.get("/").status == 200 and store.get("/") is not None  # the home page is stored
    response = web.get("/?p=101")  # a query other than page=N is never answered from the store
    assert response.status == 301 and response["Location"] == cranes.get_absolute_url()
    assert store.get("/?p=101") is None
    assert web.get(cranes.get_absolute_url()).status == 200


def test_importing_again_doubles_nothing_and_updates_what_changed(imported, fixtures, media_folder, tmp_path):
    before = {model: model.objects.count() for model in (Story, Section, Tag, Author, Image, Redirect, ImportedItem)}
    code, report = run(fixtures / "wordpress-export.xml", "--media", media_folder)
    assert code == 0 and "5 unchanged" in report and "created" not in report.splitlines()[0]
    assert before == {model: model.objects.count() for model in before}

    edited = (fixtures / "wordpress-export.xml").read_text(encoding="utf-8")
    edited = edited.replace("Harbour cranes return to Kestrel Bay", "Harbour cranes are back in Kestrel Bay")
    edited = edited.replace("Tickets go on sale in the spring.", "Tickets go on sale on 1 April.")
    path = tmp_path / "edited.xml"
    path.write_text(edited, encoding="utf-8")
    code, report = run(path, "--media", media_folder)
    assert code == 0 and "2 updated" in report and "3 unchanged" in report
    assert before == {model: model.objects.count() for model in before}
    cranes = by_post(101)
    assert cranes.headline == "Harbour cranes are back in Kestrel Bay"
    assert cranes.slug == "harbour-cranes-return"  # the WordPress slug did not change, so neither does ours
    assert "1 April" in by_post(103).body


def test_a_story_deleted_here_is_not_brought_back(imported, fixtures, media_folder):
    from dateline.news import actions

    actions.delete_story(by_post(104))
    code, report = run(fixtures / "wordpress-export.xml", "--media", media_folder)
    assert code == 0 and "its story was deleted here after an earlier import: post 104" in report
    assert Story.objects.count() == 4


def test_a_bad_post_is_reported_the_others_come_in_and_nothing_is_half_written(db, fixtures):
    code, report = run(fixtures / "wordpress-bad-items.xml")
    assert code == 2  # the import ran, and says some posts failed
    assert "post 202 “Harbour dues to rise in April”: wp:post_date_gmt “2023-02-30 10:00:00” is not a date" in report
    assert "post 203" in report and "headline" in report
    assert set(Story.objects.values_list("headline", flat=True)) == {
        "Lifeboat crew honoured for winter rescue", "Coastal path reopens after landslip repairs"}
    # The failed post's new section and tag were rolled back with it.
    assert not Section.objects.filter(name="Orphan Desk").exists()
    assert not Tag.objects.filter(name="Tag 203").exists()


def test_a_dry_run_reads_everything_and_writes_nothing(db, fixtures):
    code, report = run(fixtures / "wordpress-export.xml", "--dry-run")
    assert code == 0 and "5 to create" in report
    assert not Story.objects.exists() and not Section.objects.exists()


def test_an_unreadable_file_is_one_clear_line_and_a_non_zero_exit(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"no such file"):
        call_command("import-wordpress", str(tmp_path / "missing.xml"), stdout=StringIO(), stderr=StringIO())
    not_wxr = tmp_path / "feed.xml"
    not_wxr.write_text("<feed><title>x</title></feed>")
    with pytest.raises(CommandError, match=r"not a WordPress export"):
        call_command("import-wordpress", str(not_wxr), stdout=StringIO(), stderr=StringIO())


def _world():
    """Every row an import made, by natural keys, so two imports can be compared."""
    def image_key(image_id):
        image = Image.objects.filter(pk=image_id).first()
        return image and (image.alt_text, image.width, image.height)

    def revision_data(data):
        data = dict(data)
        data["section"] = Section.objects.get(pk=data["section"]).slug
        data["authors"] = [Author.objects.get(pk=pk).slug for pk in data["authors"]]
        data["lead_image"] = image_key(data["lead_image"])
        return data

    stories = {}
    skip = {"id", "created_at", "modified_at", "section", "lead_image"}
    for story in Story.objects.order_by("slug"):
        fields = {f.attname: getattr(story, f.attname) for f in Story._meta.concrete_fields if f.attname not in skip}
        fields.pop("section_id"), fields.pop("lead_image_id")
        stories[story.slug] = {
            "fields": fields, "section": (story.section.name, story.section.slug, story.section.position),
            "lead": image_key(story.lead_image_id),
            "authors": list(story.bylines.values_list("author__slug", "position")),
            "tags": sorted(story.tags.values_list("name", "slug")),
            "redirects": sorted(Redirect.objects.filter(story=story).values_list("old_path", flat=True)),
            "revisions": [(r.number, r.kind, r.note, revision_data(r.data))
                          for r in Revision.objects.filter(story=story)],
            "events": sorted(StoryEvent.objects.filter(story=story).values_list("action", "note")),
            "mapping": list(ImportedItem.objects.filter(story=story).values_list(
                "origin", "external_id", "checksum", "original_url", "original_published_at")),
            "fingerprint": [(bytes(fp.signature), fp.shingles, sorted(fp.bands.values_list("value", flat=True)))
                            for fp in Fingerprint.objects.filter(story=story)],
            "search": _search_document(story),
        }
    return stories


def _search_document(story):
    """What the search index holds for the story (its time, fields, and whether it files it under its section)."""
    from django.db import connection

    from dateline.search.models import SearchDocument

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT key >> 31, headline, standfirst, tags, authors, section, body, facets "
                           "FROM search_fts_doc WHERE story_id = %s", [story.pk])
            return [(*row[:-1], row[-1] == f"s{story.section_id}") for row in cursor.fetchall()]
    rows = list(SearchDocument.objects.filter(story_id=story.pk).values())
    for row in rows:
        del row["story_id"]
        row["section_id"] = row["section_id"] == story.section_id
    return rows


def _forget_everything():
    ImportedItem.objects.all().delete()
    Story.objects.all().delete()
    Section.objects.all().delete()
    Tag.objects.all().delete()
    Author.objects.all().delete()
    for image in Image.objects.all():
        image.file.delete(save=False)  # so the second import stores its files under the same names
    Image.objects.all().delete()


@pytest.mark.parametrize("export", ["wordpress-export.xml", "wordpress-bad-items.xml"])
def test_the_bulk_path_writes_exactly_what_the_per_post_path_writes(db, fixtures, media_folder, export):
    per_post = WordPressImport(fixtures / export, media=media_folder).run()
    expected = _world()
    assert any(story["search"] for story in expected.values())  # published stories, indexed
    _forget_everything()
    bulk = WordPressImport(fixtures / export, media=media_folder, bulk=True, batch_size=2).run()
    assert _world() == expected
    assert bulk.counts == per_post.counts
    assert bulk.failed == per_post.failed and dict(bulk.skipped) == dict(per_post.skipped)


def test_the_bulk_path_takes_a_slug_that_another_story_already_has(newsroom, fixtures):
    newsroom.story(newsroom.section(), "Harbour cranes return", slug="harbour-cranes-return")
    WordPressImport(fixtures / "wordpress-export.xml", bulk=True).run()
    assert by_post(101).slug == "harbour-cranes-return-2"


def test_mixed_encodings_and_a_bom_are_read_and_control_characters_dropped(db, fixtures, tmp_path):
    raw = (fixtures / "wordpress-export.xml").read_bytes()
    # A UTF-8 file with a BOM, one title in Windows-1252 (as old databases mixed them) and a stray control byte.
    raw = b"\xef\xbb\xbf" + raw.replace("Café owners say “no”".encode(), b"Caf\xe9 owners say \x93no\x94 \x0b")
    path = tmp_path / "mixed.xml"
    path.write_bytes(raw)
    code, report = run(path)
    assert code == 0, report
    assert by_post(102).headline == "Café owners say “no” to rent rise & parking fees"


def test_fingerprints_are_stored_for_imported_stories(imported):
    assert Fingerprint.objects.filter(story=by_post(101)).exists()
    assert FingerprintBand.objects.filter(fingerprint__story=by_post(101)).count() == 16
    assert ImportedImage.objects.count() == 3


def _generated_export(path, posts=60):
    """A WXR with many posts over a few categories and tags, their words drawn from a small vocabulary."""
    import random

    rnd = random.Random(3)
    words = ("harbour council ferry budget school river bridge market festival storm quay crane port tide "
             "rail station museum library farmers fishing boats permit levy summit election").split()
    items = []
    for n in range(posts):
        title = " ".join(rnd.sample(words, 5)).capitalize()
        body = "\n\n".join(" ".join(rnd.choice(words) for _ in range(30)) + "." for _ in range(3))
        category = rnd.choice(["local", "business", "sport"])
        tags = "".join(f'<category domain="post_tag" nicename="{t}"><![CDATA[{t.title()}]]></category>'
                       for t in rnd.sample(["port", "ferry", "rates", "boats"], rnd.randint(0, 2)))
        status = "draft" if n % 9 == 0 else "publish"
        items.append(
            f"<item><title>{title}</title><link>https://gen.example.org/{n}/</link>"
            f"<dc:creator>ed</dc:creator><content:encoded><![CDATA[{body}]]></content:encoded>"
            f"<wp:post_id>{500 + n}</wp:post_id><wp:post_date_gmt>2024-01-01 {n // 60:02d}:{n % 60:02d}:00"
            f"</wp:post_date_gmt><wp:post_name>gen-{n}</wp:post_name><wp:status>{status}</wp:status>"
            f"<wp:post_type>post</wp:post_type>"
            f'<category domain="category" nicename="{category}"><![CDATA[{category.title()}]]></category>{tags}</item>'
        )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/'
        'content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">'
        "<channel><title>Gen</title><link>https://gen.example.org</link><wp:wxr_version>1.2</wp:wxr_version>"
        + "".join(items) + "</channel></rss>", encoding="utf-8")
    return path


@pytest.mark.parametrize("candidates, parallel", [(4, False), (12, True), (300, False), (300, True)])
def test_the_bulk_path_leaves_search_and_related_stories_as_the_signals_would(db, client, tmp_path, monkeypatch,
                                                                               candidates, parallel):
    from dateline.enrich import related
    from dateline.enrich.models import RelatedStory
    from dateline.search.backends import get_backend

    # Small pools too, so which stories make the cut matters.
    monkeypatch.setattr(related, "CANDIDATES", candidates)
    if parallel:  # scored in forked processes, several small parts each
        monkeypatch.setattr(related, "PARALLEL_FROM", 1)
        monkeypatch.setattr(related, "PART", 7)
    report = WordPressImport(_generated_export(tmp_path / "gen.xml"), bulk=True, batch_size=25).run()
    assert report.counts["created"] == 60 and report.ok
    published = set(Story.objects.filter(status=Story.Status.PUBLISHED).values_list("pk", flat=True))
    assert len(published) == 53
    assert get_backend().indexed_ids() == published
    story = Story.objects.filter(pk__in=published).first()
    response = client.get("/search/", {"q": story.headline})
    assert response.status_code == 200 and story.get_absolute_url() in response.content.decode()

    def links():
        return sorted(RelatedStory.objects.values_list("story_id", "related_id", "score"))

    in_batch = links()
    assert {pk for pk, _, _ in in_batch} == published
    for story in Story.objects.filter(pk__in=published):
        related.refresh(story)  # what the per-story signal computes
    assert links() == in_batch


def test_the_bulk_path_purges_the_stored_pages_the_new_stories_join(db, web, store, fixtures):
    assert web.get("/").status == 200 and store.get("/") is not None  # the home page, stored before the import
    WordPressImport(fixtures / "wordpress-export.xml", bulk=True).run()
    assert store.get("/") is None
    cranes = by_post(101)
    assert cranes.headline in web.get("/").text
    assert web.get("/?p=101")["Location"] == cranes.get_absolute_url()


def test_related_stories_scored_in_processes_are_the_rows_one_process_writes_in_the_same_order(db, tmp_path,
                                                                                               monkeypatch):
    from dateline.enrich import related
    from dateline.enrich.models import RelatedStory

    WordPressImport(_generated_export(tmp_path / "gen.xml", posts=120), bulk=True, batch_size=40).run()
    published = list(Story.objects.filter(status=Story.Status.PUBLISHED).order_by("pk").values_list("pk", flat=True))
    monkeypatch.setattr(related, "CANDIDATES", 20)
    monkeypatch.setattr(related, "PART", 9)

    def rows():
        return list(RelatedStory.objects.order_by("pk").values_list("story_id", "related_id", "score"))

    assert related.refresh_many(published, batch=25, workers=1) == len(published)
    alone = rows()
    assert len(alone) > 4 * len(published)
    RelatedStory.objects.all().delete()
    pools = []

    class Pool(related.ProcessPoolExecutor):  # the real pool, counted: the work did go to other processes
        def __init__(self, *args, **kwargs):
            pools.append(args[0])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(related, "ProcessPoolExecutor", Pool)
    assert related.refresh_many(published, batch=25, workers=2) == len(published)
    assert pools == [2] and rows() == alone
