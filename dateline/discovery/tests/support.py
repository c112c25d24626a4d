"""Helpers shared by the discovery tests."""

import io

from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as Picture

from dateline.news.models import Image


def make_image(name="harbour.jpg", caption="Cranes over the harbour at dawn.", size=(64, 36)):
    buffer = io.BytesIO()
    Picture.new("RGB", size, "#3e7cb1").save(buffer, "JPEG")
    image = Image(alt_text="Cranes over the harbour", caption=caption, credit="Staff")
    image.file.save(name, ContentFile(buffer.getvalue()), save=False)
    image.save()
    return image


def count_queries(client, url, status=200, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    assert response.status_code == status, url
    return len(ctx.captured_queries)
