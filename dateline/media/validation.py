"""Whether an upload is an image the newsroom takes, decided by its bytes alone.

The name a file carries and the content type a browser sends are never
trusted: a text file called ``photo.jpg`` is refused, a PNG called
``photo.jpg`` is taken as the PNG it is. Every refusal is an
``UploadRefused`` whose message tells the person uploading what is wrong and
what to do, and is raised before anything is written anywhere.

SVG is refused outright: an SVG is a document that can carry scripts, event
handlers and references to other sites, and the renditions readers get are
raster images anyway. A newsroom that needs a vector graphic exports it as PNG.
"""

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

# Pillow's format name -> the extension the stored file gets.
ACCEPTED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
ACCEPTED_NAMES = "JPEG, PNG, WebP or GIF"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000

# Formats people often try, told apart so the message can say what to do.
_KNOWN_OTHERS = [
    (b"%PDF", "a PDF document"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"BM", "a BMP image"),
    (b"8BPS", "a Photoshop file"),
    (b"PK\x03\x04", "a ZIP archive (or an office document)"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
]
_ISO_MEDIA = {b"heic": "a HEIC photo", b"heix": "a HEIC photo", b"mif1": "a HEIF photo",
              b"avif": "an AVIF image", b"qt  ": "a video", b"isom": "a video", b"mp42": "a video"}


class UploadRefused(ValueError):
    """An upload the library does not take; the message is for the person uploading."""


def max_bytes() -> int:
    return int(settings.DATELINE.get("MEDIA_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_pixels() -> int:
    return int(settings.DATELINE.get("MEDIA_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.3g} megapixels"


@dataclass
class Checked:
    picture: Image.Image  # decoded (first frame of an animation), as the file has it
    format: str  # Pillow's name: JPEG, PNG, WEBP, GIF


def check_upload(file) -> Checked:
    """Read ``file`` (any Django ``File``) and decode it, or raise ``UploadRefused``."""
    limit = max_bytes()
    file.seek(0)
    data = file.read(limit + 1)
    name = getattr(file, "name", "") or "The file"
    if not data:
        raise UploadRefused(f"“{name}” is empty.")
    if len(data) > limit:
        raise UploadRefused(too_big_message())
    return check_bytes(data, name)


def check_bytes(data: bytes, name: str = "The file") -> Checked:
    if looks_like_svg(data[:4096]):
        raise UploadRefused(
            "SVG files are not accepted: they can carry scripts that would run on readers' pages. "
            "Export the graphic as PNG and upload that."
        )
    try:
        # Only these decoders may look at the bytes; Pillow reads just the header here.
        picture = Image.open(io.BytesIO(data), formats=list(ACCEPTED))
    except Image.DecompressionBombError:
        raise UploadRefused(too_many_pixels_message()) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise UploadRefused(not_an_image_message(name, data[:64])) from None
    width, height = picture.size
    if width < 1 or height < 1:
        raise UploadRefused(f"“{name}” says it has no pixels at all; it is damaged.")
    # Decided on the header's word, before a single pixel is decoded.
    if width * height > max_pixels():
        raise UploadRefused(too_many_pixels_message(width, height))
    try:
        picture.load()
    except Image.DecompressionBombError:
        raise UploadRefused(too_many_pixels_message()) from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError):
        raise UploadRefused(
            f"“{name}” is damaged or incomplete: the image data stops or breaks before the picture ends. "
            "Save or export it again and upload the new file."
        ) from None
    # Some cameras write MPO: a JPEG followed by more JPEGs; the first is the photo.
    found = "JPEG" if picture.format == "MPO" else picture.format
    if found not in ACCEPTED:
        raise UploadRefused(not_an_image_message(name, data[:64]))
    return Checked(picture=picture, format=found)


def looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<!doctype svg")):
        return True
    return text.startswith((b"<?xml", b"<!--", b"<!doctype")) and b"<svg" in text


def not_an_image_message(name: str, head: bytes) -> str:
    what = next((label for magic, label in _KNOWN_OTHERS if head.startswith(magic)), None)
    if what is None and head[4:8] == b"ftyp":
        what = _ISO_MEDIA.get(head[8:12], "a video or HEIF file")
    if what is None and _is_text(head):
        what = "text"
    found = f"it is {what}" if what else "its contents are not an image"
    return (f"“{name}” is not a {ACCEPTED_NAMES} image ({found}), whatever its name says. "
            f"Export the picture as JPEG or PNG and upload that.")


def too_big_message() -> str:
    return f"The file is larger than {filesizeformat(max_bytes())}, the most the library takes. " \
           "Export it smaller (a photo rarely needs more than 4000 pixels across) and upload it again."


def too_many_pixels_message(width=None, height=None) -> str:
    size = f"{width} × {height} pixels ({megapixels(width * height)})" if width else "far too many pixels"
    return (f"The image has {size}; the library takes at most {megapixels(max_pixels())}. "
            "Scale it down and upload it again.")


def _is_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c >= 32 or c in (9, 10, 13) for c in head)


class SizeLimitUploadHandler(FileUploadHandler):
    """Drops an uploaded file once it passes the byte limit, so an oversize
    upload is never written to memory or disk in full. Views check ``skipped``
    to tell the person why the file is missing."""

    def __init__(self, request=None, limit=None):
        super().__init__(request)
        self.limit = limit if limit is not None else max_bytes()
        self.skipped = []

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.skipped.append(self.field_name)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None
