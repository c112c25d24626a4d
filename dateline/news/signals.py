"""Every domain signal of the newsroom, in one place.

Actions in ``dateline.news.actions`` send them inside their transaction, so a
receiver that writes to the database (search index, related stories) commits
or rolls back with the change. A receiver that talks to anything outside the
database (page store purge, CDN) must wrap its work in
``transaction.on_commit``.

Every signal is sent with ``sender=Story`` (or the model named) and these
keyword arguments:
"""

from django.dispatch import Signal

# story: the new Story (a draft).
story_created = Signal()

# story: the Story just made visible (or scheduled to be, at story.published_at);
# was_visible: whether readers could see it just before (then a new time moves it
# in every list); previous_published_at: its publication time before this call.
story_published = Signal()

# story: the Story taken off the public site; old_url: the address it had.
story_unpublished = Signal()

# story: the Story after the edit; changed: set of field names that changed;
# old_url: its address before the edit (differs from the new one on a move or
# slug change); was_visible: whether readers could see it before the edit;
# previous: what placed it in lists before the edit, {"section_id": id,
# "tag_ids": [ids], "author_ids": [ids], "published_at": datetime or None}
# (not sent for a correction, which moves nothing).
story_changed = Signal()

# story_id, section_id, old_url, was_visible, tag_ids, author_ids: what the
# deleted story was and which lists it was in.
story_deleted = Signal()

# sender=Pick; no arguments: the set of live editors' picks may have changed.
picks_changed = Signal()

# sender=Section; section: the section created, renamed or reordered.
section_changed = Signal()
