import pytest
from django.contrib.auth import get_user_model

from dateline.desk.roles import ADMINISTRATOR, CONTRIBUTOR, EDITOR, give_role

PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in throttling counts in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(db):
    """The cast: two contributors, an editor, an administrator, and a reader with an account."""
    User = get_user_model()

    def make(name, role=None):
        user = User.objects.create_user(name, password=PASSWORD)
        return give_role(user, role) if role else user

    return {
        "contributor": make("connie", CONTRIBUTOR),
        "other": make("colin", CONTRIBUTOR),
        "editor": make("eddie", EDITOR),
        "admin": make("ada", ADMINISTRATOR),
        "reader": make("rita"),
    }
