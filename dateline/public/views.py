"""Reader pages. Each view fetches its blocks (see blocks.py) and renders."""

from django.http import Http404
from django.utils import timezone
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from dateline.news.models import Author, Redirect, Section, Story, Tag

from . import blocks, seo
from .pagination import paginate


@require_safe
def home(request):
    top = blocks.lead_and_top(5)
    # Lead with the newest of these that has a picture, so the front page opens with one.
    pictured = next((s for s in top if s.lead_image_id), None)
    if pictured is not None:
        top.remove(pictured)
        top.insert(0, pictured)
    sections = blocks.nav_sections()
    rows = blocks.section_rows(sections, exclude_ids=[s.pk for s in top])
    return render(request, "public/home.html", {
        "lead": top[0] if top else None,
        "top": top[1:],
        "rows": [(section, rows[section]) for section in sections if rows[section]],
        "dont_miss": blocks.dont_miss(),
        "nav_sections": sections,
        "meta": seo.for_home(request),
    })


@require_safe
def section(request, slug):
    section = get_object_or_404(Section, slug=slug)
    page = paginate(request, Story.objects.published().teasers().in_section(section).newest_first())
    return render(request, "public/section.html", {
        "section": section, "page": page, "current_section": section,
        "meta": seo.for_list(request, section.name, section.description or section.name,
                             section.get_absolute_url(), page),
    })


@require_safe
def tag(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    page = paginate(request, Story.objects.published().teasers().filter(tags=tag).newest_first())
    return render(request, "public/tag.html", {
        "tag": tag, "page": page, "show_section": True,
        "meta": seo.for_list(request, tag.name, f"Stories tagged {tag.name}.", tag.get_absolute_url(), page),
    })


@require_safe
def author(request, slug):
    author = get_object_or_404(Author, slug=slug)
    page = paginate(request, Story.objects.published().teasers().filter(authors=author).newest_first())
    return render(request, "public/author.html", {
        "author": author, "page": page, "show_section": True,
        "meta": seo.for_list(request, author.name, author.bio or f"Stories by {author.name}.",
                             author.get_absolute_url(), page),
    })


@require_safe
def story(request, section_slug, slug):
    story = (
        Story.objects.published()
        .select_related("section", "lead_image", "also_read__section")
        .filter(slug=slug).first()
    )
    if story is None:
        if Story.objects.filter(slug=slug, status=Story.Status.KILLED).exists():
            return render(request, "public/gone.html", status=410)
        raise Http404("No such story")
    if story.section.slug != section_slug:
        # Moved to another section (or its section was renamed): one address.
        return redirect(story, permanent=True)
    return render_story(request, story)


def render_story(request, story, preview=False, status=200):
    """The story page; the desk's preview draws unpublished stories through the same code."""
    if preview and story.published_at is None:
        story.published_at = timezone.now().replace(microsecond=0)  # as if published now; not saved
    bylines = list(story.bylines.select_related("author"))
    credits = list(story.credits.select_related("source"))
    tags = list(story.tags.all())
    corrections = list(story.corrections.all())
    previous, following = blocks.neighbours(story)
    return render(request, "public/story.html", {
        "story": story,
        "bylines": bylines,
        "credits": credits,
        "tags": tags,
        "also_read": blocks.also_read(story),
        "previous": previous,
        "next": following,
        "latest": blocks.latest_in_section(story.section, exclude=story),
        "dont_miss": blocks.dont_miss(exclude=story),
        "corrections": corrections,
        "meta": seo.for_story(request, story, bylines, credits, tags, corrections),
        "preview": preview,
    }, status=status)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No database and no context processors: the database may be what failed.
    from django.template import loader
    from django.http import HttpResponseServerError

    return HttpResponseServerError(loader.get_template("500.html").render())


def old_address(path):
    """The story an old address of a story now points at, or None."""
    found = Redirect.objects.select_related("story__section").filter(old_path=path).first()
    return found.story if found and found.story.is_visible() else None
