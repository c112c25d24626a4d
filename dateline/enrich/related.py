"""Related stories by a simple, bounded text similarity.

Each story stores its keywords at save (see ``Story.derive``). A story's
candidates are the most recent published stories of its section and those that
share a tag with it; they are scored by the overlap of keywords (Jaccard) plus
a bonus per shared tag. The work per story is bounded, whatever the size of the
archive.
"""

import gc
import multiprocessing
import os
from array import array
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from itertools import compress, repeat
from operator import add, sub, truediv

from django.db import connection, transaction

from dateline.news.models import Story

from .models import RelatedStory

CANDIDATES = 300
KEEP = 5
TAG_BONUS = 0.08


def similarity(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def score_candidates(story, candidates) -> list[tuple[float, Story]]:
    mine = set(story.keywords.split())
    my_tags = set(story.tags.values_list("pk", flat=True))
    scored = []
    for other in candidates:
        shared_tags = len(my_tags & set(getattr(other, "tag_pks", ())))
        score = similarity(mine, set(other.keywords.split())) + TAG_BONUS * shared_tags
        if score > 0:
            scored.append((score, other))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].pk))
    return scored


def candidates_for(story):
    published = Story.objects.published().exclude(pk=story.pk).only("pk", "keywords")
    tag_pks = list(story.tags.values_list("pk", flat=True))
    pool = {s.pk: s for s in published.filter(section_id=story.section_id).newest_first()[:CANDIDATES]}
    if tag_pks:
        for s in published.filter(tags__in=tag_pks).newest_first().distinct()[:CANDIDATES]:
            pool.setdefault(s.pk, s)
    through = Story.tags.through.objects.filter(story_id__in=list(pool), tag_id__in=tag_pks)
    for story_id, tag_id in through.values_list("story_id", "tag_id"):
        pool[story_id].__dict__.setdefault("tag_pks", []).append(tag_id)
    return pool.values()


@transaction.atomic
def refresh(story) -> list[RelatedStory]:
    """Recompute and store ``story``'s related stories."""
    best = score_candidates(story, candidates_for(story))[:KEEP]
    RelatedStory.objects.filter(story=story).delete()
    return RelatedStory.objects.bulk_create(
        [RelatedStory(story=story, related=other, score=round(score, 4)) for score, other in best]
    )


def related_to(story, now=None):
    """The related stories of ``story`` (or a story id) readers may see, best first, as teasers."""
    return (
        Story.objects.published(now)
        .teasers()
        .filter(related_from__story=story)
        .order_by("-related_from__score", "related_from__id")
    )


def most_related(story):
    """The most related story readers may see, or None. One query."""
    return related_to(story).first()


# Below this many stories a bulk refresh scores in this process; starting workers would cost more.
PARALLEL_FROM = 2000
PART = 1000  # stories per job sent to a scoring process
_SHARED = {}  # what forked scoring processes read: set just before they start, cleared after


def refresh_many(story_ids, batch=5000, workers=None) -> int:
    """``refresh`` for many stories at once (a bulk import), with the same result.

    The candidates of a story are the newest stories of its section and of its
    tags; those lists are the same for every story of a section and every tag,
    so each is read once, not once per story. Keywords become bit masks over a
    shared vocabulary, so scoring a story against its few hundred candidates
    runs in C (``int.bit_count``). The links are written with one statement
    per batch. Returns the number of stories refreshed.

    With ``workers`` > 1 (default: one per core, from ``PARALLEL_FROM`` stories
    on, where the system can fork) the scoring is split across forked
    processes, which inherit what was read and never touch the database; this
    process writes the links of one part while they score the next, in the same
    order as a single process would, so the rows are the same.
    """
    ids = list(dict.fromkeys(story_ids))
    if not ids:
        return 0
    scorer = _Scorer(ids)
    parts, size = [], 0
    for key, stories in scorer.groups.items():
        for start in range(0, len(stories), PART):
            if not parts or size >= PART:
                parts.append([])
                size = 0
            parts[-1].append((key, start))
            size += min(PART, len(stories) - start)
    if workers is None:
        workers = (os.cpu_count() or 1) if len(ids) >= PARALLEL_FROM else 1
    workers = min(workers, len(parts))
    table = RelatedStory._meta.db_table
    links, pending, done = [], [], 0

    def write():
        with transaction.atomic():
            for start in range(0, len(pending), 5000):
                RelatedStory.objects.filter(story_id__in=pending[start:start + 5000]).delete()
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {table} (story_id, related_id, score) VALUES (%s, %s, %s)", links)
        links.clear()
        pending.clear()

    def scored_parts():
        if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            for part in parts:
                yield scorer.score_part(part)
            return
        _SHARED.update(scorer=scorer, parts=parts)
        # What the children inherit is kept out of the collector's sight, so they do not copy the
        # pages it would touch (copy on write).
        gc.freeze()
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                     initializer=_start_scoring) as pool:
                yield from pool.map(_score_part, range(len(parts)))
        finally:
            gc.unfreeze()
            _SHARED.clear()

    for pks, sources, targets, scores in scored_parts():
        links += zip(sources, targets, scores)
        pending += pks
        done += len(pks)
        if len(pending) >= batch:
            write()
    if pending:
        write()
    return done


def _start_scoring():
    """In a scoring process: no cycle collection (scoring makes no cycles, and it would touch the
    inherited objects), and on Linux, ended by the kernel when the refresh's process ends, however it ends."""
    gc.disable()
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _score_part(index):
    """In a forked scoring process: one part of the work, from what the parent read before forking."""
    return _SHARED["scorer"].score_part(_SHARED["parts"][index])


