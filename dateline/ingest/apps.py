from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "dateline.ingest"
    label = "ingest"
    verbose_name = "Ingest: WordPress, wires, web pages"

    def ready(self):
        from dateline.news import signals

        from . import handlers

        signals.story_created.connect(handlers.fingerprint_new_story, dispatch_uid="ingest.fingerprint.created")
        signals.story_changed.connect(handlers.fingerprint_changed_story, dispatch_uid="ingest.fingerprint.changed")
