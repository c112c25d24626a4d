from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DeskConfig(AppConfig):
    name = "dateline.desk"
    label = "desk"
    verbose_name = "Editorial desk"

    def ready(self):
        from . import headlines, roles

        post_migrate.connect(roles.ensure_roles, dispatch_uid="desk.roles")
        post_migrate.connect(headlines.ensure, dispatch_uid="desk.headlines")
