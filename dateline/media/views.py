"""The desk's media library. Views parse, call one action, and render."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from dateline.news.models import Image

from . import actions
from .forms import ImageForm, UploadForm
from .renditions import picture_data, thumbnail_url
from .validation import SizeLimitUploadHandler, too_big_message

PAGE_SIZE = 24
PICK_SIZE = 24


def desk_permission(perm):
    """Staff with ``perm`` only: anyone signed out is sent to sign in, anyone else gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        @never_cache
        def wrapped(request, *args, **kwargs):
            if not (request.user.is_staff and request.user.has_perm(perm)):
                raise PermissionDenied("The media library is for editorial staff with access to images.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _search(request):
    q = " ".join(request.GET.get("q", "").split())[:200]
    images = Image.objects.order_by("-id")  # the primary key's order is upload order, and indexed
    if q:
        images = images.filter(Q(alt_text__icontains=q) | Q(caption__icontains=q) | Q(credit__icontains=q))
    return q, images


@require_safe
@desk_permission("news.view_image")
def library(request):
    q, images = _search(request)
    page = Paginator(images, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "media/library.html", {"page": page, "q": q})


@require_safe
@desk_permission("news.view_image")
def pick(request):
    """Recent images for the story editor's picker, newest first."""
    _, images = _search(request)
    results = []
    for image in images[:PICK_SIZE]:
        # ``url`` is what goes into a story body: the largest rendition, clean of metadata.
        drawn = picture_data(image)
        results.append({"id": image.pk, "thumbnail": thumbnail_url(image), "url": drawn["src"],
                        "width": drawn["width"], "height": drawn["height"], "alt": image.alt_text,
                        "caption": image.caption, "credit": image.credit})
    return JsonResponse({"results": results})


# The upload handler must be in place before anything reads the request body,
# and CSRF checking reads it; so CSRF is checked inside, after the handler is set.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@desk_permission("news.add_image")
def upload(request):
    limiter = SizeLimitUploadHandler(request)
    request.upload_handlers.insert(0, limiter)
    return _upload(request, limiter)


@csrf_protect
def _upload(request, limiter):
    if request.method != "POST":
        return render(request, "media/upload.html", {"form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    if limiter.skipped:
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", too_big_message())
    elif form.is_valid():
        data = form.cleaned_data
        try:
            image = actions.upload_image(data["file"], alt_text=data["alt_text"], caption=data["caption"],
                                         credit=data["credit"])
        except actions.UploadRefused as refused:
            form.add_error("file", str(refused))
        else:
            messages.success(request, "Uploaded. Check the alt text and set the focal point.")
            return redirect("media:edit", image.pk)
    return render(request, "media/upload.html", {"form": form}, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@desk_permission("news.change_image")
def edit(request, pk):
    image = get_object_or_404(Image, pk=pk)
    if request.method != "POST":
        form = ImageForm(initial={name: getattr(image, name) for name in actions.EDITABLE})
        return render(request, "media/edit.html", {"image": image, "form": form})
    form = ImageForm(request.POST)
    if form.is_valid():
        try:
            actions.update_image(image, **form.cleaned_data)
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved.")
            return redirect("media:edit", image.pk)
    return render(request, "media/edit.html", {"image": image, "form": form}, status=400)
