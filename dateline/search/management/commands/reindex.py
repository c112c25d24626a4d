import time

from django.core.management.base import BaseCommand

from dateline.search import index


class Command(BaseCommand):
    help = "Rebuild the search index from every published story."

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = index.rebuild(log=self.stdout.write)
        self.stdout.write(f"Indexed {count:,} published stories in {time.perf_counter() - started:.1f} s.")
