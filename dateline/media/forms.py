from django import forms
from django.template.defaultfilters import filesizeformat

from dateline.news.models import Image

from .validation import ACCEPTED_NAMES, max_bytes, max_pixels, megapixels

ALT_HELP = ("What the image shows, for readers who cannot see it. A story cannot be published "
            "with an image that has none.")


def _text(name, **kwargs):
    field = Image._meta.get_field(name)
    return forms.CharField(label=field.verbose_name.capitalize(), max_length=field.max_length, required=False, **kwargs)


class UploadForm(forms.Form):
    file = forms.FileField(label="Image file")
    alt_text = _text("alt_text", help_text=ALT_HELP, widget=forms.Textarea(attrs={"rows": 2}))
    caption = _text("caption")
    credit = _text("credit")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"{ACCEPTED_NAMES}; at most {filesizeformat(max_bytes())} and {megapixels(max_pixels())}. "
            "SVG is not accepted. An animated GIF shows its first frame."
        )
        self.fields["file"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp,image/gif"


class ImageForm(forms.Form):
    alt_text = _text("alt_text", help_text=ALT_HELP, widget=forms.Textarea(attrs={"rows": 2}))
    caption = _text("caption")
    credit = _text("credit")
    focal_x = forms.FloatField(label="Focal point across (0 = left, 1 = right)", min_value=0, max_value=1)
    focal_y = forms.FloatField(label="Focal point down (0 = top, 1 = bottom)", min_value=0, max_value=1)
