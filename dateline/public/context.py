from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .blocks import nav_sections


def site(request):
    """The site's name and the section navigation, queried only if a page uses it."""
    return {
        "site_name": settings.DATELINE["SITE_NAME"],
        "site_tagline": settings.DATELINE["SITE_TAGLINE"],
        "language": settings.LANGUAGE_CODE.split("-")[0],
        "nav_sections": SimpleLazyObject(nav_sections),
    }
