"""What ingest remembers: where imported stories came from, agency copy waiting
on the desk, and a fingerprint of every text so the same copy is never taken twice."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dateline.news.models import Image, Section, Source, Story


class ImportedItem(models.Model):
    """A story that came from outside, keyed by where it came from.

    A re-run finds the row by (origin, external_id) and compares the checksum of
    what the source says now, so it updates the story instead of doubling it.
    ``story`` is cleared when an editor deletes the story here; the importer then
    leaves that item alone rather than bringing it back.
    """

    origin = models.CharField(max_length=200, help_text="e.g. wordpress:old.example.org, or page:example.net")
    external_id = models.CharField(max_length=500)
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checksum = models.CharField(max_length=64)
    original_url = models.URLField(max_length=500, blank=True)
    original_published_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["origin", "external_id"], name="ingest_one_item_per_origin")]

    def __str__(self):
        return f"{self.origin} {self.external_id}"


class ImportedImage(models.Model):
    """An image file brought in from an export's media folder, so a re-run reuses it."""

    origin = models.CharField(max_length=200)
    key = models.CharField(max_length=500, help_text="The file's path inside the media folder.")
    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="+")
    checksum = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["origin", "key"], name="ingest_one_image_per_key")]


class Wire(models.Model):
    """An agency feed (RSS, Atom, NINJS or NewsML-G2 over HTTP) that ``dateline poll-wires`` fetches."""

    name = models.CharField(max_length=120)
    agency = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="wires")
    url = models.URLField(max_length=500, unique=True)
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Where stories made from this wire go by default.",
    )
    active = models.BooleanField(default=True)
    # Conditional GET: an unchanged feed costs the agency and us one 304.
    etag = models.CharField(max_length=300, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class WireItemQuerySet(models.QuerySet):
    def queued(self):
        return self.filter(status=WireItem.Status.QUEUED)

    def newest_first(self):
        return self.order_by("-received_at", "-id")


class WireItem(models.Model):
    """One piece of agency copy on the desk, in its newest version.

    An agency resends an item with the same guid and a higher version; the row
    is updated in place and never by an older version (see ``wires.receive``).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        USED = "used", "Used"
        DISCARDED = "discarded", "Discarded"

    agency = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="wire_items")
    wire = models.ForeignKey(Wire, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    guid = models.CharField(max_length=500)
    version = models.PositiveIntegerField(default=1)
    version_at = models.DateTimeField(null=True, blank=True, help_text="When the agency issued this version.")
    format = models.CharField(max_length=20)
    headline = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    byline = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True, help_text="HTML, sanitised on arrival.")
    url = models.URLField(max_length=500, blank=True, help_text="The agency's canonical address for the item.")
    language = models.CharField(max_length=20, blank=True)
    embargo = models.DateTimeField(null=True, blank=True, help_text="Not to be published before this time.")
    withdrawn = models.BooleanField(default=False, help_text="The agency killed or withheld the item.")
    received_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(null=True, blank=True, help_text="When a newer version last arrived.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_after_use = models.BooleanField(
        default=False, help_text="A newer version arrived after a story was made from it."
    )

    objects = WireItemQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["agency", "guid"], name="ingest_one_wire_item_per_guid")]
        indexes = [models.Index(fields=["status", "received_at", "id"], name="ingest_wire_queue")]

    def __str__(self):
        return self.headline

    def is_embargoed(self, now=None):
        return bool(self.embargo and self.embargo > (now or timezone.now()))


class Fingerprint(models.Model):
    """A MinHash signature of one story's or one wire item's text (see ``dedupe``)."""

    story = models.OneToOneField(Story, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    wire_item = models.OneToOneField(
        WireItem, null=True, blank=True, on_delete=models.CASCADE, related_name="fingerprint"
    )
    signature = models.BinaryField()
    shingles = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(story__isnull=False, wire_item__isnull=True)
                           | Q(story__isnull=True, wire_item__isnull=False)),
                name="ingest_fingerprint_of_one_thing",
            )
        ]


class FingerprintBand(models.Model):
    """One locality-sensitive band of a fingerprint: texts sharing a band are candidates."""

    fingerprint = models.ForeignKey(Fingerprint, on_delete=models.CASCADE, related_name="bands")
    value = models.BigIntegerField(db_index=True)
