"""Renditions: the sizes and formats readers are sent, made once per image.

At each of a few widths (never wider than the original) an image gets a WebP
and a JPEG, stored under ``MEDIA_ROOT/renditions/`` and listed in
``Image.renditions``::

    [{"width": 480, "height": 270, "format": "webp", "name": "renditions/2025/05/boats-480w.webp"}, ...]

so a page draws its ``<picture>`` from the row it already loaded: no query, no
look at the disk. Renditions keep the whole picture; teasers crop with CSS
(``object-fit: cover``) around the focal point, so moving the focal point needs
no new files.

Every rendition is upright (EXIF orientation applied), sRGB, 8-bit and carries
no metadata at all: a phone photo's EXIF can tell where the photographer
lives. AVIF is left out although this Pillow can write it: on our test
pictures it was no smaller than WebP at a like quality and took about three
times as long to encode, and every browser that reads AVIF reads WebP.
"""

import io
import posixpath
from operator import itemgetter

from django.core.files.base import ContentFile
from django.utils.text import slugify
from PIL import Image as PILImage
from PIL import ImageCms, ImageOps

from .validation import check_bytes

WIDTHS = (480, 800, 1200)
# Reader-facing formats, most preferred first; the last is the <img> fallback.
FORMATS = {
    "webp": ("WEBP", "webp", "image/webp", {"quality": 80, "method": 4}),
    "jpeg": ("JPEG", "jpg", "image/jpeg", {"quality": 82, "optimize": True, "progressive": True}),
}
FALLBACK = "jpeg"
_SRGB = ImageCms.createProfile("sRGB")


def widths_for(original_width: int) -> list[int]:
    """The rendition widths for an original this wide: never upscaled, and the
    largest one no wider than the original."""
    return sorted({w for w in WIDTHS if w < original_width} | {min(original_width, max(WIDTHS))})


def make_renditions(image, *, force=False, picture=None) -> list[dict]:
    """Make ``image``'s renditions unless it has them already; returns the list.

    Renditions are written once: a later call finds them listed and on disk and
    writes nothing, unless ``force``. ``picture`` is the already prepared Pillow
    image when the caller has one (an upload), to save decoding it again. A row
    with a primary key is updated in place; an unsaved one just gets the list,
    for the caller's save. Raises ``UploadRefused`` for a file that is not an
    image we take (an older row's), and ``OSError`` if storage fails; either
    way no rendition of this call is left behind.
    """
    storage = image.file.storage
    old = list(image.renditions or [])
    if old and not force and all(storage.exists(r["name"]) for r in old):
        return old
    if picture is None:
        with storage.open(image.file.name, "rb") as f:
            picture = prepare(check_bytes(f.read(), image.file.name).picture)
    made = []
    try:
        for width in widths_for(picture.width):
            height = max(1, round(picture.height * width / picture.width))
            resized = picture if width == picture.width else picture.resize(
                (width, height), PILImage.LANCZOS, reducing_gap=3.0)
            for key, (_, extension, _, _) in FORMATS.items():
                name = storage.save(rendition_name(image, width, extension), ContentFile(encode(resized, key)))
                made.append({"width": width, "height": height, "format": key, "name": name})
    except BaseException:
        for rendition in made:
            storage.delete(rendition["name"])
        raise
    image.renditions = made
    if image.pk:
        type(image).objects.filter(pk=image.pk).update(renditions=made)
    kept = {r["name"] for r in made}
    for rendition in old:
        if rendition["name"] not in kept:
            storage.delete(rendition["name"])
    return made


def rendition_name(image, width: int, extension: str) -> str:
    folder, base = posixpath.split(posixpath.splitext(image.file.name)[0])
    if folder == "images" or folder.startswith("images/"):
        folder = folder[len("images"):].lstrip("/")
    return posixpath.join("renditions", folder, f"{slugify(base) or 'image'}-{width}w.{extension}")


