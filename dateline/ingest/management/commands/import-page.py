import json

from django.core.management.base import BaseCommand, CommandError

from dateline.ingest.errors import IngestError
from dateline.ingest.pages import import_page
from dateline.news.models import Section


class Command(BaseCommand):
    help = ("Import one web page (HTML, or text scraped from a news page) as a draft story, "
            "credited to the original publication, with its canonical URL.")

    def add_arguments(self, parser):
        parser.add_argument("page", help="a file (HTML or plain text) or an http(s) URL")
        parser.add_argument("--source", default="", metavar="NAME",
                            help="the original publication, credited on the story (default: what the page says)")
        parser.add_argument("--section", metavar="SLUG", help="the story's section (default: the first section)")
        parser.add_argument("--dry-run", action="store_true", help="extract and show, save nothing")
        parser.add_argument("--json", action="store_true",
                            help='print {"title", "date", "author", "body"} as JSON')

    def handle(self, *args, page, source, section, dry_run, json: bool, **options):
        target = None
        if section:
            target = Section.objects.filter(slug=section).first()
            if target is None:
                raise CommandError(f"no section with the slug {section!r}")
        try:
            result = import_page(page, source_name=source, section=target, dry_run=dry_run)
        except IngestError as exc:
            raise CommandError(str(exc)) from None
        if json:
            self.stdout.write(_dumps(result.extract.as_json()))
        else:
            found = result.extract
            self.stdout.write(f"Title:  {found.title}\nDate:   {found.date or '—'}\nAuthor: {found.author or '—'}\n"
                              f"Source: {source or found.publication or '—'}\n"
                              f"URL:    {found.canonical_url or '—'}\n\n{found.body}\n")
        if dry_run:
            return
        story = result.story
        where = f"story {story.pk} “{story.headline}”"
        if result.already:
            self.stderr.write(f"Already imported as {where}; nothing new saved.")
        else:
            self.stderr.write(f"Saved as a draft: {where}.")
        for match in result.duplicates:
            if not (match.kind == "story" and match.obj.pk == story.pk):
                self.stderr.write(f"Note: {match.percent}% like {match.kind} {match.obj.pk} “{match.obj}”.")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
