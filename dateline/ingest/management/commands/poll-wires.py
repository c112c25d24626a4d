import sys

from django.core.management.base import BaseCommand

from dateline.ingest.wires import poll_wires


class Command(BaseCommand):
    help = ("Fetch every active agency wire (RSS, Atom, NINJS, NewsML-G2 over HTTP) once and queue new copy. "
            "Run it from a systemd timer or cron; see dateline/ingest/__init__.py.")

    def handle(self, *args, **options):
        report = poll_wires()
        self.stdout.write(str(report))
        if not report.ok:
            sys.exit(1)  # a wire failed: the timer's unit shows it, the message names the wire
