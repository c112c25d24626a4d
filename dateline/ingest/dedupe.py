"""Never take the same copy twice: near-duplicate detection by MinHash over word shingles.

A text becomes the set of its overlapping four-word shingles; two texts are
near-duplicates when those sets overlap a lot (Jaccard similarity). A MinHash
signature estimates that overlap from 64 small numbers, computed in one pass
(one-permutation hashing with densification), so fingerprinting a story costs
about a millisecond and needs no numpy.

To find candidates without comparing against every stored signature, the
signature is cut into 16 bands of 4 numbers (locality-sensitive hashing):
texts that share any band are compared; texts about 70 % alike share one
with 99 % probability, unrelated texts almost never do. Each band is one
indexed row in ``FingerprintBand``, so a lookup is one indexed query plus one
to fetch the candidates' signatures, whatever the size of the archive.
"""

import html
import re
import zlib
from dataclasses import dataclass
from hashlib import blake2b
from struct import Struct

from dateline.news import text as news_text

SHINGLE = 4
SLOTS = 64
BANDS = 16
ROWS = SLOTS // BANDS
THRESHOLD = 0.5  # estimated Jaccard similarity from which copy counts as the same
MIN_WORDS = 12  # shorter texts (an empty draft, a headline) say too little to compare

_TAG = re.compile(r"<[^>]*>")
_PACK = Struct(f"<{SLOTS}I")
_MASK = 0xFFFFFFFF
_SPREAD = 0x9E3779B1
_VALUE_BITS = 26  # 32-bit shingle hash = 6 bits of slot (64 slots) + 26 bits of value
_VALUE_MASK = (1 << _VALUE_BITS) - 1
_ROTATE = 0x85EBCA77  # odd constant: a borrowed slot differs from the one it borrows from


def shingles(text: str) -> set[int]:
    """32-bit hashes of the text's overlapping four-word shingles (empty for very short texts)."""
    words = news_text.words((text or "").lower())
    if len(words) < MIN_WORDS:
        return set()
    grams = map(str.encode, map(" ".join, zip(*(words[i:] for i in range(SHINGLE)))))
    # CRC-32 runs in C and is stable across processes (Python's hash() is not);
    # multiplying by an odd constant spreads its bits so the top ones can pick the slot.
    return {(h * _SPREAD) & _MASK for h in map(zlib.crc32, grams)}


def signature(hashes: set[int]) -> bytes | None:
    """The 64-slot MinHash signature of a shingle set, packed; None for an empty set."""
    if not hashes:
        return None
    slots = [None] * SLOTS
    for h in hashes:
        slot, value = h >> _VALUE_BITS, h & _VALUE_MASK
        current = slots[slot]
        if current is None or value < current:
            slots[slot] = value
    # Densify: an empty slot borrows from the next filled one to its right, so
    # that two similar texts fill their empty slots the same way.
    if None in slots:
        original = list(slots)
        for i in range(SLOTS):
            if original[i] is None:
                distance = 1
                while original[(i + distance) % SLOTS] is None:
                    distance += 1
                slots[i] = (original[(i + distance) % SLOTS] + distance * _ROTATE) & _MASK
    return _PACK.pack(*slots)


