import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings.base")

from dateline.pagestore.wsgi import PageStoreApp  # noqa: E402  (needs the settings module named)

# Public pages come from the page store when DATELINE["PAGE_STORE"] is enabled;
# with it off the wrapper hands every request straight to Django.
application = PageStoreApp(get_wsgi_application())
