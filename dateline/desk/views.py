"""The editorial desk. Views parse, ask ``policy``, call one action, and answer.

Nothing here is cacheable: every response is private to the signed-in person.
"""

import difflib
import json
import re
from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dateline.news import actions
from dateline.news.models import Author, Byline, Pick, Revision, Section, Story
from dateline.news.text import analyse
from dateline.public.views import render_story

from . import headlines, policy
from .forms import (
    CorrectionForm, CreditFormSet, PickForm, ScheduleForm, SectionForm, StoryForm, ThrottledAuthenticationForm,
)

PAGE = 50
MAX_PAGE = 200  # deeper than this, Older/Newer continue from a story (keyset), never by OFFSET
COUNT_LIMIT = 1000  # lists say how many stories match up to this; beyond, "more than"
AUTHOR_CHOICES = 500  # a list or datalist of authors never grows past this
PREVIEW_SALT = "dateline.desk.preview"


def desk_view(view):
    """Signed-in staff only; never cached."""
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{settings.LOGIN_URL}?next={request.get_full_path()}")
        if not policy.is_desk_user(request.user):
            raise PermissionDenied("The desk is for newsroom staff.")
        return view(request, *args, **kwargs)
    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return never_cache(wrapped)


class LoginView(auth_views.LoginView):
    template_name = "desk/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
        return response


# The story list

STATUS_FILTERS = {
    "": ("Active", Q(deleted_at__isnull=True)),
    "draft": ("Drafts", Q(status=Story.Status.DRAFT, deleted_at__isnull=True)),
    "review": ("In review", Q(status=Story.Status.REVIEW, deleted_at__isnull=True)),
    "scheduled": ("Scheduled", None),
    "published": ("Published", None),
    "unpublished": ("Unpublished", Q(status=Story.Status.UNPUBLISHED, deleted_at__isnull=True)),
    "killed": ("Taken down", Q(status=Story.Status.KILLED)),
    "overdue": ("Overdue", None),
    "trash": ("Trash", Q(deleted_at__isnull=False)),
}


def review_overdue_hours():
    return settings.DATELINE.get("REVIEW_OVERDUE_HOURS", 4)


def overdue_q(now):
    """In review too long, or embargoed copy whose embargo has lifted and still waits."""
    return Q(deleted_at__isnull=True) & (
        Q(status=Story.Status.REVIEW, modified_at__lt=now - timedelta(hours=review_overdue_hours()))
        | Q(status__in=[Story.Status.DRAFT, Story.Status.REVIEW], embargo_until__lt=now)
    )


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered_stories(params, now, walk=False):
    """The stories the list's filters ask for.

    ``walk``: the form for reading many matches along the newest-first index:
    author and headline become per-story checks instead of lists that drive the query.
    """
    status = params.get("status", "")
    if status not in STATUS_FILTERS:
        raise ValidationError(f"Unknown status filter “{status}”.")
    qs = Story.objects.all()
    if status == "scheduled":
        qs = qs.filter(status=Story.Status.PUBLISHED, published_at__gt=now, deleted_at__isnull=True)
    elif status == "published":
        qs = qs.filter(status=Story.Status.PUBLISHED, published_at__lte=now, deleted_at__isnull=True)
    elif status == "overdue":
        qs = qs.filter(overdue_q(now))
    else:
        qs = qs.filter(STATUS_FILTERS[status][1])
    # Slugs become ids first, so the planners see section_id = N and can use the
    # (section, …, modified_at) indexes instead of a join filter along the whole list.
    if params.get("section"):
        section_id = Section.objects.filter(slug=params["section"]).values_list("pk", flat=True).first()
        qs = qs.filter(section_id=section_id) if section_id else qs.none()
    if params.get("author"):
        author_id = Author.objects.filter(slug=params["author"]).values_list("pk", flat=True).first()
        if not author_id:
            qs = qs.none()
        elif walk:
            qs = qs.filter(Exists(Byline.objects.filter(story=OuterRef("pk"), author_id=author_id)))
        else:
            qs = qs.filter(bylines__author_id=author_id)
    # Whole days in the newsroom's time zone, as ranges the (…, modified_at, id) indexes answer.
    for name, lookup, shift in (("from", "modified_at__gte", 0), ("to", "modified_at__lt", 1)):
        if params.get(name):
            try:
                day = parse_date(params[name]) if len(params[name]) == 10 else None
            except ValueError:
                day = None
            if day is None:
                raise ValidationError(f"“{params[name]}” is not a date (use YYYY-MM-DD).")
            try:
                qs = qs.filter(**{lookup: _day_start(day + timedelta(days=shift))})
            except OverflowError:
                raise ValidationError(f"“{params[name]}” is out of range.") from None
    if params.get("q"):
        if headlines.too_short(params["q"]):
            raise ValidationError(f"Type at least {headlines.MIN_LENGTH} characters of the headline.")
        qs = qs.filter(headlines.condition(params["q"], walk=walk))
    if params.get("mine"):
        qs = qs.filter(owner=params["mine"])
    return qs


