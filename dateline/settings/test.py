"""Settings for the test suite: the same stack, faster hashing, no manifest."""

from .base import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
# Serve static files straight from the apps, as a developer's checkout would.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(exist_ok=True)  # noqa: F405

# Other apps' tests talk to Django directly and expect pages rendered inline;
# dateline/pagestore's tests turn the store on, each with a store of its own.
DATELINE = {**DATELINE, "PAGE_STORE": {**DATELINE["PAGE_STORE"], "ENABLED": False}}  # noqa: F405

# Two test runs against one PostgreSQL server at once need test databases of their own.
if os.environ.get("DATELINE_TEST_DB_NAME"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": os.environ["DATELINE_TEST_DB_NAME"]}  # noqa: F405
