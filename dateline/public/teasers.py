"""Stories as lists show them, read as plain rows rather than model instances.

A teaser needs a story's headline, slug, excerpt, time and reading time, its
section's name and slug, and its lead image. Read with ``values_list()`` and
held in a ``Teaser``, a row costs a tenth of a ``Story`` with its ``Section``
and ``Image`` instances, and a front page draws fifty. A ``Teaser`` answers
what templates, the page store's tags and the desk ask of a story in a list
(``pk``, ``headline``, ``section``, ``lead_image``, ``get_absolute_url()``...) and
equals the ``Story`` with the same id.
"""

from dateline.news import paths
from dateline.news.models import Image, Section, Story

# Image columns in the model's field order (Model.from_db takes them that way).
_IMAGE_FIELDS = ("file", "width", "height", "alt_text", "focal_x", "focal_y", "renditions")
FIELDS = ("headline", "slug", "excerpt", "published_at", "reading_minutes", "section_id", "section__name",
          "section__slug", "lead_image_id", *(f"lead_image__{name}" for name in _IMAGE_FIELDS))
COLUMNS = ("pk", *FIELDS)


def columns(via=""):
    """The teaser columns of a queryset on Story (``via=""``), or on a model that points at
    one (``via="story"``: the story's id is ``story_id``)."""
    if not via:
        return COLUMNS
    return (f"{via}_id", *(f"{via}__{name}" for name in FIELDS))


_IMAGE_ATTNAMES = ["id", *_IMAGE_FIELDS]
_sections = {}


def _section(pk, name, slug):
    # Shared by every teaser of the section that shows this name and slug.
    key = (pk, name, slug)
    section = _sections.get(key)
    if section is None:
        if len(_sections) > 1000:
            _sections.clear()
        section = _sections[key] = Section.from_db(None, ["id", "name", "slug"], [pk, name, slug])
    return section


class Teaser:
    __slots__ = ("pk", "headline", "slug", "excerpt", "published_at", "reading_minutes", "section_id", "section",
                 "lead_image_id", "_image_row", "_image")

    def __init__(self, row):
        (self.pk, self.headline, self.slug, self.excerpt, self.published_at, self.reading_minutes,
         self.section_id, name, slug, self.lead_image_id) = row[:10]
        self.section = _section(self.section_id, name, slug)
        self._image_row = row[10:] if self.lead_image_id is not None else None
        self._image = None

    @property
    def id(self):
        return self.pk

    @property
    def lead_image(self):
        """The lead image with the fields a picture needs (the others deferred), or None."""
        if self._image is None and self._image_row is not None:
            self._image = Image.from_db(None, _IMAGE_ATTNAMES, [self.lead_image_id, *self._image_row])
        return self._image

    def get_absolute_url(self):
        return paths.path("public:story", self.section.slug, self.slug)

    def __eq__(self, other):
        if isinstance(other, (Teaser, Story)):
            return self.pk == other.pk
        return NotImplemented

    def __hash__(self):
        return hash(self.pk)

    def __str__(self):
        return self.headline

    def __repr__(self):
        return f"<Teaser {self.pk}: {self.headline}>"


def teasers(rows) -> list[Teaser]:
    return [Teaser(row) for row in rows]
