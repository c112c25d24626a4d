"""robots.txt, the sitemap index and sitemaps, and the archive by date."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import http_date
from django.views.decorators.cache import cache_control
from django.views.decorators.http import conditional_page, require_safe
from django.views.generic.dates import DayArchiveView, MonthArchiveView, YearArchiveView

from dateline.news.models import Story
from dateline.public.pagination import paginate

from .sitemaps import SITEMAPS


@require_safe
@cache_control(max_age=3600)
def robots(request):
    sitemap = request.build_absolute_uri(reverse("discovery:sitemap-index"))
    return render(request, "discovery/robots.txt", {"sitemap": sitemap}, content_type="text/plain; charset=utf-8")


@require_safe
@conditional_page
@sitemap_views.x_robots_tag
def sitemap_index(request):
    """Every page of every sitemap, as each sitemap counts and dates its own (``index_pages``)."""
    entries = []
    for name, sitemap in SITEMAPS.items():
        url = request.build_absolute_uri(reverse("discovery:sitemap", args=[name]))
        for number, lastmod in sitemap().index_pages():
            entries.append(sitemap_views.SitemapIndexItem(url if number == 1 else f"{url}?p={number}", lastmod))
    return TemplateResponse(
        request, "discovery/sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )


@require_safe
@conditional_page
def sitemap(request, name):
    """One sitemap (``?p=`` for its later pages), through Django's own view."""
    if name not in SITEMAPS:
        raise Http404("No such sitemap")
    if name == "stories":
        return story_sitemap(request)
    return sitemap_views.sitemap(
        request, {name: SITEMAPS[name]}, section=name, template_name=SITEMAPS[name].template_name
    )


@sitemap_views.x_robots_tag
def story_sitemap(request):
    """A page of the story sitemap, as Django's sitemap view would answer it, written from rows."""
    sitemap = SITEMAPS["stories"]()
    try:
        xml, latest = sitemap.write_page(request.GET.get("p", 1), site=get_current_site(request),
                                         protocol=request.scheme)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such page") from None
    response = HttpResponse(xml, content_type="application/xml")
    if latest is not None:
        response.headers["Last-Modified"] = http_date(latest.timestamp())
    return response


# Periods at the very ends of the calendar have no next or previous day, and their
# bounds overflow when converted to UTC; no newsroom has stories there.
FIRST_YEAR, LAST_YEAR = 2, 9998


def period_start(day, period):
    """The first day of the year, month or day that ``day`` is in."""
    return {"year": day.replace(month=1, day=1), "month": day.replace(day=1), "day": day}[period]


