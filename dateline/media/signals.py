"""Signals of the media library, sent with ``sender=Image`` inside the action's
transaction (see ``dateline.news.signals`` for what that means for receivers)."""

from django.dispatch import Signal

# image: the Image just added to the library, with its renditions.
image_uploaded = Signal()

# image: the Image after the edit; changed: set of field names that changed.
# Pages that show the image (its alt text, caption, credit, crop) are stale.
image_changed = Signal()
