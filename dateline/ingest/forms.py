from django import forms

from dateline.news.models import Section

from .safexml import MAX_ITEM_BYTES, MB


class PageImportForm(forms.Form):
    url = forms.URLField(label="Address of the page", required=False, assume_scheme="https", max_length=500)
    file = forms.FileField(label="or a saved page (HTML or text)", required=False)
    text = forms.CharField(label="or paste the page", required=False, widget=forms.Textarea(attrs={"rows": 10}))
    source = forms.CharField(label="Original publication", required=False, max_length=120,
                             help_text="Credited on the story; left empty, the page's own name for itself is used.")
    section = forms.ModelChoiceField(Section.objects.all(), required=False, empty_label="(first section)")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_ITEM_BYTES:
            raise forms.ValidationError(f"The file is larger than the {MAX_ITEM_BYTES // MB} MB a page may have.")
        return upload

    def clean(self):
        data = super().clean()
        given = [name for name in ("url", "file", "text") if data.get(name)]
        if len(given) != 1 and not self.errors:
            raise forms.ValidationError("Give the page one way: an address, a file, or pasted text.")
        return data
