from django.core.management.base import BaseCommand

from dateline.media.renditions import backfill


class Command(BaseCommand):
    help = "Make the responsive renditions of every image that has none (older rows, imports)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="remake them for every image")

    def handle(self, *args, force, **options):
        made = backfill(force=force, log=self.stderr.write)
        self.stdout.write(f"Made renditions for {made} image{'s' if made != 1 else ''}.")
