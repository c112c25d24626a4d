from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.utils import timezone

from dateline.news.models import Author, Credit, Image, Section, Source, Story

FAILED_SIGNIN_LIMIT = 5
FAILED_SIGNIN_WINDOW = 15 * 60  # seconds


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing further tries after repeated failures.

    Failures are counted per user name and per address in the cache (shared
    between servers when REDIS_URL is set), so guessing a password from many
    addresses or many passwords from one address both stall.
    """

    throttled = False

    def _address(self):
        if self.request is None:
            return ""
        meta = self.request.META
        # Behind nginx every request comes from 127.0.0.1; the proxy's header names the reader.
        if settings.DATELINE.get("TRUST_X_FORWARDED_FOR") and meta.get("HTTP_X_FORWARDED_FOR"):
            return meta["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip()
        return meta.get("REMOTE_ADDR", "")

    def _keys(self):
        name = (self.data.get("username") or "").strip().lower()
        return [f"desk:signin:user:{name}", f"desk:signin:addr:{self._address()}"]

    def clean(self):
        if any((cache.get(key) or 0) >= FAILED_SIGNIN_LIMIT for key in self._keys()):
            self.throttled = True
            raise forms.ValidationError(
                f"Too many failed sign-ins. Wait {FAILED_SIGNIN_WINDOW // 60} minutes and try again.",
                code="throttled",
            )
        try:
            return super().clean()
        except forms.ValidationError:
            for key in self._keys():
                cache.add(key, 0, FAILED_SIGNIN_WINDOW)
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.set(key, 1, FAILED_SIGNIN_WINDOW)
            raise


class StoryForm(forms.ModelForm):
    authors = forms.CharField(
        required=False, help_text="Names, separated by commas, in byline order.",
        widget=forms.TextInput(attrs={"list": "author-names", "autocomplete": "off"}),
    )
    tags = forms.CharField(required=False, help_text="Separated by commas.")
    lead_image = forms.ModelChoiceField(
        Image.objects.all(), required=False, widget=forms.NumberInput(attrs={"min": 1}),
        help_text="Number of an image in the media library.",
    )
    also_read = forms.ModelChoiceField(
        Story.objects.all(), required=False, widget=forms.NumberInput(attrs={"min": 1}),
        help_text="Number of the story to link as “Also read”; empty: the most related one.",
    )
    embargo_until = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Agency embargo: the story cannot be published before this time.",
    )
    canonical_url = forms.URLField(
        required=False, assume_scheme="https", max_length=500,
        help_text="The original's address, for syndicated copy.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    field_order = ["headline", "standfirst", "authors", "section", "body", "tags", "lead_image", "summary",
                   "slug", "canonical_url", "also_read", "also_read_after", "embargo_until"]

    class Meta:
        model = Story
        fields = ["headline", "slug", "standfirst", "body", "summary", "section", "lead_image",
                  "canonical_url", "also_read", "also_read_after", "embargo_until"]
        widgets = {
            "headline": forms.TextInput(attrs={"data-hint": "70", "autocomplete": "off"}),
            "standfirst": forms.Textarea(attrs={"rows": 2, "data-hint": "200"}),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 20, "class": "body-source"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = "Part of the address; built from the headline when empty."
        self.fields["section"].queryset = Section.objects.all()
        if self.instance.pk and not self.is_bound:
            self.initial["authors"] = ", ".join(b.author.name for b in self.instance.bylines.select_related("author"))
            self.initial["tags"] = ", ".join(self.instance.tags.values_list("name", flat=True))
            self.initial["version"] = self.instance.version

    def clean_authors(self):
        names = [" ".join(n.split()) for n in self.cleaned_data["authors"].split(",") if n.strip()]
        found = {a.name.lower(): a for a in Author.objects.filter(name__in=names)}
        missing = [n for n in names if n.lower() not in found]
        if missing:
            raise forms.ValidationError(f"No author called {', '.join(missing)}; add them first or check the spelling.")
        return [found[n.lower()] for n in names]

    def clean_tags(self):
        return [t for t in (" ".join(t.split()) for t in self.cleaned_data["tags"].split(",")) if t]

    def clean_also_read(self):
        chosen = self.cleaned_data["also_read"]
        if chosen is not None and self.instance.pk and chosen.pk == self.instance.pk:
            raise forms.ValidationError("A story cannot be its own “Also read”.")
        return chosen

    def clean_embargo_until(self):
        value = self.cleaned_data["embargo_until"]
        return value.replace(second=0, microsecond=0) if value else value


class CreditForm(forms.Form):
    source = forms.ModelChoiceField(Source.objects.all(), required=False)
    role = forms.ChoiceField(choices=Credit.Role.choices, required=False)


CreditFormSet = forms.formset_factory(CreditForm, extra=2, max_num=10)


class ScheduleForm(forms.Form):
    at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at <= timezone.now():
            raise forms.ValidationError("Choose a time in the future.")
        return at


class CorrectionForm(forms.Form):
    kind = forms.ChoiceField(choices=[("correction", "Correction"), ("update", "Update")])
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class PickForm(forms.Form):
    story = forms.ModelChoiceField(Story.objects.all(), widget=forms.NumberInput(attrs={"min": 1}),
                                   help_text="Number of the story.")
    starts_at = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise forms.ValidationError("A pick must end after it starts.")
        return data


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["name", "slug", "description", "position"]
