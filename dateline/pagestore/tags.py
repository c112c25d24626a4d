"""The tag vocabulary, and the helper views use to say what a response shows.

A tag names one thing a page shows; when that thing changes, every entry
carrying the tag is purged. The separator ``:`` never occurs in a slug, and tags
use ids, so a renamed slug keeps its tags.

    story:<id>          the page or fragment shows that story: its own page, a
                        teaser in a list, a neighbour's link, "Also read"
    neighbours:<id>     the story's own page, for what depends on its place among
                        the others: its previous/next links, and which shared
                        fragments it includes (see fragments.py)
    list:section:<id>   membership or order of that section's published stories
    list:tag:<id>       ... of a tag's stories
    list:author:<id>    ... of an author's stories
    list:site           ... of all published stories (home, "Don't miss" fill)
    picks               the editors' picks ("Don't miss")
    sections            the section navigation (every page draws it)
    image:<id>          the page may draw that image (a story's lead image)
"""

SITE = "list:site"
PICKS = "picks"
SECTIONS = "sections"


def story(pk) -> str:
    return f"story:{pk}"


def neighbours(pk) -> str:
    return f"neighbours:{pk}"


def section_list(pk) -> str:
    return f"list:section:{pk}"


def tag_list(pk) -> str:
    return f"list:tag:{pk}"


def author_list(pk) -> str:
    return f"list:author:{pk}"


def stories(items) -> set[str]:
    """``story:<id>`` for each story (or id) in ``items``; None is skipped."""
    return {story(getattr(s, "pk", s)) for s in items or () if s is not None}


def image(pk) -> str:
    return f"image:{pk}"


def shown(items) -> set[str]:
    """Tags for stories a page draws: each story, and its lead image (alt text,
    caption and crop are edited in the media library, apart from the story)."""
    found = set()
    for s in items or ():
        if s is not None:
            found.add(story(s.pk))
            if getattr(s, "lead_image_id", None):
                found.add(image(s.lead_image_id))
    return found


def tag_response(response, *tags, expires=None):
    """Mark ``response`` as showing ``tags`` (strings or sets of them); a response
    without tags is never stored. ``expires`` (a datetime) bounds how long it may be."""
    found = set(getattr(response, "page_store_tags", ()))
    for tag in tags:
        if isinstance(tag, str):
            found.add(tag)
        elif tag:
            found.update(tag)
    response.page_store_tags = found
    if expires is not None:
        at = expires.timestamp()
        current = getattr(response, "page_store_expires", None)
        response.page_store_expires = at if current is None else min(current, at)
    return response


def tags_of(response) -> frozenset:
    return frozenset(getattr(response, "page_store_tags", ()))
