import html

from django import template
from django.template.loader import get_template
from django.utils import dateformat, timezone, translation
from django.utils.safestring import mark_safe

from dateline.news import paths

register = template.Library()


@register.filter
def machine_time(value):
    """An ISO 8601 time in whole seconds, as HTML's <time datetime> accepts."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.simple_tag
def page_path(name, *slugs):
    """``{% url name slug ... %}`` for slug arguments, without a reverse() per link (news/paths.py)."""
    return paths.path(name, *slugs)


@register.filter
def long_date(value):
    """``value|date:"F j, Y"``: the day in the site's time zone."""
    if not value:
        return ""
    return reader_date(timezone.localtime(value))


_days = {}


def reader_date(local):
    """What ``{{ value|date:"F j, Y" }}`` shows for ``local``, a time already in the site's
    time zone; the few hundred days a process shows are formatted once each."""
    key = (local.year, local.month, local.day, translation.get_language())
    text = _days.get(key)
    if text is None:
        if len(_days) > 5000:
            _days.clear()
        text = _days[key] = dateformat.format(local, "F j, Y")
    return text


def escape_text(value):
    """``conditional_escape``, without its checks for lazy strings: teasers show model fields."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


TEASER_IMAGE_SIZES = "(min-width: 60rem) 22rem, 100vw"


@register.simple_tag
def teaser(story, level=3, show_section=False, with_image=False, big=False, lazy=None, img_sizes=None):
    """One story as a teaser: picture (with ``with_image``), section (``show_section``),
    headline as an ``<h{level}>`` link, excerpt, date and reading time.

    Drawn here rather than by an included template: a front page holds fifty
    teasers, and an include costs more than the HTML it writes. The lead image is
    ``public/blocks/picture.html``, the same template as everywhere.
    """
    esc = escape_text
    level = level or 3
    picture = ""
    if with_image and story.lead_image:
        picture = get_template("public/blocks/picture.html").render({
            "image": story.lead_image, "sizes": img_sizes or TEASER_IMAGE_SIZES, "lazy": lazy,
        })
    kicker = ""
    if show_section:
        section = story.section
        kicker = f'<p class="kicker"><a href="{esc(section.get_absolute_url())}">{esc(section.name)}</a></p>'
    local = timezone.localtime(story.published_at)
    return mark_safe(
        f'<article class="teaser{" teaser--big" if big else ""}">\n'
        f"  {picture}\n"
        f"  {kicker}\n"
        f'  <h{level} class="teaser__headline"><a href="{esc(story.get_absolute_url())}">{esc(story.headline)}</a>'
        f"</h{level}>\n"
        f'  <p class="teaser__excerpt">{esc(story.excerpt)}</p>\n'
        f'  <p class="meta"><time datetime="{local.replace(microsecond=0).isoformat()}">{esc(reader_date(local))}</time>'
        f" · {story.reading_minutes} min read</p>\n"
        "</article>\n"
    )


@register.simple_tag
def section_links(sections, current=None):
    """The masthead's section navigation: a link per section, the current one marked."""
    current_pk = getattr(current, "pk", None)
    items = []
    for section in sections:
        mark = ' aria-current="page"' if current_pk is not None and section.pk == current_pk else ""
        items.append(f'<li><a href="{escape_text(section.get_absolute_url())}"{mark}>{escape_text(section.name)}</a></li>')
    return mark_safe("".join(items))
