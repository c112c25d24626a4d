from django.apps import AppConfig


class EnrichConfig(AppConfig):
    name = "dateline.enrich"
    label = "enrich"
    verbose_name = "Enrichment"

    def ready(self):
        from dateline.news import signals

        from . import handlers

        signals.story_published.connect(handlers.refresh_related, dispatch_uid="enrich.published")
        signals.story_changed.connect(handlers.refresh_related_on_change, dispatch_uid="enrich.changed")
