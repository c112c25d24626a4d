from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from dateline.news.models import Section

from .query import clean

DATE_MESSAGE = "Enter the date as year-month-day, for example 2024-05-31."


class SearchForm(forms.Form):
    """What readers may ask of the search page: words, a section, a date range."""

    q = forms.CharField(required=False)
    section = forms.ModelChoiceField(
        queryset=Section.objects.all(), to_field_name="slug", required=False,
        error_messages={"invalid_choice": "There is no section “%(value)s”. Choose one from the list."},
    )
    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": DATE_MESSAGE})
    end = forms.DateField(required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": DATE_MESSAGE})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any text is a query: clean_q() drops what cannot be one, NUL characters included.
        self.fields["q"].validators = []

    def add_prefix(self, field_name):
        # The address says from= and to=, which cannot be Python names.
        return {"start": "from", "end": "to"}.get(field_name, field_name)

    def clean_q(self):
        return clean(self.cleaned_data.get("q"))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The “to” date is before the “from” date.")
        return data

    def time_range(self):
        """(start, end) of the chosen days in the newsroom's time zone; either may be None."""
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        zone = timezone.get_current_timezone()
        begin = datetime.combine(start, time.min, zone) if start else None
        # Up to the end of the last day; the last day of the calendar has no next day.
        stop = datetime.combine(end + timedelta(days=1), time.min, zone) if end and end.year < 9999 else None
        return begin, stop
