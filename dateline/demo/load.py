"""Fill a site with the demo newsroom, or with many synthetic stories for scale work.

The demo stories go through the same actions as the desk (create, publish,
pick), so they exercise the real write path. Synthetic stories are inserted in
bulk for speed but get every derived field from the same ``Story.derive``.
"""

import multiprocessing
import os
import random
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from dateline.news import actions
from dateline.news.models import Author, Byline, Credit, Image, Section, Source, Story, Tag
from dateline.news.text import paragraphs_to_html
from dateline.search.index import index_stories

from . import cast, images


def demo_stories() -> list[dict]:
    from .stories_a import STORIES as first
    from .stories_b import STORIES as second

    return [*first, *second]


def ensure_cast():
    """The demo sections, authors and sources, created where missing."""
    for position, (name, slug, description) in enumerate(cast.SECTIONS):
        if not Section.objects.filter(slug=slug).exists():
            actions.save_section(Section(name=name, slug=slug, description=description, position=position))
    for name, slug, bio in cast.AUTHORS:
        Author.objects.get_or_create(slug=slug, defaults={"name": name, "bio": bio})
    for name, slug, kind, url in cast.SOURCES:
        Source.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind, "url": url})


def has_demo() -> bool:
    return Story.objects.filter(slug=slugify(demo_stories()[0]["headline"])).exists()


@transaction.atomic
def load_demo(log=print) -> int:
    """Create the demo newsroom. Returns the number of stories created."""
    ensure_cast()
    sections = {s.slug: s for s in Section.objects.all()}
    authors = {a.slug: a for a in Author.objects.all()}
    sources = {s.slug: s for s in Source.objects.all()}
    now = timezone.now().replace(second=0, microsecond=0)
    by_headline, picks = {}, []
    for n, item in enumerate(demo_stories()):
        image = None
        if item.get("image"):
            spec = item["image"]
            image = Image(alt_text=spec["alt"], caption=spec["caption"], credit=spec["credit"])
            image.file.save(f"demo-{n}-{spec['motif']}.jpg", ContentFile(images.draw(spec["motif"], n)), save=False)
            from dateline.media.renditions import make_renditions

            make_renditions(image)  # before the first save, so the row goes in whole
            image.save()
        story = actions.create_story(
            headline=item["headline"],
            section=sections[item["section"]],
            standfirst=item["standfirst"],
            body=paragraphs_to_html(item["paragraphs"]),
            canonical_url=item.get("syndicated_from") or "",
            lead_image=image,
            authors=[authors[a] for a in item["authors"]],
            credits=[(sources[s], role) for s, role in item["credits"]],
            tags=item["tags"],
        )
        story = actions.publish_story(story, at=now - timedelta(hours=item["hours_ago"]))
        by_headline[item["headline"]] = story
        if item.get("pick"):
            picks.append(story)
    for item in demo_stories():
        if item.get("related_to"):
            actions.update_story(by_headline[item["headline"]], also_read=by_headline[item["related_to"]])
    picks.sort(key=lambda s: s.published_at, reverse=True)
    actions.set_picks(picks[:4])
    log(f"Demo newsroom: {len(by_headline)} stories in {len(sections)} sections, "
        f"{len(authors)} authors, {len(sources)} sources, {len(picks[:4])} picks.")
    return len(by_headline)


# Synthetic stories: plausible enough to read, cheap enough to make by the hundred thousand.
PLACES = ["Kestrel Bay", "Ardmore Vale", "Port Lenning", "Castleford Reach", "the Halden Islands",
          "Brightwater", "Orrin County", "Marsh End", "Tollgate", "the Northern Plateau", "Lowmoor",
          "Saltmarsh", "Elder Ridge", "the Corran Delta", "Wexley", "Fenwick"]
SUBJECTS = ["Councillors", "Regional officials", "Local farmers", "Port operators", "Researchers",
            "Health officials", "Rail workers", "Teachers", "Residents", "Engineers", "Fishermen",
            "Transport planners", "Small businesses", "Students", "Volunteers", "Water engineers"]
VERBS = ["approve", "reject", "delay", "expand", "review", "launch", "question", "welcome", "fund",
         "debate", "pause", "back", "warn over", "plan", "test", "challenge"]
