import sys

from django.core.management.base import BaseCommand, CommandError

from dateline.ingest.errors import IngestError
from dateline.ingest.wires import ingest_folder


class Command(BaseCommand):
    help = ("Queue the NINJS (JSON) and NewsML-G2 (XML) files an agency dropped in DIR; "
            "each file is then moved to DIR/done or DIR/failed (with a .error.txt note).")

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="DIR")
        parser.add_argument("--agency", metavar="NAME", help="credit every item to this agency")
        parser.add_argument("--min-age", type=float, default=2.0, metavar="SECONDS",
                            help="leave files younger than this for the next run (default 2; they may be arriving)")

    def handle(self, *args, folder, agency, min_age, **options):
        try:
            report = ingest_folder(folder, agency=agency, min_age=min_age)
        except IngestError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(report))
        if not report.ok:
            sys.exit(2)  # some files failed; they are in DIR/failed with a note each
