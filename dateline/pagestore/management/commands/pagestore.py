from datetime import datetime, timezone

from django.core.management.base import BaseCommand, CommandError

from dateline.pagestore.store import enabled, get_store, purge_tags


class Command(BaseCommand):
    help = "Look after the page store: `stats`, `clear` (drop every stored page), `purge TAG…`."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["stats", "clear", "purge"])
        parser.add_argument("tags", nargs="*", help="for purge: tags such as story:12 or list:site")

    def handle(self, *args, action, tags, **options):
        if not enabled():
            self.stdout.write("The page store is off (DATELINE_PAGE_STORE=off); nothing is stored.")
        store = get_store()
        if action == "clear":
            count = store.clear()
            self.stdout.write(f"Cleared {count} stored pages and fragments from {store!r}.")
        elif action == "purge":
            if not tags:
                raise CommandError("purge needs at least one tag, e.g. `dateline pagestore purge story:12`")
            keys = purge_tags(tags)
            self.stdout.write(f"Purged {len(keys)} entries.")
        else:
            for name, value in store.stats().items():
                if name == "next_due" and value is not None:
                    value = datetime.fromtimestamp(value, timezone.utc).isoformat(timespec="seconds")
                self.stdout.write(f"{name}: {value}")