def period_after(day, period):
    """The first day after the year, month or day that ``day`` is in."""
    if period == "day":
        return day + timedelta(days=1)
    if period == "month":
        return day.replace(year=day.year + day.month // 12, month=day.month % 12 + 1, day=1)
    return day.replace(year=day.year + 1, month=1, day=1)


def midnight(day):
    """The moment ``day`` begins in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def visible_before(moment):
    """Stories readers could see just before ``moment``.

    One upper bound on the timeline index: given two ("before the period" and
    "not after now"), SQLite ranges over one and filters the other, walking the
    timeline down from today to the period.
    """
    return Story.objects.published(now=min(timezone.now(), moment - timedelta(microseconds=1)))


def describe(start, period):
    """{"label", "url"} of the year, month or day starting at ``start``."""
    formats = {"year": "Y", "month": "F Y", "day": "F j, Y"}
    parts = [f"{start:%Y}", f"{start:%m}", f"{start:%d}"][: ["year", "month", "day"].index(period) + 1]
    return {"label": date_format(start, formats[period]), "url": reverse(f"discovery:archive-{period}", args=parts)}


class ArchiveMixin:
    """Published stories of one period in the site's time zone, paged like every list.

    Django's date views parse the address (an impossible date is a 404) and
    page the list; the queries are ours, each a seek on the timeline index.
    """

    template_name = "discovery/archive.html"
    date_field = "published_at"
    allow_future = True  # published() keeps future stories out already (see visible_before)
    allow_empty = False  # an empty period is a 404, and the links skip to periods that have stories
    month_format = "%m"
    day_format = "%d"
    period = None  # "year", "month" or "day"
    until = None  # the end of the period shown

    def get_year(self):
        year = super().get_year()
        if not FIRST_YEAR <= int(year) <= LAST_YEAR:
            raise Http404("No archive for that year")
        return year

    def get_queryset(self):
        visible = Story.objects.published() if self.until is None else visible_before(self.until)
        return visible.teasers().newest_first()

    def get_dated_queryset(self, **lookup):
        self.until = lookup.pop(f"{self.date_field}__lt")
        return super().get_dated_queryset(**lookup)

    def adjacent(self, day, previous):
        """The start of the nearest earlier or later period that has stories, or None."""
        if previous:
            nearest = visible_before(midnight(period_start(day, self.period))).order_by("-published_at")
        else:
            after = midnight(period_after(day, self.period))
            nearest = Story.objects.published().filter(published_at__gte=after).order_by("published_at")
        found = nearest.values_list("published_at", flat=True).first()
        return None if found is None else period_start(timezone.localtime(found).date(), self.period)

    # Django's views ask for these; only the page's own kind of period is shown.

    def get_previous_year(self, day):
        return self.adjacent(day, previous=True) if self.period == "year" else None

    def get_next_year(self, day):
        return self.adjacent(day, previous=False) if self.period == "year" else None

    def get_previous_month(self, day):
        return self.adjacent(day, previous=True) if self.period == "month" else None

    def get_next_month(self, day):
        return self.adjacent(day, previous=False) if self.period == "month" else None

    def get_previous_day(self, day):
        return self.adjacent(day, previous=True)

    def get_next_day(self, day):
        return self.adjacent(day, previous=False)

    def get_paginate_by(self, queryset):
        return settings.DATELINE["PAGE_SIZE"]

    def paginate_queryset(self, queryset, page_size):
        page = paginate(self.request, queryset, page_size)
        return page.paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shown = describe(context[self.period], self.period)["label"]
        before, after = context[f"previous_{self.period}"], context[f"next_{self.period}"]
        context.update(
            page=context["page_obj"],
            show_section=True,
            period=shown,
            period_phrase=f"on {shown}" if self.period == "day" else f"in {shown}",
            previous=before and describe(before, self.period),
            next=after and describe(after, self.period),
        )
        return context


class YearArchive(ArchiveMixin, YearArchiveView):
    period = "year"
    make_object_list = True

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        """The months of the year that have stories: a query per month found, on the timeline
        index, where Django's own (DISTINCT over every story of the year) reads them all."""
        months, since = [], None
        while True:
            later = queryset if since is None else queryset.filter(published_at__gte=since)
            first = later.order_by("published_at").values_list("published_at", flat=True).first()
            if first is None:
                return months
            month = timezone.localtime(first).date().replace(day=1)
            months.append(month)
            if month.month == 12:
                return months
            since = midnight(period_after(month, "month"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["months"] = [describe(month, "month") for month in context["date_list"]]
        return context


class MonthArchive(ArchiveMixin, MonthArchiveView):
    period = "month"

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        return None  # the month page links to its neighbours, not to each of its days


class DayArchive(ArchiveMixin, DayArchiveView):
    period = "day"


@require_safe
def archive_index(request):
    """The years that have published stories, newest first: one indexed query per year."""
    years, before = [], None
    while True:
        older = Story.objects.published() if before is None else visible_before(before)
        newest = older.order_by("-published_at").values_list("published_at", flat=True).first()
        if newest is None:
            break
        year = timezone.localtime(newest).year
        if FIRST_YEAR <= year <= LAST_YEAR:
            years.append(year)
        if year <= FIRST_YEAR:
            break
        before = midnight(date(year, 1, 1))
    if not years:
        raise Http404("No archive yet")
    return render(request, "discovery/archive_index.html", {"years": years})
