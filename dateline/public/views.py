"""Reader pages. Each view fetches its blocks (see blocks.py) and renders.

Each page says what it shows with ``tag_response`` (see dateline/pagestore/tags.py),
so the page store can keep it until one of those things changes. Rendered for
the store (``request.page_store``), the shared blocks "Latest from" and "Don't
miss" are includes of separately stored fragments; otherwise they are drawn
inline, from the same templates, to the same bytes.
"""

from django.http import Http404
from django.utils import timezone
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from dateline.news.models import Author, Redirect, Section, Story, Tag
from dateline.pagestore import fragments, tags
from dateline.pagestore.middleware import INTERNAL
from dateline.pagestore.tags import tag_response

from . import blocks, seo
from .pagination import paginate
from .teasers import columns as teaser_columns, teasers


def _for_store(request):
    return getattr(request, "page_store", False)


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
    store = _for_store(request)
    dont_miss = None if store else blocks.dont_miss()
    response = render(request, "public/home.html", {
        "lead": top[0] if top else None,
        "top": top[1:],
        "rows": [(section, rows[section]) for section in sections if rows[section]],
        "dont_miss": dont_miss,
        "fragments": {"dont_miss": fragments.dont_miss_url()} if store else None,
        "nav_sections": sections,
        "meta": seo.for_home(request),
    })
    return tag_response(
        response, tags.SITE, tags.SECTIONS, {tags.section_list(s.pk) for s in sections},
        tags.shown(top), *(tags.shown(row) for row in rows.values()),
        set() if store else {tags.PICKS, *tags.shown(dont_miss)},
    )


def _teaser_page(request, stories):
    """The requested page of ``stories`` (a Story queryset, newest first), as teasers."""
    # Counted on the stories alone: the joins a teaser reads would only slow the count.
    page = paginate(request, stories)
    page.object_list = teasers(page.object_list.values_list(*teaser_columns()))
    return page


def _list_page(request, template, context, list_tag):
    response = render(request, template, context)
    return tag_response(response, list_tag, tags.SECTIONS, tags.shown(context["page"].object_list))


@require_safe
def section(request, slug):
    section = get_object_or_404(Section, slug=slug)
    page = _teaser_page(request, Story.objects.published().in_section(section).newest_first())
    return _list_page(request, "public/section.html", {
        "section": section, "page": page, "current_section": section,
        "meta": seo.for_list(request, section.name, section.description or section.name,
                             section.get_absolute_url(), page),
    }, tags.section_list(section.pk))


@require_safe
def tag(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    page = _teaser_page(request, Story.objects.published().filter(tags=tag).newest_first())
    return _list_page(request, "public/tag.html", {
        "tag": tag, "page": page, "show_section": True,
        "meta": seo.for_list(request, tag.name, f"Stories tagged {tag.name}.", tag.get_absolute_url(), page),
    }, tags.tag_list(tag.pk))


@require_safe
def author(request, slug):
    author = get_object_or_404(Author, slug=slug)
    page = _teaser_page(request, Story.objects.published().filter(authors=author).newest_first())
    return _list_page(request, "public/author.html", {
        "author": author, "page": page, "show_section": True,
        "meta": seo.for_list(request, author.name, author.bio or f"Stories by {author.name}.",
                             author.get_absolute_url(), page),
    }, tags.author_list(author.pk))


@require_safe
def story(request, section_slug, slug):
    story = blocks.published_story(slug)
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
    store = _for_store(request) and not preview
    # Rendered for the store, the page includes the stored "Latest from" and "Don't
    # miss" fragments, and "Also read" falls back along the related stories as they
    # come and go.
    around = blocks.around_story(story, lists=not store, related_ids=store)
    latest, dont_miss, also_read = around.latest, around.dont_miss, around.also_read
    previous, following = around.previous, around.next
    included = {"latest": fragments.latest_url(story), "dont_miss": fragments.dont_miss_url(story)} if store else None
    response = render(request, "public/story.html", {
        "story": story,
        "bylines": around.bylines,
        "credits": around.credits,
        "tags": around.tags,
        "also_read": also_read,
        "previous": previous,
        "next": following,
        "latest": latest,
        "dont_miss": dont_miss,
        "fragments": included,
        "corrections": around.corrections,
        "nav_sections": around.sections,
        "meta": seo.for_story(request, story, around.bylines, around.credits, around.tags, around.corrections),
        "preview": preview,
    }, status=status)
    return tag_response(
        response, tags.SECTIONS, tags.neighbours(story.pk), tags.shown([story, previous, following, also_read]),
        tags.stories([story.also_read_id, *(around.related_ids or ())]),
        set() if store else {tags.section_list(story.section_id), tags.SITE, tags.PICKS,
                             *tags.shown(latest), *tags.shown(dont_miss)},
    )


def _internal(request):
    # Fragments are parts of pages, not pages: only the page store's server asks for
    # them (an environ key, which no client can set), so nobody outside can fill the
    # store with variants or find the parts in a search engine.
    if not request.environ.get(INTERNAL):
        raise Http404("No such page")


@require_safe
def fragment_latest(request, section_id, story_id=None):
    """The "Latest from <section>" block, leaving out ``story_id`` when given."""
    _internal(request)
    section = get_object_or_404(Section, pk=section_id)
    stories = blocks.latest_in_section(section, exclude=Story(pk=story_id) if story_id else None)
    response = render(request, "public/fragments/latest.html", {"section": section, "stories": stories})
    return tag_response(response, tags.section_list(section.pk), tags.SECTIONS, tags.shown(stories))


@require_safe
def fragment_dont_miss(request, story_id=None):
    """The "Don't miss" block, leaving out ``story_id`` when given."""
    _internal(request)
    stories = blocks.dont_miss(exclude=Story(pk=story_id) if story_id else None)
    response = render(request, "public/fragments/dont_miss.html", {"stories": stories})
    return tag_response(response, tags.PICKS, tags.SITE, tags.SECTIONS, tags.shown(stories))


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
