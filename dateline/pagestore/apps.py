from django.apps import AppConfig


class PagestoreConfig(AppConfig):
    name = "dateline.pagestore"
    label = "pagestore"
    verbose_name = "Page store"

    def ready(self):
        from dateline.news import signals

        from . import handlers, store  # noqa: F401  (store connects its settings receiver)

        for name in ("story_published", "story_unpublished", "story_changed", "story_deleted",
                     "picks_changed", "section_changed"):
            getattr(signals, name).connect(getattr(handlers, name), dispatch_uid=f"pagestore.{name}")
        from dateline.media.signals import image_changed

        image_changed.connect(handlers.image_changed, dispatch_uid="pagestore.image_changed")

        from django.db.models.signals import post_save, pre_delete

        from dateline.news.models import Author, Source, Tag

        for model in (Author, Source, Tag):
            post_save.connect(handlers.named_changed, sender=model, dispatch_uid=f"pagestore.saved.{model.__name__}")
            # Before the delete: its bylines, credits and tag links are still there to follow.
            pre_delete.connect(handlers.named_changed, sender=model,
                               dispatch_uid=f"pagestore.deleted.{model.__name__}")
