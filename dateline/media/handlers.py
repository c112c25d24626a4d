"""Receivers of the media library."""

from django.db import transaction


def delete_files(sender, instance, **kwargs):
    """A deleted image takes its renditions with it, and its original when no
    other row points at the same file. After commit: a rolled-back delete must
    still find its files."""
    storage = instance.file.storage
    names = [r["name"] for r in instance.renditions or [] if r.get("name")]
    if instance.file.name and not sender.objects.filter(file=instance.file.name).exists():
        names.append(instance.file.name)

    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)
