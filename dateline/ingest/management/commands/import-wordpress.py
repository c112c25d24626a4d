import sys

from django.core.management.base import BaseCommand, CommandError

from dateline.ingest.errors import IngestError
from dateline.ingest.wordpress import WordPressImport


class Command(BaseCommand):
    help = ("Import a WordPress export (WXR): posts become stories, categories sections, old permalinks 301. "
            "Safe to run again: nothing is doubled, changes are updated.")

    def add_arguments(self, parser):
        parser.add_argument("export", help="the WordPress export file (Tools → Export → All content)")
        parser.add_argument("--media", metavar="DIR",
                            help="a copy of wp-content/uploads; images found there are imported")
        parser.add_argument("--timezone", metavar="ZONE",
                            help="the WordPress site's time zone, for posts without a GMT date (default: TIME_ZONE)")
        parser.add_argument("--default-section", default="News", metavar="NAME",
                            help="the section for posts without a category (default: News)")
        parser.add_argument("--bulk", action="store_true",
                            help="write new posts in batches, much faster; no per-story signals are sent")
        parser.add_argument("--dry-run", action="store_true", help="read and check everything, write nothing")
        parser.add_argument("--report", metavar="FILE", help="also write the full report as JSON to FILE")

    def handle(self, *args, export, media, timezone, default_section, bulk, dry_run, report, **options):
        try:
            run = WordPressImport(export, media=media, zone=timezone, default_section=default_section, bulk=bulk,
                                  dry_run=dry_run, progress=lambda m: self.stderr.write(m))
            result = run.run()
        except IngestError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(result))
        if report:
            result.write_json(report)
        if not result.ok:
            sys.exit(2)  # the import ran; some posts failed (listed above)
