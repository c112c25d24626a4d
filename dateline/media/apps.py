from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "dateline.media"
    label = "media"
    verbose_name = "Media library"

    def ready(self):
        from django.db.models.signals import post_delete

        from dateline.news.models import Image

        from . import handlers

        post_delete.connect(handlers.delete_files, sender=Image, dispatch_uid="media.delete_files")
