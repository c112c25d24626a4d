from django.core.management.base import BaseCommand, CommandError

from dateline.ingest.models import Wire
from dateline.ingest.wires import agency_named
from dateline.news.models import Section


class Command(BaseCommand):
    help = "Subscribe to an agency feed that `dateline poll-wires` will fetch (or change one)."

    def add_arguments(self, parser):
        parser.add_argument("url", help="the feed's http(s) address")
        parser.add_argument("--agency", required=True, metavar="NAME", help="the agency credited on its copy")
        parser.add_argument("--name", metavar="NAME", help="a name for the wire (default: the agency's)")
        parser.add_argument("--section", metavar="SLUG", help="the section stories from it go to by default")
        parser.add_argument("--inactive", action="store_true", help="keep it, but do not poll it")

    def handle(self, *args, url, agency, name, section, inactive, **options):
        if not url.startswith(("http://", "https://")):
            raise CommandError("the feed address must start with http:// or https://")
        target = None
        if section:
            target = Section.objects.filter(slug=section).first()
            if target is None:
                raise CommandError(f"no section with the slug {section!r}")
        source = agency_named(agency)
        wire, created = Wire.objects.update_or_create(url=url, defaults={
            "name": name or source.name, "agency": source, "section": target, "active": not inactive})
        self.stdout.write(f"{'Added' if created else 'Updated'} wire {wire.pk}: {wire.name} ← {url}")
