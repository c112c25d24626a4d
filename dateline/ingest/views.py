"""The desk's ingest pages: the wire queue and importing a page. Staff only, never cached.

Each view checks who is asking, parses the request, calls one function of
``wires`` or ``pages``, and renders or redirects.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import dedupe, pages, wires
from .errors import IngestError
from .http import Client
from .models import WireItem
from .safexml import decode_text

ADD_STORY = "news.add_story"


def desk_only(perm=None):
    """Anonymous visitors go to the login page; signed-in people who are not staff (or lack ``perm``) get 403."""
    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.is_active and user.is_staff) or (perm and not user.has_perm(perm)):
                raise PermissionDenied("The ingest desk is for editorial staff.")
            return view(request, *args, **kwargs)
        return never_cache(checked)
    return decorate


def story_link(story) -> str:
    """Where an editor opens a story: the desk's editor, or the admin while there is no desk."""
    try:
        return reverse("desk:edit", args=[story.pk])
    except NoReverseMatch:
        return reverse("admin:news_story_change", args=[story.pk])


def match_link(match) -> str:
    if match.kind == "story":
        return story_link(match.obj)
    return reverse("ingest:wires") + f"?status=all#wire-{match.obj.pk}"


@desk_only()
def index(request):
    return redirect("ingest:wires")


STATUSES = {"queued": [WireItem.Status.QUEUED], "used": [WireItem.Status.USED],
            "discarded": [WireItem.Status.DISCARDED], "all": list(WireItem.Status.values)}


@desk_only()
def wire_list(request):
    status = request.GET.get("status", "queued")
    if status not in STATUSES:
        status = "queued"
    items = WireItem.objects.filter(status__in=STATUSES[status]).select_related("agency", "story").newest_first()
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    duplicates = dedupe.duplicates_of_wire_items(page.object_list)
    rows = [{"item": item, "duplicates": [(m, match_link(m)) for m in duplicates.get(item.pk, [])],
             "story_link": story_link(item.story) if item.story_id else ""} for item in page.object_list]
    return render(request, "ingest/wire_list.html", {
        "rows": rows, "page": page, "status": status, "statuses": list(STATUSES),
        "can_use": request.user.has_perm(ADD_STORY),
    })


@require_POST
@desk_only(ADD_STORY)
def wire_use(request, pk):
    item = get_object_or_404(WireItem, pk=pk)
    try:
        story = wires.story_from_wire(item, user=request.user)
    except IngestError as exc:
        messages.error(request, str(exc))
        return redirect("ingest:wires")
    messages.success(request, f"Draft made from {item.agency} copy: “{story.headline}”.")
    return redirect(story_link(story))


@require_POST
@desk_only(ADD_STORY)
def wire_discard(request, pk):
    item = get_object_or_404(WireItem, pk=pk)
    wires.discard(item)
    messages.info(request, f"Discarded “{item.headline}”.")
    return redirect(reverse("ingest:wires") + f"?status={request.POST.get('status', 'queued')}")


@desk_only(ADD_STORY)
def page_import(request):
    from .forms import PageImportForm

    form = PageImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method != "POST":
        return render(request, "ingest/page_import.html", context)
    if not form.is_valid():
        return render(request, "ingest/page_import.html", context, status=400)
    data = form.cleaned_data
    try:
        if data["url"]:
            # A typed address must not reach the machine's own or the office's private services.
            content, url, content_type = pages.load(data["url"], Client(allow_private=False))
            found = pages.extract(content, name=url, url=url, content_type=content_type)
        elif data["file"]:
            content = data["file"].read()
            found = pages.extract(content, name=data["file"].name)
            # A browser does not send a file twice: "Create draft" after the preview sends its text instead.
            resent = request.POST.copy()
            resent["text"] = decode_text(content)
            context["form"] = PageImportForm(resent)
        else:
            found = pages.extract(data["text"].encode("utf-8"), name="the pasted text")
        if request.POST.get("action") == "create":
            result = pages.import_page(page=found, name=data["url"] or "the page", source_name=data["source"],
                                       section=data["section"], user=request.user)
            story = result.story
            if result.already:
                messages.info(request, f"This page was imported before: “{story.headline}”.")
            else:
                messages.success(request, f"Saved as a draft: “{story.headline}”.")
            return redirect(story_link(story))
    except IngestError as exc:
        form.add_error(None, str(exc))
        return render(request, "ingest/page_import.html", context, status=400)
    matches = dedupe.find_near_duplicates(found.text)
    context.update(found=found, duplicates=[(m, match_link(m)) for m in matches])
    return render(request, "ingest/page_import.html", context)