OBJECTS = ["new harbour plan", "bus timetable", "flood defences", "school budget", "clinic hours",
           "wind farm", "market reforms", "bridge repairs", "housing scheme", "library closures",
           "water tariffs", "festival funding", "cycle lanes", "fishing quotas", "broadband rollout",
           "night train service"]
SENTENCES = [
    "{subject} in {place} said on {day} that the {object} would be reviewed before the end of the month.",
    "The decision follows months of consultation with residents, who raised concerns about cost and timing.",
    "“We have listened carefully and we believe this is the right balance,” a spokesperson said.",
    "Critics argue that the {object} does little to address the underlying problems in {place}.",
    "Figures published last quarter showed demand rising by {pct} per cent compared with a year earlier.",
    "Officials expect the first changes to take effect within {weeks} weeks, subject to final approval.",
    "Opposition members called for an independent assessment before any money is committed.",
    "Similar measures were tried in {place2} two years ago with mixed results.",
    "Local groups have organised a public meeting for next {day} to discuss the proposals.",
    "The budget set aside for the work amounts to {money} million, according to documents seen by reporters.",
    "Analysts said the outcome would depend largely on how quickly contractors could be hired.",
    "A final vote is expected after the summer recess.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
TAG_WORDS = ["Local Government", "Transport", "Housing", "Budget", "Infrastructure", "Schools",
             "Water", "Energy", "Fishing", "Health Services", "Protests", "Elections"]


def _paragraph(rnd, subject, obj, place):
    count = rnd.randint(2, 4)
    return " ".join(
        rnd.choice(SENTENCES).format(
            subject=subject, object=obj, place=place, place2=rnd.choice(PLACES), day=rnd.choice(DAYS),
            pct=rnd.randint(2, 40), weeks=rnd.randint(2, 12), money=rnd.randint(1, 90),
        )
        for _ in range(count)
    )


def _story_fields(rnd, sections, now, span):
    """One synthetic story's own fields; draws from ``rnd`` in a fixed order."""
    subject, verb, obj, place = (rnd.choice(SUBJECTS), rnd.choice(VERBS), rnd.choice(OBJECTS), rnd.choice(PLACES))
    headline = f"{subject} {verb} {obj} in {place}"
    paragraphs = [_paragraph(rnd, subject, obj, place) for _ in range(rnd.randint(3, 10))]
    return {
        "headline": headline,
        "standfirst": f"{subject} in {place} {verb} the {obj} after weeks of debate.",
        "body": paragraphs_to_html(paragraphs),
        "section_id": rnd.choice(sections).pk,
        "published_at": now - timedelta(seconds=rnd.randrange(60, span)),
    }


def _derived(rows):
    """``Story.derive`` for (headline, standfirst, body) triples: the fields it sets, in order.

    A plain function of the text, so it runs in worker processes too.
    """
    out = []
    for headline, standfirst, body in rows:
        story = Story(headline=headline, standfirst=standfirst, body=body)
        story.derive()
        out.append(tuple(getattr(story, name) for name in DERIVED))
    return out


DERIVED = ("body", "excerpt", "word_count", "reading_minutes", "keywords", "block_ends")
DERIVE_CHUNK = 250


class _Writer:
    """Inserts prepared rows with plain SQL: COPY on PostgreSQL, executemany elsewhere.

    Story ids are reserved up front (the sequence on PostgreSQL, past
    ``sqlite_sequence`` on SQLite), so bylines, tags and credits need no
    round trip to learn them.
    """

    def __init__(self):
        self.vendor = connection.vendor
        self.story_fields = [f for f in Story._meta.concrete_fields if not f.primary_key]
        self.prep = {
            f.attname: f for f in self.story_fields if f.get_internal_type() in ("DateTimeField", "JSONField")
        }
        self.defaults = {f.attname: f.get_default() for f in self.story_fields}

    def reserve_ids(self, count):
        table = Story._meta.db_table
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                               [table, count])
                return [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM " + connection.ops.quote_name(table))
            top = cursor.fetchone()[0]
            if self.vendor == "sqlite":
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                top = max(top, row[0] if row else 0)
        return list(range(top + 1, top + count + 1))

    def story_row(self, values):
        row = []
        for f in self.story_fields:
            value = values.get(f.attname, self.defaults[f.attname])
            if f.attname in self.prep:
                value = f.get_db_prep_save(value, connection)
            row.append(value)
        return row

    def insert(self, model, columns, rows):
        if not rows:
            return
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def stories(self, rows):
        columns = ["id", *(f.column for f in self.story_fields)]
        self.insert(Story, columns, rows)


def add_synthetic(count: int, seed: int = 1, batch: int = 2000, log=print, workers: int | None = None) -> int:
    """Add ``count`` published synthetic stories spread over the last three years.

    The same seed gives the same stories. Every derived field comes from
    ``Story.derive``; for big counts it runs in ``workers`` processes (default:
    one per CPU) while this one draws the next batch and writes the last.
    """
    if count < 1:
        raise ValueError("the number of stories must be at least 1")
    ensure_cast()
    rnd = random.Random(seed)
    sections = list(Section.objects.all())
    authors = list(Author.objects.all())
    sources = list(Source.objects.all())
    tags = [actions.tags_named([name])[0] for name in TAG_WORDS]
    now = timezone.now()
    span = 3 * 365 * 24 * 3600
    token = f"{seed}{rnd.randrange(36 ** 4):04x}"
    start = Story.objects.count()
    if workers is None:
        workers = (os.cpu_count() or 1) if count >= 20000 else 0
    writer = _Writer()

    def draw(made, size):
        """A batch's stories and their bylines, tags and credits, drawn in a fixed order."""
        stories = []
        for i in range(size):
            fields = _story_fields(rnd, sections, now, span)
            fields["slug"] = f"{slugify(fields['headline'])[:150]}-{token}-{start + made + i}"
            stories.append(fields)
        bylines = [rnd.choice(authors).pk for _ in stories]
        story_tags = [[tag.pk for tag in rnd.sample(tags, 2)] for _ in stories]
        credits = [(n, rnd.choice(sources).pk) for n in range(size) if rnd.random() < 0.3]
        return stories, bylines, story_tags, credits

    def write(drawn, derived):
        stories, bylines, story_tags, credits = drawn
        with transaction.atomic():
            ids = writer.reserve_ids(len(stories))
            rows = []
            for pk, fields, values in zip(ids, stories, derived):
                moment = timezone.now()
                fields.update(zip(DERIVED, values), status=Story.Status.PUBLISHED,
                              published_at=fields["published_at"].replace(microsecond=0),
                              created_at=moment, modified_at=moment)
                rows.append([pk, *writer.story_row(fields)])
            writer.stories(rows)
            writer.insert(Byline, ["story_id", "author_id", "position"],
                          [(pk, author, 0) for pk, author in zip(ids, bylines)])
            writer.insert(Story.tags.through, ["story_id", "tag_id"],
                          [(pk, tag) for pk, pair in zip(ids, story_tags) for tag in pair])
            writer.insert(Credit, ["story_id", "source_id", "role", "position"],
                          [(ids[n], source, Credit.Role.REPORTED_BY, 0) for n, source in credits])
            index_stories(ids)  # plain inserts send no signals

    def texts(drawn):
        rows = [(s["headline"], s["standfirst"], s["body"]) for s in drawn[0]]
        return [rows[i : i + DERIVE_CHUNK] for i in range(0, len(rows), DERIVE_CHUNK)]

    made = 0
    pool = multiprocessing.get_context("fork").Pool(workers) if workers > 1 else None
    try:
        pending = None  # (drawn batch, its derived fields being computed)
        while made < count or pending:
            ahead = None
            if made < count:
                size = min(batch, count - made)
                drawn = draw(made, size)
                made += size
                chunks = texts(drawn)
                ahead = (drawn, pool.map_async(_derived, chunks) if pool else chunks)
            if pending:
                drawn, job = pending
                derived = [row for chunk in (job.get() if pool else map(_derived, job)) for row in chunk]
                write(drawn, derived)
                done = made - (len(ahead[0][0]) if ahead else 0)
                if done % 20000 == 0 or done == count:
                    log(f"  {done:,} of {count:,} synthetic stories")
            pending = ahead
    finally:
        if pool:
            pool.terminate()
            pool.join()
    return made
