from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete, pre_save


class SearchConfig(AppConfig):
    name = "dateline.search"
    label = "search"
    verbose_name = "Search"

    def ready(self):
        from dateline.news import signals

        from . import handlers

        signals.story_published.connect(handlers.story_published, dispatch_uid="search.published")
        signals.story_changed.connect(handlers.story_changed, dispatch_uid="search.changed")
        signals.story_unpublished.connect(handlers.story_unpublished, dispatch_uid="search.unpublished")
        signals.story_deleted.connect(handlers.story_deleted, dispatch_uid="search.deleted")
        signals.section_changed.connect(handlers.section_changed, dispatch_uid="search.section")
        from dateline.news.models import Author, Tag

        for model in (Author, Tag):
            pre_save.connect(handlers.name_before_save, sender=model, dispatch_uid=f"search.rename.{model.__name__}")
            post_save.connect(handlers.name_saved, sender=model, dispatch_uid=f"search.renamed.{model.__name__}")
        pre_delete.connect(handlers.tag_deleting, sender=Tag, dispatch_uid="search.tag-deleting")
        post_delete.connect(handlers.tag_deleted, sender=Tag, dispatch_uid="search.tag-deleted")
        post_migrate.connect(handlers.migrated, sender=self, dispatch_uid="search.migrated")
