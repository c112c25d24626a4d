"""Fill a site with the demo newsroom, or with many synthetic stories for scale work.

The demo stories go through the same actions as the desk (create, publish,
pick), so they exercise the real write path. Synthetic stories are inserted in
bulk for speed but get every derived field from the same ``Story.derive``.
"""

import random
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
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


def add_synthetic(count: int, seed: int = 1, batch: int = 2000, log=print) -> int:
    """Add ``count`` published synthetic stories spread over the last three years."""
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
    made = 0
    while made < count:
        size = min(batch, count - made)
        with transaction.atomic():
            stories = []
            for i in range(size):
                subject, verb, obj, place = (rnd.choice(SUBJECTS), rnd.choice(VERBS), rnd.choice(OBJECTS),
                                             rnd.choice(PLACES))
                headline = f"{subject} {verb} {obj} in {place}"
                paragraphs = [_paragraph(rnd, subject, obj, place) for _ in range(rnd.randint(3, 10))]
                story = Story(
                    headline=headline,
                    slug=f"{slugify(headline)[:150]}-{token}-{start + made + i}",
                    standfirst=f"{subject} in {place} {verb} the {obj} after weeks of debate.",
                    body=paragraphs_to_html(paragraphs),
                    section=rnd.choice(sections),
                    status=Story.Status.PUBLISHED,
                    published_at=now - timedelta(seconds=rnd.randrange(60, span)),
                )
                story.derive()
                stories.append(story)
            Story.objects.bulk_create(stories, batch_size=500)
            Byline.objects.bulk_create(
                [Byline(story=s, author=rnd.choice(authors), position=0) for s in stories], batch_size=1000
            )
            through = Story.tags.through
            rows = []
            for s in stories:
                for tag in rnd.sample(tags, 2):
                    rows.append(through(story_id=s.pk, tag_id=tag.pk))
            through.objects.bulk_create(rows, batch_size=1000)
            Credit.objects.bulk_create(
                [Credit(story=s, source=rnd.choice(sources), role=Credit.Role.REPORTED_BY)
                 for s in stories if rnd.random() < 0.3],
                batch_size=1000,
            )
            index_stories([s.pk for s in stories])  # bulk inserts send no signals
        made += size
        if made % 20000 == 0 or made == count:
            log(f"  {made:,} of {count:,} synthetic stories")
    return made
