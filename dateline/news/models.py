"""The newsroom domain: sections, people, sources, stories and picks.

Stories change state only through ``dateline.news.actions``; the model itself
keeps its derived fields (sanitised body, word count, reading time, excerpt)
true on every save.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe

from . import paths, text

# First path segments the site uses itself; a section may not take them.
RESERVED_SLUGS = frozenset(
    """admin desk tag tags author authors source sources search archive static media feed
    feeds sitemap sitemaps api accounts account preview robots.txt sitemap.xml favicon.ico
    login logout page pages story stories section sections wire health-check""".split()
)


def validate_section_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(f"“{value}” is used by the site itself; choose another slug.")


class Section(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True, validators=[validate_section_slug])
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Sections are listed in this order.")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return paths.path("public:section", self.slug)


class Author(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="author"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return paths.path("public:author", self.slug)


class Source(models.Model):
    """An agency or publication that stories credit."""

    class Kind(models.TextChoices):
        AGENCY = "agency", "News agency"
        PUBLICATION = "publication", "Publication"
        BROADCASTER = "broadcaster", "Broadcaster"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.AGENCY)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return paths.path("public:tag", self.slug)


class Image(models.Model):
    file = models.ImageField(upload_to="images/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt_text = models.CharField(max_length=300, blank=True, help_text="What the image shows, for readers who cannot see it.")
    caption = models.CharField(max_length=400, blank=True)
    credit = models.CharField(max_length=200, blank=True)
    # Where the subject is, as fractions of width and height; crops keep it in view.
    focal_x = models.FloatField(default=0.5)
    focal_y = models.FloatField(default=0.5)
    # Derived once at upload (dateline.media.renditions):
    # [{"width": 480, "height": 270, "format": "webp", "name": <storage name>}, ...]
    renditions = models.JSONField(default=list, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.alt_text or self.file.name

    def save(self, *args, **kwargs):
        # Width and height are set in every <img> so nothing shifts as it loads.
        if self.file and not (self.width and self.height):
            self.width, self.height = self.file.width, self.file.height
        super().save(*args, **kwargs)


class StoryQuerySet(models.QuerySet):
    def published(self, now=None):
        """Stories readers may see: published, and their time has come."""
        return self.filter(status=Story.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def in_section(self, section):
        return self.filter(section=section)

    def newest_first(self):
        return self.order_by("-published_at", "-id")

    def teasers(self):
        """Just what a teaser shows: headline, excerpt, section, time, image."""
        return self.select_related("section", "lead_image").only(
            "headline", "slug", "excerpt", "published_at", "reading_minutes",
            "section__name", "section__slug",
            "lead_image__file", "lead_image__width", "lead_image__height", "lead_image__alt_text",
            "lead_image__renditions", "lead_image__focal_x", "lead_image__focal_y",
        )


class Story(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"  # scheduled when published_at is still ahead
        UNPUBLISHED = "unpublished", "Unpublished"
        KILLED = "killed", "Taken down"

    headline = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=False)
    standfirst = models.TextField(blank=True, help_text="The one or two sentences under the headline.")
    body = models.TextField(blank=True, help_text="HTML; sanitised on every save.")
    summary = models.TextField(blank=True, help_text="A written excerpt; when empty, one is taken from the body.")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="stories")
    authors = models.ManyToManyField(Author, through="Byline", related_name="stories", blank=True)
    tags = models.ManyToManyField(Tag, related_name="stories", blank=True)
    lead_image = models.ForeignKey(Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True, help_text="Shown as “Updated” when later than publication.")
    canonical_url = models.URLField(blank=True, max_length=500, help_text="The original's address, for syndicated copy.")
    also_read = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The story linked as “Also read”; when empty, the most related one.",
    )
    also_read_after = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Paragraph after which “Also read” appears; empty for the site default."
    )
    embargo_until = models.DateTimeField(
        null=True, blank=True, help_text="Agency copy under embargo may not go out before this time."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories",
        help_text="Who started the story; contributors may edit only their own.",
    )
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="Set while the story is in the trash.")
    # Bumped by every saved edit; an edit based on an older version is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    # Derived on save from the fields above.
    excerpt = models.TextField(blank=True, editable=False)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    reading_minutes = models.PositiveSmallIntegerField(default=1, editable=False)
    keywords = models.TextField(blank=True, editable=False)
    block_ends = models.JSONField(default=list, editable=False)

    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "stories"
        ordering = ["-published_at", "-id"]
        permissions = [
            ("publish_story", "Can publish, schedule and unpublish stories"),
            ("edit_any_story", "Can edit stories started by others"),
            ("kill_story", "Can take a story down everywhere"),
            ("manage_curation", "Can manage picks, sections and sources"),
        ]
        indexes = [
            models.Index(fields=["status", "published_at", "id"], name="story_timeline"),
            models.Index(fields=["section", "status", "published_at", "id"], name="story_section_timeline"),
            # The desk's lists: most recently changed first, optionally by status or section.
            models.Index(fields=["modified_at", "id"], name="desk_recent"),
            models.Index(fields=["status", "modified_at", "id"], name="desk_by_status"),
            models.Index(fields=["section", "modified_at", "id"], name="desk_by_section"),
            models.Index(fields=["section", "status", "modified_at", "id"], name="desk_by_section_status"),
            models.Index(fields=["modified_at", "id"], condition=Q(deleted_at__isnull=False), name="desk_trash"),
            # The desk's headline search has an engine-specific index (migration 0004, dateline.desk.headlines).
        ]

    def __str__(self):
        return self.headline

    def get_absolute_url(self):
        return paths.path("public:story", self.section.slug, self.slug)

    def save(self, *args, **kwargs):
        self.derive()
        super().save(*args, **kwargs)

    def derive(self):
        """Sanitise the body and recompute every field derived from it."""
        # Whole seconds: what readers and feeds are shown, and valid in HTML <time>.
        if self.published_at:
            self.published_at = self.published_at.replace(microsecond=0)
        if self.updated_at:
            self.updated_at = self.updated_at.replace(microsecond=0)
        self.body = text.sanitize(self.body)
        plain, self.block_ends = text.analyse(self.body)
        self.word_count = len(text.words(plain))
        self.reading_minutes = text.reading_minutes(self.word_count, settings.DATELINE["WORDS_PER_MINUTE"])
        self.excerpt = (self.summary or "").strip() or text.excerpt(plain or self.standfirst)
        self.keywords = " ".join(text.keywords(f"{self.headline} {self.standfirst} {plain}"))

    # Reader-facing helpers; none of them queries the database.

    def is_visible(self, now=None):
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.published_at is not None and self.published_at <= now

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and bool(self.published_at) and self.published_at > timezone.now()

    @property
    def desk_status(self):
        """The status as the desk shows it: scheduled and trashed are told apart."""
        if self.deleted_at:
            return "trashed"
        if self.is_scheduled:
            return "scheduled"
        return self.status

    @property
    def was_updated(self):
        return bool(self.updated_at and self.published_at and self.updated_at > self.published_at)

    @cached_property
    def _split(self):
        after = self.also_read_after or settings.DATELINE["ALSO_READ_AFTER"]
        ends = self.block_ends or []
        if not ends:
            return len(self.body)
        return ends[min(after, len(ends)) - 1]

    @property
    def body_before_also_read(self):
        return mark_safe(self.body[: self._split])  # sanitised on save

    @property
    def body_after_also_read(self):
        return mark_safe(self.body[self._split :])


class Byline(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["story", "author"], name="one_byline_per_author")]


class Credit(models.Model):
    """A source a story credits, and for what."""

    class Role(models.TextChoices):
        REPORTED_BY = "reported_by", "Reported by"
        VIA = "via", "Via"
        ADDITIONAL_REPORTING = "additional_reporting", "Additional reporting by"
        BASED_ON = "based_on", "Based on reporting by"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="credits")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="credits")
    role = models.CharField(max_length=30, choices=Role.choices, default=Role.REPORTED_BY)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["story", "source", "role"], name="one_credit_per_role")]

    def __str__(self):
        return f"{self.get_role_display()} {self.source}"


class StoryEvent(models.Model):
    """Who changed a story's state, and when: the story's audit trail."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.action} by {self.user or 'system'} at {self.at:%Y-%m-%d %H:%M}"