def prepare(picture: PILImage.Image) -> PILImage.Image:
    """``picture`` as readers should get it: upright, sRGB, 8-bit, no metadata."""
    try:
        picture = ImageOps.exif_transpose(picture)
    except (ValueError, TypeError, SyntaxError, OSError):
        pass  # a broken EXIF block; the pixels are fine as they are
    icc = picture.info.get("icc_profile")
    mode = picture.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        picture = picture.convert("I").point(lambda v: v / 257).convert("L")
    elif mode == "F":
        picture = picture.convert("L")
    elif mode == "1":
        picture = picture.convert("L")
    elif mode in ("P", "PA", "LA", "La"):
        picture = picture.convert("RGBA" if picture.has_transparency_data else "RGB")
    elif mode not in ("L", "RGB", "RGBA", "CMYK"):
        picture = picture.convert("RGB")
    if icc and picture.mode in ("RGB", "RGBA", "CMYK"):
        picture = _to_srgb(picture, icc)
    if picture.mode == "CMYK":
        picture = picture.convert("RGB")
    picture.info = {}
    return picture


def _to_srgb(picture, icc: bytes):
    output = "RGBA" if picture.mode == "RGBA" else "RGB"
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(picture, source, _SRGB, outputMode=output)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return picture  # an unreadable profile: the numbers are probably sRGB already


def encode(picture: PILImage.Image, key: str) -> bytes:
    """``picture`` in format ``key`` of FORMATS; nothing but pixels is written."""
    pillow_format, _, _, options = FORMATS[key]
    if pillow_format == "JPEG" and picture.mode == "RGBA":
        # JPEG has no transparency: lay the picture on the page's white.
        flat = PILImage.new("RGB", picture.size, "white")
        flat.paste(picture, mask=picture.getchannel("A"))
        picture = flat
    elif pillow_format == "WEBP" and picture.mode == "L":
        picture = picture.convert("RGB")
    out = io.BytesIO()
    picture.save(out, pillow_format, **options)
    return out.getvalue()


# Drawing: what templates need, from fields already loaded.

def picture_data(image) -> dict:
    """``src``, ``srcset``, ``width``, ``height``, ``sources`` (one per modern
    format) and the focal ``position`` for ``image``. Fields a query deferred
    (``.only()``) are not touched, so drawing never costs a query: without
    loaded renditions the original file is drawn, and the focal point without
    its fields is the centre."""
    deferred = image.get_deferred_fields()
    listed = [] if "renditions" in deferred else (image.renditions or [])
    by_format = {}
    for rendition in sorted(listed, key=itemgetter("width")):
        if rendition.get("format") in FORMATS:
            by_format.setdefault(rendition["format"], []).append(rendition)
    data = {"position": focal_position(image, deferred), "sources": [], "srcset": ""}
    fallback = by_format.pop(FALLBACK, None)
    if not fallback:
        data.update(src=image.file.url, width=image.width, height=image.height)
        return data
    url = image.file.storage.url

    def srcset(renditions):
        return ", ".join(f"{url(r['name'])} {r['width']}w" for r in renditions)

    largest = fallback[-1]
    data.update(src=url(largest["name"]), srcset=srcset(fallback), width=largest["width"], height=largest["height"])
    data["sources"] = [{"type": FORMATS[key][2], "srcset": srcset(by_format[key])} for key in FORMATS if key in by_format]
    return data


def focal_position(image, deferred=()) -> str:
    """CSS ``object-position`` for the focal point; empty for the centre (CSS's own default)."""
    if "focal_x" in deferred or "focal_y" in deferred:
        return ""
    x, y = (min(max(float(v), 0.0), 1.0) for v in (image.focal_x, image.focal_y))
    if abs(x - 0.5) < 0.0005 and abs(y - 0.5) < 0.0005:
        return ""
    return f"{round(x * 100, 1):g}% {round(y * 100, 1):g}%"


def thumbnail_url(image) -> str:
    """The smallest modern rendition, else the original."""
    listed = sorted(image.renditions or [], key=itemgetter("width"))
    for key in FORMATS:
        for rendition in listed:
            if rendition.get("format") == key:
                return image.file.storage.url(rendition["name"])
    return image.file.url


def backfill(force=False, log=print) -> int:
    """Make renditions for every image that lacks them (all of them with ``force``)."""
    from dateline.news.models import Image

    from .validation import UploadRefused

    made = 0
    for image in Image.objects.order_by("pk").iterator(chunk_size=200):
        before = image.renditions
        try:
            made += make_renditions(image, force=force) != before
        except (UploadRefused, OSError) as error:
            log(f"Image {image.pk} ({image.file.name}): {error}")
    return made
