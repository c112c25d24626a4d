"""Image files made on the spot, and the cast of desk users."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from PIL import ExifTags
from PIL import Image as PILImage


def picture(size=(1600, 900)):
    """A picture with some detail in it, so encoders have work to do."""
    gradient = PILImage.linear_gradient("L")
    return PILImage.merge("RGB", [gradient.resize(size), PILImage.radial_gradient("L").resize(size),
                                  gradient.rotate(90).resize(size)])


def encoded(image, fmt="JPEG", **save) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def photo(size=(1600, 900), fmt="JPEG", **save) -> bytes:
    return encoded(picture(size), fmt, **save)


def gps_exif(orientation=None):
    exif = PILImage.Exif()
    exif[ExifTags.Base.Make] = "Phonemaker"
    exif[ExifTags.Base.Model] = "Pocket 9"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 26.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    return exif


def png_header_only(width, height):
    """A PNG whose header claims ``width`` × ``height`` but holds a few bytes of
    pixels: what a decompression bomb looks like to a server that trusts it."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def files_under(root) -> list[Path]:
    root = Path(root)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def media_root(settings):
    return Path(settings.MEDIA_ROOT)


class Cast:
    """Desk users, each made only when a test asks for them."""

    def __init__(self):
        self.n = 0

    def user(self, *perms, staff=True):
        self.n += 1
        user = User.objects.create_user(f"person{self.n}", password="pw", is_staff=staff)
        for perm in perms:
            app, codename = perm.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
        return User.objects.get(pk=user.pk)  # a fresh row: permissions are cached per instance

    def editor(self):
        return self.user("news.view_image", "news.add_image", "news.change_image")


@pytest.fixture
def cast(db):
    return Cast()


@pytest.fixture
def desk(client, cast):
    """A client signed in as staff who may see, upload and edit images."""
    client.force_login(cast.editor())
    return client
