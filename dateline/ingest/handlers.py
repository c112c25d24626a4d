"""Receivers of the newsroom's signals, connected in ``IngestConfig.ready``.

They run inside the action's transaction (see ``dateline.news.signals``), so a
fingerprint is stored with the story or not at all.
"""

from . import dedupe

# Fields whose change changes a story's text, and so its fingerprint.
TEXT_FIELDS = {"headline", "standfirst", "body"}


def fingerprint_new_story(sender, story, **kwargs):
    dedupe.remember_story(story)


def fingerprint_changed_story(sender, story, changed, **kwargs):
    if changed & TEXT_FIELDS:
        dedupe.remember_story(story)