class _Scorer:
    """What ``refresh_many`` reads once, and the scoring of stories against it (no database after reading)."""

    def __init__(self, ids):
        published = Story.objects.published()
        through = Story.tags.through.objects
        when, words_of = {}, {}  # for every story in a candidate list: published_at, keywords

        def newest(queryset):
            # One more than kept: a story is left out of its own list.
            rows = list(queryset.newest_first().values_list("pk", "published_at", "keywords")[:CANDIDATES + 1])
            for pk, at, keywords in rows:
                when[pk], words_of[pk] = at, keywords.split()
            return [pk for pk, _, _ in rows]

        def tags_of(pks):
            found = {}
            pks = list(pks)
            for start in range(0, len(pks), 5000):
                for story_id, tag_id in through.filter(story_id__in=pks[start:start + 5000]).values_list(
                        "story_id", "tag_id"):
                    found.setdefault(story_id, set()).add(tag_id)
            return found

        # The stories to refresh, grouped by what their candidates depend on: section and tags.
        mine_tags = tags_of(ids)
        groups = {}
        for start in range(0, len(ids), 5000):
            for pk, section_id, keywords in Story.objects.filter(pk__in=ids[start:start + 5000]).values_list(
                    "pk", "section_id", "keywords"):
                groups.setdefault((section_id, frozenset(mine_tags.get(pk, ()))), []).append((pk, keywords))
        self.groups = groups

        self.by_section = {sid: newest(published.filter(section_id=sid)) for sid in {sid for sid, _ in groups}}
        self.by_tag = {tid: newest(published.filter(tags=tid)) for tid in set().union(*(t for _, t in groups))}
        candidate_tags = tags_of(when)
        # Each word of the candidates is one bit; the commonest get the low bits, which keeps masks short.
        frequency = Counter(word for words in words_of.values() for word in set(words))
        self.bit = {word: 1 << i for i, (word, _) in enumerate(frequency.most_common())}
        self.tag_bit = {t: 1 << i for i, t in enumerate(sorted(set().union(*candidate_tags.values(),
                                                                            *mine_tags.values())))}
        bit, tag_bit = self.bit, self.tag_bit
        self.column = {pk: (pk, sum(bit[w] for w in set(words)), len(set(words)),
                            sum(tag_bit[t] for t in candidate_tags.get(pk, ())))
                       for pk, words in words_of.items()}
        self.by_tags = {}
        self.rank = {pk: i for i, pk in enumerate(sorted(when, key=lambda pk: (when[pk], pk), reverse=True))}
        self.section_columns = {sid: self.columns(listed) for sid, listed in self.by_section.items()}

    def columns(self, listed):
        """A candidate list as columns (ids, keyword masks, keyword counts, tag masks) for scoring in C."""
        return [list(c) for c in zip(*(self.column[pk] for pk in listed[:CANDIDATES]))] or [[], [], [], []]

    def without(self, listed, ready, pk):
        """The columns of ``listed`` for story ``pk``: left out of its own list, which then reaches one further."""
        if pk not in ready[0]:
            return ready
        at = ready[0].index(pk)
        out = [c[:at] + c[at + 1:] for c in ready]
        if len(listed) > CANDIDATES:
            for c, value in zip(out, self.column[listed[CANDIDATES]]):
                c.append(value)
        return out

    def tag_columns(self, tag_pks):
        """The newest stories with any of these tags, as one query with ``tags__in`` would list them."""
        if tag_pks not in self.by_tags:
            pks = set().union(*(self.by_tag[t] for t in tag_pks))
            listed = sorted(pks, key=self.rank.__getitem__)[:CANDIDATES + 1]
            self.by_tags[tag_pks] = (listed, self.columns(listed))
        return self.by_tags[tag_pks]

    @staticmethod
    def scored(ready, mine, m, my_tags):
        pks, masks, sizes, tag_masks = ready
        if mine:
            common = list(map(int.bit_count, map(m.__and__, masks)))
            scores = map(truediv, common, map(sub, map(len(mine).__add__, sizes), common))
        else:
            scores = repeat(0.0, len(pks))
        if my_tags:
            scores = map(add, scores, map(TAG_BONUS.__mul__, map(int.bit_count, map(my_tags.__and__, tag_masks))))
        scores = list(scores)
        if len(scores) > KEEP:
            # Only the few that can make the cut are sorted with their ids; all of it runs in C.
            lowest = sorted(scores)[-KEEP]
            return sorted(compress(zip(scores, pks), map(lowest.__le__, scores)), reverse=True)[:KEEP]
        return sorted(zip(scores, pks), reverse=True)

    def score_part(self, part):
        """The links of one part, [(group key, first story), …]: (story ids, link sources, targets, scores)."""
        pks, sources, targets, scores = array("q"), array("q"), array("q"), array("d")
        zeros, bit, scored = repeat(0), self.bit, self.scored
        for (section_id, tag_pks), first in part:
            section_list, section_ready = self.by_section[section_id], self.section_columns[section_id]
            tag_list, tag_ready = self.tag_columns(tag_pks) if tag_pks else ([], None)
            my_tags = sum(self.tag_bit[t] for t in tag_pks)
            for pk, keywords in self.groups[(section_id, tag_pks)][first:first + PART]:
                mine = set(keywords.split())
                m = sum(map(bit.get, mine, zeros))
                best = scored(self.without(section_list, section_ready, pk), mine, m, my_tags)
                if tag_ready is not None:
                    # A story on both lists scores the same on each: the best of both, each story once.
                    best = sorted(set(best + scored(self.without(tag_list, tag_ready, pk), mine, m, my_tags)),
                                  reverse=True)
                for score, other in best[:KEEP]:
                    if score > 0:
                        sources.append(pk)
                        targets.append(other)
                        scores.append(round(score, 4))
                pks.append(pk)
        return pks, sources, targets, scores
