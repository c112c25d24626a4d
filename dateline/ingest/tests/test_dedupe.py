"""Never twice: near-duplicate copy is found across stories, wire items and imports."""

from dateline.ingest import dedupe, wires
from dateline.ingest.models import Fingerprint
from dateline.news import actions

COPY = [
    "The regional water board will raise charges for households by six per cent from April, its chair told "
    "councillors on Wednesday, blaming the cost of replacing pipes laid more than a century ago.",
    "Farmers in the valley, who pay a separate tariff, will see no change until the autumn review.",
    "Opposition members asked for the board's maintenance accounts to be published before any vote is taken.",
]
OTHER = ("A new ferry between Port Lenning and the Halden Islands will run twice a day through the summer, the "
         "operator said, with a larger vessel on loan from a northern company while its own is refitted.")


def edited(paragraphs):
    """The same copy as another outlet might run it: a word changed, a sentence added."""
    out = [p.replace("Wednesday", "Wednesday evening") for p in paragraphs]
    return out + ["The board meets again next month."]


def test_a_lightly_edited_story_is_found_and_unrelated_copy_is_not(newsroom):
    world = newsroom.section()
    original = newsroom.story(world, "Water charges to rise by six per cent", paragraphs=COPY)
    newsroom.story(world, "Summer ferry timetable announced", paragraphs=[OTHER])
    matches = dedupe.find_near_duplicates("Water charges to rise\n" + "\n".join(edited(COPY)))
    assert [(m.kind, m.obj) for m in matches] == [("story", original)]
    assert 0.5 <= matches[0].similarity < 1
    assert dedupe.find_near_duplicates(OTHER + " It will stop at Marsh End on request.")[0].obj.headline == (
        "Summer ferry timetable announced")
    assert dedupe.find_near_duplicates("Completely different words about a chess tournament in a small town "
                                       "library that drew forty players on a rainy Saturday afternoon.") == []


def test_wire_items_are_fingerprinted_and_found(db):
    copy = wires.WireCopy(guid="w-1", headline="Water charges to rise", body="".join(f"<p>{p}</p>" for p in COPY),
                          format="ninjs")
    item, _ = wires.receive(copy, wires.agency_named("Meridian Press Agency"))
    matches = dedupe.find_near_duplicates("\n".join(edited(COPY)))
    assert [(m.kind, m.obj) for m in matches] == [("wire", item)]


def test_a_story_edit_updates_its_fingerprint_through_the_signal(newsroom):
    story = newsroom.story(newsroom.section(), "Water charges", paragraphs=COPY)
    before = bytes(Fingerprint.objects.get(story=story).signature)
    actions.update_story(story, body=f"<p>{OTHER}</p>")
    assert bytes(Fingerprint.objects.get(story=story).signature) != before
    assert dedupe.find_near_duplicates("\n".join(COPY)) == []
    assert dedupe.find_near_duplicates(OTHER)[0].obj == story


def test_a_story_made_from_wire_copy_is_not_flagged_against_its_own_item(db):
    copy = wires.WireCopy(guid="w-2", headline="Water charges to rise", body="".join(f"<p>{p}</p>" for p in COPY),
                          format="ninjs")
    item, _ = wires.receive(copy, wires.agency_named("Meridian Press Agency"))
    other, _ = wires.receive(wires.WireCopy(guid="x-9", headline="Water bills up", format="rss",
                                            body="".join(f"<p>{p}</p>" for p in edited(COPY))),
                             wires.agency_named("Castleford Regional Wire"))
    story = wires.story_from_wire(item)
    item.refresh_from_db()
    found = dedupe.duplicates_of_wire_items([item, other])
    assert [(m.kind, m.obj) for m in found[item.pk]] == [("wire", other)]
    assert {(m.kind, m.obj.pk) for m in found[other.pk]} == {("wire", item.pk), ("story", story.pk)}


def test_short_texts_have_no_fingerprint(db):
    assert dedupe.signature(dedupe.shingles("Breaking: more soon")) is None
    assert dedupe.find_near_duplicates("Breaking: more soon") == []


def test_signatures_estimate_overlap():
    a = dedupe.signature(dedupe.shingles(" ".join(COPY)))
    b = dedupe.signature(dedupe.shingles(" ".join(edited(COPY))))
    c = dedupe.signature(dedupe.shingles(OTHER * 3))
    assert dedupe.similarity(a, a) == 1.0
    assert dedupe.similarity(a, b) > 0.5 > dedupe.similarity(a, c)
