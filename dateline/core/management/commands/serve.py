import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from dateline.core.db import refresh_statistics
from dateline.core.server import run


class Command(BaseCommand):
    help = "Run Dateline with a production-grade server (gunicorn + uvicorn workers); migrates the database first."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("DATELINE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("DATELINE_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core, at least 2)")
        parser.add_argument("--no-migrate", action="store_true", help="do not apply migrations at start")

    def handle(self, *args, host, port, workers, no_migrate, **options):
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}")
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        refresh_statistics()
        self.stdout.write(f"Dateline serving {settings.DATELINE['SITE_NAME']} at http://{host}:{port}/ "
                          f"(home: {settings.HOME})")
        self.stdout.flush()
        run(host, port, workers)
