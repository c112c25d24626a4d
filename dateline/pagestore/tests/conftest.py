import os
import uuid

import pytest

from dateline.pagestore.store import get_store


class RecordingPurger:
    """Stands in for a CDN: remembers every purge it is told of."""

    calls = []

    def __call__(self, tags):
        RecordingPurger.calls.append(set(tags))


recording_purger = RecordingPurger()


def store_settings(settings, backend, location):
    conf = {**settings.DATELINE["PAGE_STORE"], "ENABLED": True, "S_MAXAGE": 300,
            "PURGERS": ["dateline.pagestore.tests.conftest.recording_purger"]}
    if backend == "redis":
        conf.update(BACKEND="dateline.pagestore.backends.redis.RedisStore", LOCATION=os.environ["REDIS_URL"],
                    OPTIONS={"prefix": f"dateline-test:{uuid.uuid4().hex}"})
    else:
        conf.update(BACKEND="dateline.pagestore.backends.files.FileStore", LOCATION=str(location), OPTIONS={})
    settings.DATELINE = {**settings.DATELINE, "PAGE_STORE": conf}
    return get_store()


def _backends():
    # Files always; Redis too where it is configured (CI's PostgreSQL run sets REDIS_URL).
    return ["files", "redis"] if os.environ.get("REDIS_URL") else ["files"]


@pytest.fixture(params=_backends())
def backend(request):
    return request.param


@pytest.fixture
def store(settings, backend, tmp_path):
    """The page store switched on, empty, with a store of this test's own."""
    found = store_settings(settings, backend, tmp_path / "pages")
    RecordingPurger.calls = []
    yield found
    if backend == "redis":
        found.destroy()


@pytest.fixture
def app(store):
    from django.core.wsgi import get_wsgi_application

    from dateline.pagestore.wsgi import PageStoreApp

    return PageStoreApp(get_wsgi_application())


@pytest.fixture
def web(app):
    from .support import WSGIClient

    return WSGIClient(app)
