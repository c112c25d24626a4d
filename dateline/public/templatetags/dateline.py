from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def machine_time(value):
    """An ISO 8601 time in whole seconds, as HTML's <time datetime> accepts."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