STATE_LABELS = {"scheduled": "Scheduled", "trashed": "In trash"}


def _short_time(moment, year=False):
    """27 Nov 2026, 09:05 (or without the year): what the list shows, without a template filter per cell."""
    return f"{moment.day} {moment:%b %Y, %H:%M}" if year else f"{moment.day} {moment:%b, %H:%M}"

# Keyset pagination: "older" and "newer" continue from the last or first story
# shown, so every page costs the same, however deep; page numbers (OFFSET) are
# kept for the first pages only.
EPOCH = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)
ONE_MICROSECOND = timedelta(microseconds=1)
CURSOR = re.compile(r"(\d{1,17})-(\d{1,19})")


def cursor_token(story) -> str:
    return f"{(story.modified_at - EPOCH) // ONE_MICROSECOND}-{story.pk}"


def parse_cursor(token):
    match = CURSOR.fullmatch(token or "")
    if not match:
        raise Http404("No such page")
    return EPOCH + timedelta(microseconds=int(match.group(1))), int(match.group(2))


def narrowed(qs, walk=None, limit=None):
    """(stories ready to order, how many or None when more than ``limit``).

    Looks for up to ``limit`` + 1 matches in whatever order the database finds
    them fastest (a selective filter drives the query with its own index). When
    that is all of them, the list is sorted from those rows alone, instead of
    walking the newest-first index in search of rare matches. When there are
    more, matches are common, and a walk along that index (``walk``, the same
    filter written for it; else ``qs``) finds a page of them after a few
    thousand rows at most.
    """
    limit = COUNT_LIMIT if limit is None else limit
    ids = list(qs.order_by().values_list("pk", flat=True)[: limit + 1])
    if len(ids) <= limit:
        return Story.objects.filter(pk__in=ids), len(ids)
    return (qs if walk is None else walk), None


def estimated_count(qs) -> int:
    """PostgreSQL's estimate of how many rows ``qs`` has: planning only, nothing is read."""
    sql, params = qs.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _about(n: int) -> str:
    """An estimate as people say it: 13,888 → "13,900"."""
    digits = max(len(str(n)) - 3, 0)
    return f"{round(n, -digits):,}"


def story_page(qs, params):
    """(stories, links): one page of ``qs``, most recently changed first, and where to go from it."""
    newest_first = ("-modified_at", "-id")
    links = {"newer": None, "older": None}
    if params.get("after"):  # newer than a story: read upwards, show in the usual order
        moment, pk = parse_cursor(params["after"])
        rows = list(qs.filter(Q(modified_at__gt=moment) | Q(modified_at=moment, pk__gt=pk), modified_at__gte=moment)
                    .order_by("modified_at", "id")[: PAGE + 1])
        more_newer = len(rows) > PAGE
        rows = rows[:PAGE][::-1]
        links["newer"] = {"after": cursor_token(rows[0])} if more_newer and rows else None
        links["older"] = {"before": cursor_token(rows[-1])} if rows else {}
        return rows, links
    if params.get("before"):
        moment, pk = parse_cursor(params["before"])
        rows = list(qs.filter(Q(modified_at__lt=moment) | Q(modified_at=moment, pk__lt=pk), modified_at__lte=moment)
                    .order_by(*newest_first)[: PAGE + 1])
        came_from_newer = True
    else:
        raw_page = params.get("page", "1")
        if not raw_page.isdigit() or not 0 < int(raw_page) <= MAX_PAGE:
            raise Http404("No such page")
        page = int(raw_page)
        rows = list(qs.order_by(*newest_first)[(page - 1) * PAGE: page * PAGE + 1])
        came_from_newer = page > 1
    more_older = len(rows) > PAGE
    rows = rows[:PAGE]
    links["older"] = {"before": cursor_token(rows[-1])} if more_older else None
    if came_from_newer:
        links["newer"] = {"after": cursor_token(rows[0])} if rows else {}  # {}: back to the first page
    return rows, links