class Revision(models.Model):
    """A saved state of a story's content; every save keeps one."""

    class Kind(models.TextChoices):
        SAVE = "save", "Saved"
        RESTORE = "restore", "Restored"
        CONFLICT = "conflict", "Kept from a conflicting edit"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SAVE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["story", "number"], name="one_revision_number")]

    def __str__(self):
        return f"Revision {self.number} of story {self.story_id}"


class Autosave(models.Model):
    """The latest unsaved state of one person's editor; one row per story and person."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="autosaves")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField()
    base_version = models.PositiveIntegerField()
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["story", "user"], name="one_autosave_per_person")]


class Correction(models.Model):
    """A correction or update note on a published story, shown with its time."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"


class PickQuerySet(models.QuerySet):
    def live(self, now=None):
        """Picks in their time window whose story readers may see."""
        now = now or timezone.now()
        return (
            self.filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now))
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
            .filter(story__status=Story.Status.PUBLISHED, story__published_at__lte=now)
        )


class Pick(models.Model):
    """An editors' pick shown under “Don't miss”."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="picks")
    position = models.PositiveSmallIntegerField(default=0)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)

    objects = PickQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return f"Pick: {self.story}"


class Redirect(models.Model):
    """An address a story used to have; it answers 301 to the story's current one."""

    old_path = models.CharField(max_length=500, unique=True)
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.old_path} → {self.story_id}"