def bands(packed: bytes) -> list[int]:
    """The band keys of a signature; the band number is hashed in, so bands never collide with each other."""
    width = ROWS * 4
    return [
        int.from_bytes(blake2b(bytes([b]) + packed[b * width:(b + 1) * width], digest_size=8).digest(), "little",
                       signed=True)
        for b in range(BANDS)
    ]


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures."""
    return sum(x == y for x, y in zip(_PACK.unpack(a), _PACK.unpack(b), strict=True)) / SLOTS


def _plain(body: str) -> str:
    # Only the words matter here, so a regex is enough (and ten times cheaper than parsing).
    return html.unescape(_TAG.sub(" ", body or ""))


def story_text(story) -> str:
    return "\n".join(part for part in (story.headline, story.standfirst, _plain(story.body)) if part)


def wire_text(item) -> str:
    return "\n".join(part for part in (item.headline, item.summary, _plain(item.body)) if part)


@dataclass
class Match:
    """A stored story or wire item whose text is close to the one looked up."""

    kind: str  # "story" or "wire"
    obj: object
    similarity: float

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)


def fingerprint_rows(packed: bytes, count: int, *, story=None, wire_item=None):
    """An unsaved Fingerprint and its unsaved bands, for bulk writers."""
    from .models import Fingerprint, FingerprintBand

    fp = Fingerprint(story=story, wire_item=wire_item, signature=packed, shingles=count)
    return fp, [FingerprintBand(fingerprint=fp, value=v) for v in bands(packed)]


def remember(text: str, *, story=None, wire_item=None) -> None:
    """Store (or replace) the fingerprint of a story or wire item."""
    from .models import Fingerprint, FingerprintBand

    owner = {"story": story} if story is not None else {"wire_item": wire_item}
    Fingerprint.objects.filter(**owner).delete()
    hashes = shingles(text)
    packed = signature(hashes)
    if packed is None:
        return
    fp, rows = fingerprint_rows(packed, len(hashes), story=story, wire_item=wire_item)
    fp.save()
    FingerprintBand.objects.bulk_create(rows)


def remember_story(story) -> None:
    remember(story_text(story), story=story)


def remember_wire_item(item) -> None:
    remember(wire_text(item), wire_item=item)


def _matches(wanted: dict, threshold: float) -> dict:
    """For each key of ``wanted`` (key -> packed signature), the stored matches, best first."""
    from .models import Fingerprint, FingerprintBand

    by_band = {}
    for key, packed in wanted.items():
        for value in bands(packed):
            by_band.setdefault(value, []).append(key)
    if not by_band:
        return {}
    hits = FingerprintBand.objects.filter(value__in=list(by_band)).values_list("value", "fingerprint_id")
    candidates = {}
    for value, fp_id in hits:
        for key in by_band[value]:
            candidates.setdefault(fp_id, set()).add(key)
    found = {key: [] for key in wanted}
    stored = Fingerprint.objects.filter(pk__in=list(candidates)).select_related(
        "story__section", "wire_item__agency"
    )
    for fp in stored:
        for key in candidates[fp.pk]:
            score = similarity(wanted[key], bytes(fp.signature))
            if score >= threshold:
                if fp.story_id:
                    found[key].append(Match("story", fp.story, score))
                else:
                    found[key].append(Match("wire", fp.wire_item, score))
    for key in found:
        found[key].sort(key=lambda m: (-m.similarity, m.kind, m.obj.pk))
    return found


def find_near_duplicates(text: str, threshold: float = THRESHOLD) -> list[Match]:
    """Stories and wire items whose text is nearly ``text``, most similar first."""
    packed = signature(shingles(text))
    if packed is None:
        return []
    return _matches({0: packed}, threshold).get(0, [])


def duplicates_of_wire_items(items, threshold: float = THRESHOLD) -> dict:
    """For each wire item (by pk): the other stories and wire items that carry the same copy.

    Three queries for a whole page of the queue. The story already made from
    an item, and the item itself, are left out.
    """
    from .models import Fingerprint

    items = list(items)
    wanted = {
        fp.wire_item_id: bytes(fp.signature)
        for fp in Fingerprint.objects.filter(wire_item__in=[i.pk for i in items]).only("wire_item_id", "signature")
    }
    found = _matches(wanted, threshold)
    own_story = {i.pk: i.story_id for i in items}
    return {
        pk: [m for m in matches if not (m.kind == "wire" and m.obj.pk == pk)
             and not (m.kind == "story" and m.obj.pk == own_story.get(pk))]
        for pk, matches in found.items()
    }
