"""Related stories by a simple, bounded text similarity.

Each story stores its keywords at save (see ``Story.derive``). A story's
candidates are the most recent published stories of its section and those that
share a tag with it; they are scored by the overlap of keywords (Jaccard) plus
a bonus per shared tag. The work per story is bounded, whatever the size of the
archive.
"""

from django.db import transaction

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


def most_related(story):
    """The most related story readers may see, or None. One query."""
    return (
        Story.objects.published()
        .teasers()
        .filter(related_from__story=story)
        .order_by("-related_from__score", "related_from__id")
        .first()
    )
