from django.apps import AppConfig
from django.db.models.signals import post_migrate


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
        post_migrate.connect(handlers.migrated, sender=self, dispatch_uid="search.migrated")