def _link(query, extra):
    if extra is None:
        return None
    params = query.copy()
    for key, value in extra.items():
        params[key] = value
    return "?" + params.urlencode() if params else "?"


@desk_view
def story_list(request):
    policy.require(request.user, "view")
    now = timezone.now()
    error, total = None, 0
    try:
        qs = filtered_stories(request.GET, now)
    except ValidationError as exc:
        error, qs = exc.messages[0], Story.objects.none()
    about = None
    if not error and connection.vendor == "postgresql":
        # PostgreSQL's statistics choose the plan well for every filter: no probe. The
        # count is exact when one page holds every match, else the planner's estimate.
        about, qs = estimated_count(qs), filtered_stories(request.GET, now, walk=True)
    elif not error:
        qs, total = narrowed(qs, walk=filtered_stories(request.GET, now, walk=True))
    # The page reads news_story alone, along its newest-first index: joined to the
    # sections, SQLite's planner would start from the (tiny) section table and sort.
    rows, links = story_page(
        qs.only("headline", "slug", "section_id", "status", "published_at", "modified_at", "deleted_at",
                "embargo_until", "version", "owner_id"),
        request.GET,
    )
    sections = list(Section.objects.all())
    by_id = {section.pk: section for section in sections}
    owners = get_user_model().objects.filter(pk__in={s.owner_id for s in rows if s.owner_id}).only("username")
    owners = {user.pk: user for user in owners}
    if about is not None:
        first_page = not any(request.GET.get(k) for k in ("before", "after")) and request.GET.get("page", "1") == "1"
        total = len(rows) if first_page and not links["older"] else None
        about = None if total is not None else _about(max(about, len(rows)))
    review_limit = now - timedelta(hours=review_overdue_hours())
    can_publish = policy.can(request.user, "publish")
    for story in rows:
        story.section = by_id[story.section_id]
        story.owner = owners.get(story.owner_id)
        # Worked out here once per row, so the template only prints.
        story.can_edit = policy.can_edit(request.user, story)
        story.overdue = (not story.deleted_at and (
            (story.status == Story.Status.REVIEW and story.modified_at < review_limit)
            or (story.status in (Story.Status.DRAFT, Story.Status.REVIEW) and story.embargo_until
                and story.embargo_until < now)))
        story.state = story.desk_status
        story.state_label = STATE_LABELS.get(story.state) or story.get_status_display()
        story.actions = []
        if not story.deleted_at:
            if story.status == Story.Status.DRAFT and story.can_edit:
                story.actions.append(("submit", "Send for review", ""))
            if can_publish and story.status in (Story.Status.REVIEW, Story.Status.DRAFT, Story.Status.UNPUBLISHED):
                story.actions.append(("publish", "Publish", " primary"))
            if can_publish and story.status == Story.Status.PUBLISHED:
                story.actions.append(("unpublish", "Unpublish", ""))
        story.live_url = story.get_absolute_url() if story.state == "published" else ""
        changed = timezone.localtime(story.modified_at)
        story.changed_iso, story.changed_text = changed.isoformat(timespec="seconds"), _short_time(changed, year=True)
        story.goes_live = _short_time(timezone.localtime(story.published_at)) if story.state == "scheduled" else ""
    query = request.GET.copy()
    for key in ("page", "before", "after"):
        query.pop(key, None)
    overdue = None  # (how many, or None for more than COUNT_LIMIT), on the unfiltered list only
    if not request.GET:
        overdue = narrowed(Story.objects.filter(overdue_q(now)))[1], None
    return render(request, "desk/list.html", {
        "stories": rows, "total": total, "about": about, "count_limit": COUNT_LIMIT,
        "newer_link": _link(query, links.get("newer")), "older_link": _link(query, links.get("older")),
        "statuses": [(key, label) for key, (label, _) in STATUS_FILTERS.items()],
        "sections": sections, "authors": Author.objects.only("name", "slug")[:AUTHOR_CHOICES],
        "params": request.GET, "error": error, "search_min": headlines.MIN_LENGTH,
        "overdue_count": overdue[0] if overdue else None, "overdue_many": bool(overdue) and overdue[0] is None,
        "can_publish": can_publish, "here": request.get_full_path(),
    }, status=400 if error else 200)


# Writing and editing

