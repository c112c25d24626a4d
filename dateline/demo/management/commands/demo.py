import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from dateline.core.db import refresh_statistics
from dateline.demo import load


class Command(BaseCommand):
    help = "Fill the site with the demo newsroom; --stories N adds N synthetic stories for scale work."

    def add_arguments(self, parser):
        parser.add_argument("--stories", type=int, default=None, metavar="N",
                            help="add N synthetic stories (fast bulk insert) instead of the demo newsroom")
        parser.add_argument("--seed", type=int, default=1, help="random seed for synthetic stories")

    def handle(self, *args, stories, seed, **options):
        call_command("migrate", interactive=False, verbosity=0)
        started = time.perf_counter()
        if stories is not None:
            if stories < 1:
                raise CommandError("--stories must be a positive number")
            load.add_synthetic(stories, seed=seed, log=self.stdout.write)
            refresh_statistics()
            self.stdout.write(f"Added {stories:,} synthetic stories in {time.perf_counter() - started:.1f} s.")
            return
        if load.has_demo():
            self.stdout.write("The demo newsroom is already here; nothing added.")
            return
        load.load_demo(log=self.stdout.write)
        self.stdout.write(f"Done in {time.perf_counter() - started:.1f} s.")
