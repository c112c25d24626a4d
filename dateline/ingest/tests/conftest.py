"""Fixtures for ingest: the fixture files, a fake HTTP transport, a media folder, desk users."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User

from dateline.ingest.http import Response, Transport

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures():
    return FIXTURES


class FakeTransport(Transport):
    """Serves fixture bytes by URL, like an HTTP server would; records what was asked.

    The network is not there in tests: this is the one stand-in they use.
    """

    def __init__(self, routes=None):
        self.routes = dict(routes or {})  # url -> (status, headers, body bytes)
        self.requests = []

    def handle(self, request):
        self.requests.append(request)
        status, headers, body = self.routes.get(request.url, (404, {}, b"not here"))
        if callable(body):
            status, headers, body = body(request)
        return Response(status=status, url=request.url, headers={k.lower(): v for k, v in headers.items()},
                        content=body)


@pytest.fixture
def transport():
    return FakeTransport()


@pytest.fixture
def media_folder(tmp_path):
    """A copy of wp-content/uploads with the images the WordPress fixture uses (drawn here, not shipped)."""
    from PIL import Image

    root = tmp_path / "uploads"
    (root / "2023" / "05").mkdir(parents=True)
    Image.new("RGB", (80, 60), (220, 160, 20)).save(root / "2023/05/crane-dawn.jpg")
    Image.new("RGB", (64, 48), (20, 120, 200)).save(root / "2023/05/crane-barge.png")
    Image.new("RGB", (40, 40), (30, 30, 30)).save(root / "2023/05/quay-map.png")
    return root


def _user(username, *, staff, perms=()):
    user = User.objects.create_user(username, password="pw", is_staff=staff)
    for codename in perms:
        app, code = codename.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=code))
    return user


@pytest.fixture
def editor(db):
    """Staff with the right to make stories."""
    return _user("editor", staff=True, perms=["news.add_story", "news.change_story", "news.view_story"])


@pytest.fixture
def reader(db):
    """Signed in, but not staff."""
    return _user("reader", staff=False, perms=["news.add_story"])


@pytest.fixture
def intern(db):
    """Staff, but without the right to make stories."""
    return _user("intern", staff=True)