def _edit_context(request, story, form, credits, **extra):
    autosaved = None
    if story is not None and story.pk:
        autosaved = story.autosaves.filter(user=request.user).first()
    return {
        "story": story, "form": form, "credits": credits, "autosaved": autosaved,
        # A bounded datalist: the form accepts any author's name, the list only suggests.
        "author_names": Author.objects.values_list("name", flat=True)[:AUTHOR_CHOICES],
        "schedule_form": ScheduleForm(), "correction_form": CorrectionForm(),
        "can": {action: policy.can(request.user, action, story) for action in (
            "edit", "submit", "publish", "schedule", "unpublish", "return", "kill", "reinstate", "trash",
            "restore", "purge", "correct", "share", "revisions")} if story is not None and story.pk else {},
        "events": story.events.select_related("user")[:12] if story is not None and story.pk else [],
        **extra,
    }


def _credits(formset):
    return [(f.cleaned_data["source"], f.cleaned_data["role"] or "reported_by")
            for f in formset.forms if f.cleaned_data.get("source")]


def _content(form):
    data = dict(form.cleaned_data)
    data.pop("version", None)
    authors, tags = data.pop("authors"), data.pop("tags")
    if not data.get("slug"):
        data.pop("slug")
    return data, authors, tags


def _initial_credits(story):
    return [{"source": c.source_id, "role": c.role} for c in story.credits.all()]


@desk_view
def story_new(request):
    policy.require(request.user, "create")
    if request.method == "POST":
        form = StoryForm(request.POST, initial={"version": 1})
        credits = CreditFormSet(request.POST, prefix="credits")
        if form.is_valid() and credits.is_valid():
            data, authors, tags = _content(form)
            headline, section = data.pop("headline"), data.pop("section")
            try:
                story = actions.create_story(headline=headline, section=section, authors=authors,
                                             credits=_credits(credits), tags=tags, by=request.user, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Draft saved.")
                return redirect("desk:edit", story.pk)
        status = 400
    else:
        form, credits, status = StoryForm(initial={"version": 1}), CreditFormSet(prefix="credits"), 200
    return render(request, "desk/edit.html", _edit_context(request, None, form, credits), status=status)


@desk_view
def story_edit(request, pk):
    story = get_object_or_404(Story.objects.select_related("section", "lead_image", "owner"), pk=pk)
    if request.method != "POST":
        if not (policy.can(request.user, "edit", story) or policy.can(request.user, "view")):
            raise PermissionDenied
        form = StoryForm(instance=story)
        credits = CreditFormSet(prefix="credits", initial=_initial_credits(story))
        return render(request, "desk/edit.html", _edit_context(request, story, form, credits))
    policy.require(request.user, "edit", story)
    form = StoryForm(request.POST, instance=Story.objects.get(pk=pk))
    credits = CreditFormSet(request.POST, prefix="credits")
    status, extra = 400, {}
    if form.is_valid() and credits.is_valid():
        data, authors, tags = _content(form)
        try:
            actions.update_story(story, authors=authors, credits=_credits(credits), tags=tags, by=request.user,
                                 expected_version=form.cleaned_data["version"], **data)
        except actions.EditConflict as conflict:
            status = 409
            extra = {"conflict": conflict}
            messages.error(request, str(conflict))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("desk:edit", story.pk)
    story.refresh_from_db()
    return render(request, "desk/edit.html", _edit_context(request, story, form, credits, **extra), status=status)


@desk_view
@require_POST
def story_autosave(request, pk):
    story = get_object_or_404(Story, pk=pk)
    policy.require(request.user, "autosave", story)
    try:
        payload = json.loads(request.body or b"{}")
        base_version = int(payload.pop("version"))
        fields = {k: str(v)[:200000] for k, v in payload.items() if k in actions.CONTENT_FIELDS | {"authors", "tags"}}
    except (ValueError, TypeError, KeyError, AttributeError):
        return JsonResponse({"error": "Send the form's fields and its version as JSON."}, status=400)
    save = actions.autosave(story, request.user, fields, base_version)
    return JsonResponse({"saved_at": timezone.localtime(save.saved_at).strftime("%H:%M:%S"),
                         "stale": base_version != story.version})


@desk_view
@require_POST
def story_autosave_discard(request, pk):
    story = get_object_or_404(Story, pk=pk)
    story.autosaves.filter(user=request.user).delete()
    messages.info(request, "Unsaved changes discarded.")
    return redirect("desk:edit", pk)


# Workflow: each POST is one action.

def _workflow(action_name, call, done):
    @desk_view
    @require_POST
    def view(request, pk):
        story = get_object_or_404(Story.objects.select_related("section"), pk=pk)
        policy.require(request.user, action_name, story)
        try:
            result = call(request, story)
        except (actions.WorkflowError, ValidationError) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, message)
            form = StoryForm(instance=story)
            credits = CreditFormSet(prefix="credits", initial=_initial_credits(story))
            return render(request, "desk/edit.html", _edit_context(request, story, form, credits), status=400)
        messages.success(request, done(result) if callable(done) else done)
        nxt = request.POST.get("next", "")
        if nxt.startswith("/desk/") and "//" not in nxt:
            return redirect(nxt)
        if action_name == "purge":
            return redirect("desk:list")
        return redirect("desk:edit", pk)
    view.__name__ = f"story_{action_name}"
    return view


