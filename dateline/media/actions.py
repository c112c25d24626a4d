"""The one write path of the media library: the desk, importers and tests add
and edit images only through these functions. Neither checks permissions;
callers do that first.

Errors a person can act on are ``UploadRefused`` (the file) and
``ValueError`` (a field), each with a message meant for them.
"""

import io
import posixpath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify

from dateline.news.models import Image

from . import signals
from .renditions import make_renditions, prepare
from .validation import UploadRefused, check_upload

__all__ = ["UploadRefused", "upload_image", "update_image", "EDITABLE"]

EDITABLE = ("alt_text", "caption", "credit", "focal_x", "focal_y")
# The original is kept cleaned (upright, sRGB, no metadata) in its own format;
# a GIF keeps its first frame, as PNG, since that frame is all readers are shown.
_ORIGINAL = {
    "JPEG": ("JPEG", "jpg", {"quality": 92}),
    "PNG": ("PNG", "png", {"compress_level": 6}),
    "WEBP": ("WEBP", "webp", {"quality": 90}),
    "GIF": ("PNG", "png", {"compress_level": 6}),
}


def upload_image(file, *, alt_text="", caption="", credit="", focal_x=0.5, focal_y=0.5) -> Image:
    """Check ``file``, store it cleaned with its renditions, and add it to the library.

    Either the row and all its files exist afterwards, or nothing does: a
    refused file raises ``UploadRefused`` before anything is written, and a
    failure while storing removes what was written. (Called inside a larger
    transaction that later rolls back, the files stay; files are not
    transactional.)
    """
    fields = _clean_fields(dict(alt_text=alt_text, caption=caption, credit=credit, focal_x=focal_x, focal_y=focal_y))
    checked = check_upload(file)
    picture = prepare(checked.picture)
    pillow_format, extension, options = _ORIGINAL[checked.format]
    out = io.BytesIO()
    picture.save(out, pillow_format, **options)
    stem = slugify(posixpath.splitext(posixpath.basename(getattr(file, "name", "") or ""))[0])[:60] or "image"

    image = Image(**fields)
    storage = image.file.storage
    written = []
    try:
        image.file.save(f"{stem}.{extension}", ContentFile(out.getvalue()), save=False)
        written.append(image.file.name)
        written += [r["name"] for r in make_renditions(image, picture=picture)]
        with transaction.atomic():
            image.save()
            signals.image_uploaded.send(sender=Image, image=image)
    except BaseException:
        for name in written:
            storage.delete(name)
        raise
    return image


@transaction.atomic
def update_image(image, **changes) -> Image:
    """Change ``image``'s alt text, caption, credit or focal point.

    Renditions keep the whole picture and CSS crops around the focal point, so
    no file changes here."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable here: {', '.join(sorted(unknown))}")
    changes = _clean_fields(changes)
    changed = {name for name, value in changes.items() if getattr(image, name) != value}
    for name in changed:
        setattr(image, name, changes[name])
    if changed:
        image.save(update_fields=sorted(changed))
        signals.image_changed.send(sender=Image, image=image, changed=changed)
    return image


def _clean_fields(fields: dict) -> dict:
    clean = {}
    for name, value in fields.items():
        if name in ("focal_x", "focal_y"):
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ValueError("The focal point is two numbers from 0 to 1.") from None
            if not 0.0 <= value <= 1.0:
                raise ValueError("The focal point must lie on the image: both numbers from 0 to 1.")
        else:
            value = " ".join(str(value or "").split())
            limit = Image._meta.get_field(name).max_length
            if len(value) > limit:
                raise ValueError(f"The {Image._meta.get_field(name).verbose_name} is longer than {limit} characters.")
        clean[name] = value
    return clean
