"""Settings shared by every environment. Everything site-specific comes from
the environment (see docs/configuration.md); nothing here needs editing to
deploy."""

import os

import dj_database_url

from dateline.core.home import home, secret_key


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


HOME = home()
SECRET_KEY = secret_key(HOME)
DEBUG = env_bool("DATELINE_DEBUG")
ALLOWED_HOSTS = env_list("DATELINE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DATELINE_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dateline.core",
    "dateline.news",
    "dateline.enrich",
    "dateline.media",
    "dateline.search",
    "dateline.discovery",
    "dateline.ingest",
    "dateline.pagestore",
    "dateline.public",
    "dateline.desk",
    "dateline.demo",
]

MIDDLEWARE = [
    # First, so it stores responses with every header the others add (dateline/pagestore).
    "dateline.pagestore.middleware.PageStoreMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dateline.public.middleware.StoryRedirectMiddleware",
]

ROOT_URLCONF = "dateline.urls"
LOGIN_URL = "/desk/login/"
LOGIN_REDIRECT_URL = "/desk/"
WSGI_APPLICATION = "dateline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dateline.public.context.site",
            ],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=600)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # JIT compiles plans for seconds to save milliseconds on our short, indexed queries.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": HOME / "dateline.sqlite3",
            "OPTIONS": {
                # WAL lets readers run while a writer writes; IMMEDIATE takes the
                # write lock at BEGIN so concurrent writers wait instead of failing.
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA mmap_size=268435456;"
                    "PRAGMA cache_size=-32000;"  # for bulk writes; dateline serve lowers it (core/server.py)
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Keep connections (and SQLite's page cache) across requests.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    }

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "dateline",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("DATELINE_LANGUAGE", "en-us")
TIME_ZONE = os.environ.get("DATELINE_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = HOME / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("DATELINE_HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DATELINE_LOG_LEVEL", "WARNING")},
}

# The newsroom itself.
DATELINE = {
    "SITE_NAME": os.environ.get("DATELINE_SITE_NAME", "Dateline"),
    "SITE_TAGLINE": os.environ.get("DATELINE_SITE_TAGLINE", "Independent news, every day"),
    # The public address, e.g. https://news.example.org; absolute links (canonical,
    # feeds, sitemaps, JSON-LD) use it. Empty: taken from each request.
    "SITE_URL": os.environ.get("DATELINE_SITE_URL", "").rstrip("/"),
    # After which paragraph of the body the "Also read" link goes, unless a
    # story says otherwise.
    "ALSO_READ_AFTER": int(os.environ.get("DATELINE_ALSO_READ_AFTER", "3")),
    "WORDS_PER_MINUTE": 230,
    "PAGE_SIZE": 20,
    "TEASERS": 4,
    # The desk flags a story that waits in review longer than this.
    "REVIEW_OVERDUE_HOURS": 4,
    # Behind a reverse proxy: count failed sign-ins by the X-Forwarded-For address.
    "TRUST_X_FORWARDED_FOR": env_bool("DATELINE_TRUST_X_FORWARDED_FOR"),
    # How long a preview link for people without an account stays valid.
    "PREVIEW_LINK_HOURS": 48,
    # The largest request body `dateline serve` reads (an upload); larger ones get 413.
    # Behind nginx, client_max_body_size (deploy-config --max-body, 32m) applies first.
    "MAX_REQUEST_BYTES": int(os.environ.get("DATELINE_MAX_REQUEST_BYTES", str(32 * 1024 * 1024))),
    # On PostgreSQL, reader pages send their queries as server-side prepared statements
    # (dateline/public/prepared.py). Turn off behind a pooler in transaction mode that
    # cannot keep them (PgBouncer before 1.21, or without max_prepared_statements).
    "PG_PREPARED": env_bool("DATELINE_PG_PREPARED", True),
}

# Public pages are rendered once and served from a store until something they
# show changes (dateline/pagestore): files under DATELINE_HOME/pages, or Redis,
# shared by several app servers, when REDIS_URL is set.
DATELINE["PAGE_STORE"] = {
    "ENABLED": env_bool("DATELINE_PAGE_STORE", True),
    "BACKEND": ("dateline.pagestore.backends.redis.RedisStore" if os.environ.get("REDIS_URL")
                else "dateline.pagestore.backends.files.FileStore"),
    "LOCATION": os.environ.get("REDIS_URL") or str(HOME / "pages"),
    "OPTIONS": {},
    # How long a CDN may keep a stored page before asking again (never past a pending purge).
    "S_MAXAGE": int(os.environ.get("DATELINE_PAGE_STORE_S_MAXAGE", "60")),
    # Dotted paths of callables purger(tags), told of every purge: a CDN's purge-by-tag API.
    "PURGERS": env_list("DATELINE_PAGE_STORE_PURGERS", ""),
}
