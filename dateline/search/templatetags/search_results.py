from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from dateline.public.templatetags.dateline import escape_text, reader_date

register = template.Library()


@register.simple_tag
def search_result(hit, level=3):
    """One search hit: the story's section, its headline and the matching passage with the
    reader's words marked (else its excerpt), its date and reading time.

    Drawn here rather than by an included template, for the reason teasers are
    (see dateline.public.templatetags.dateline.teaser)."""
    story, esc = hit.story, escape_text
    level = level or 3
    local = timezone.localtime(story.published_at)
    section = story.section
    return mark_safe(
        '<article class="teaser search-result">\n'
        f'  <p class="kicker"><a href="{esc(section.get_absolute_url())}">{esc(section.name)}</a></p>\n'
        f'  <h{level} class="teaser__headline"><a href="{esc(story.get_absolute_url())}">{esc(hit.headline)}</a>'
        f"</h{level}>\n"
        f'  <p class="teaser__excerpt">{esc(hit.snippet if hit.snippet else story.excerpt)}</p>\n'
        f'  <p class="meta"><time datetime="{esc(local.isoformat())}">{esc(reader_date(local))}</time>'
        f" · {story.reading_minutes} min read</p>\n"
        "</article>\n"
    )
