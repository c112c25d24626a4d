from . import related

# Fields whose change can change what a story is related to.
RELEVANT = {"headline", "standfirst", "body", "section", "tags"}


def refresh_related(sender, story, **kwargs):
    related.refresh(story)


def refresh_related_on_change(sender, story, changed, **kwargs):
    if changed & RELEVANT and story.is_visible():
        related.refresh(story)
