from django import template

from dateline.media.renditions import picture_data

register = template.Library()


@register.simple_tag
def picture_of(image):
    """What ``public/blocks/picture.html`` draws for ``image``; never a query."""
    return picture_data(image)