def _schedule(request, story):
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        raise ValidationError(form.errors["at"][0])
    return actions.schedule_story(story, form.cleaned_data["at"], by=request.user)


def _correct(request, story):
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        raise ValidationError("Write the correction's text (up to 2,000 characters).")
    return actions.add_correction(story, form.cleaned_data["text"], form.cleaned_data["kind"], by=request.user)


def _fmt(value):
    return timezone.localtime(value).strftime("%d %b %Y, %H:%M")


story_submit = _workflow("submit", lambda r, s: actions.submit_for_review(s, by=r.user), "Sent for review.")
story_return = _workflow("return", lambda r, s: actions.return_to_draft(s, by=r.user, note=r.POST.get("note", "")),
                         "Sent back to the writer.")
story_publish = _workflow("publish", lambda r, s: actions.publish_story(s, by=r.user), "Published.")
story_schedule = _workflow("schedule", _schedule, lambda s: f"Scheduled for {_fmt(s.published_at)}.")
story_unpublish = _workflow("unpublish", lambda r, s: actions.unpublish_story(s, by=r.user), "Unpublished.")
story_kill = _workflow("kill", lambda r, s: actions.kill_story(s, by=r.user, reason=r.POST.get("reason", "")),
                       "Taken down everywhere. Its address now answers “gone”.")
story_reinstate = _workflow("reinstate", lambda r, s: actions.reinstate_story(s, by=r.user),
                            "Reinstated as unpublished.")
story_trash = _workflow("trash", lambda r, s: actions.trash_story(s, by=r.user), "Moved to the trash.")
story_restore = _workflow("restore", lambda r, s: actions.restore_story(s, by=r.user), "Restored from the trash.")
story_correct = _workflow("correct", _correct, "Note added; the story now shows it.")


@desk_view
@require_POST
def story_purge(request, pk):
    story = get_object_or_404(Story, pk=pk)
    policy.require(request.user, "purge", story)
    if not story.deleted_at:
        messages.error(request, "Only stories in the trash can be deleted for good.")
        return redirect("desk:edit", pk)
    actions.delete_story(story)
    messages.success(request, "Deleted for good.")
    return redirect(reverse("desk:list") + "?status=trash")


# Revisions

@desk_view
def story_revisions(request, pk):
    story = get_object_or_404(Story, pk=pk)
    policy.require(request.user, "revisions", story)
    revisions = list(story.revisions.select_related("user").defer("data"))
    return render(request, "desk/revisions.html", {"story": story, "revisions": revisions,
                                                   "can_restore": policy.can(request.user, "restore_revision", story)})


def _diff(old, new):
    """Word-level difference of two texts as HTML with <del> and <ins>."""
    a, b = str(old or "").split(), str(new or "").split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape(" ".join(a[i1:i2])))
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
    return mark_safe(" ".join(out))


@desk_view
def story_compare(request, pk):
    story = get_object_or_404(Story, pk=pk)
    policy.require(request.user, "revisions", story)
    try:
        a = story.revisions.get(number=int(request.GET.get("a", "")))
        b = story.revisions.get(number=int(request.GET.get("b", "")))
    except (ValueError, Revision.DoesNotExist):
        raise Http404("Choose two revisions of this story") from None
    fields = sorted(set(a.data) | set(b.data))
    def readable(name, value):
        # Editors compare words, not markup.
        return analyse(value or "")[0] if name == "body" else value

    rows = [(name, _diff(readable(name, a.data.get(name)), readable(name, b.data.get(name)))) for name in fields
            if a.data.get(name) != b.data.get(name)]
    return render(request, "desk/compare.html", {"story": story, "a": a, "b": b, "rows": rows})


@desk_view
@require_POST
def story_restore_revision(request, pk, number):
    story = get_object_or_404(Story, pk=pk)
    policy.require(request.user, "restore_revision", story)
    revision = get_object_or_404(Revision, story=story, number=number)
    actions.restore_revision(story, revision, by=request.user)
    messages.success(request, f"Revision {number} restored as a new revision.")
    return redirect("desk:edit", pk)


# Preview

@desk_view
def story_preview(request, pk):
    story = get_object_or_404(Story.objects.select_related("section", "lead_image", "also_read__section"), pk=pk)
    policy.require(request.user, "preview", story)
    return render_story(request, story, preview=True)


def preview_hours():
    return settings.DATELINE.get("PREVIEW_LINK_HOURS", 48)


@desk_view
@require_POST
def story_share(request, pk):
    story = get_object_or_404(Story, pk=pk)
    policy.require(request.user, "share", story)
    token = signing.dumps({"story": story.pk, "v": story.version}, salt=PREVIEW_SALT, compress=True)
    link = request.build_absolute_uri(reverse("desk:shared-preview", args=[token]))
    messages.success(request, mark_safe(
        f'Preview link, valid for {preview_hours()} hours: <a href="{escape(link)}">{escape(link)}</a>'))
    return redirect("desk:edit", pk)


@never_cache
def shared_preview(request, token):
    """A preview for someone without an account; the link expires."""
    try:
        data = signing.loads(token, salt=PREVIEW_SALT, max_age=timedelta(hours=preview_hours()))
    except signing.SignatureExpired:
        return render(request, "desk/preview_expired.html", status=410)
    except signing.BadSignature:
        raise Http404("No such preview") from None
    story = get_object_or_404(Story.objects.select_related("section", "lead_image", "also_read__section"),
                              pk=data.get("story"), deleted_at__isnull=True)
    response = render_story(request, story, preview=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# Curation

@desk_view
def picks(request):
    policy.require(request.user, "picks")
    form = PickForm()
    status = 200
    if request.method == "POST":
        if "remove" in request.POST:
            pick = get_object_or_404(Pick, pk=request.POST["remove"])
            actions.remove_pick(pick)
            messages.success(request, "Pick removed.")
            return redirect("desk:picks")
        if "order" in request.POST:
            order = [int(x) for x in request.POST.getlist("pick") if x.isdigit()]
            actions.reorder_picks(order)
            messages.success(request, "Order saved.")
            return redirect("desk:picks")
        form = PickForm(request.POST)
        if form.is_valid():
            actions.add_pick(form.cleaned_data["story"], starts_at=form.cleaned_data["starts_at"],
                             ends_at=form.cleaned_data["ends_at"])
            messages.success(request, "Pick added.")
            return redirect("desk:picks")
        status = 400
    now = timezone.now()
    rows = list(Pick.objects.select_related("story__section"))
    live = set(Pick.objects.live(now).values_list("pk", flat=True))
    for pick in rows:
        pick.live = pick.pk in live
    return render(request, "desk/picks.html", {"picks": rows, "form": form}, status=status)


@desk_view
def sections(request):
    policy.require(request.user, "sections")
    form, status = SectionForm(), 200
    if request.method == "POST":
        instance = get_object_or_404(Section, pk=request.POST["id"]) if request.POST.get("id") else None
        form = SectionForm(request.POST, instance=instance)
        if form.is_valid():
            try:
                actions.save_section(form.save(commit=False))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Section saved.")
                return redirect("desk:sections")
        status = 400
    return render(request, "desk/sections.html", {"sections": Section.objects.all(), "form": form}, status=status)


@desk_view
def story_lookup(request):
    """Stories matching a headline fragment or number, for pickers in the editor."""
    policy.require(request.user, "view")
    q = headlines.clean(request.GET.get("q", ""))
    qs = Story.objects.published()
    if q.isdigit():
        qs = qs.filter(pk=int(q))
    elif headlines.too_short(q):
        return JsonResponse({"results": [], "error": f"Type at least {headlines.MIN_LENGTH} characters."})
    elif q and connection.vendor == "postgresql":
        qs = qs.filter(headlines.condition(q))  # the planner's statistics choose walk or index
    elif q:
        qs = narrowed(qs.filter(headlines.condition(q)), walk=qs.filter(headlines.condition(q, walk=True)))[0]
        qs = qs.published()
    rows = qs.only("headline", "published_at").order_by("-published_at", "-id")[:10]
    return JsonResponse({"results": [{"id": s.pk, "headline": s.headline} for s in rows]})
