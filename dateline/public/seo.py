"""Page metadata: titles, descriptions, canonical addresses and JSON-LD."""

import json

from django.conf import settings
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

# The same escapes Django's json_script uses, so JSON cannot close the script.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def ld_json(data) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def absolute(request, path):
    return request.build_absolute_uri(path)


def image_url(request, image):
    return absolute(request, image.file.url) if image else None


def news_article(request, story, bylines, credits, tags):
    site = settings.DATELINE["SITE_NAME"]
    url = absolute(request, story.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.headline[:110],
        "description": strip_tags(story.standfirst or story.excerpt),
        "datePublished": story.published_at.isoformat() if story.published_at else None,
        "dateModified": (story.updated_at or story.published_at).isoformat() if story.published_at else None,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "articleSection": story.section.name,
        "keywords": [t.name for t in tags],
        "wordCount": story.word_count,
        "isAccessibleForFree": True,
        "author": [
            {"@type": "Person", "name": b.author.name, "url": absolute(request, b.author.get_absolute_url())}
            for b in bylines
        ],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": site,
            "url": absolute(request, "/"),
            "logo": {"@type": "ImageObject", "url": absolute(request, settings.STATIC_URL + "public/logo.png")},
        },
    }
    if story.lead_image:
        data["image"] = [image_url(request, story.lead_image)]
    if credits:
        data["sourceOrganization"] = [
            {"@type": "NewsMediaOrganization" if c.source.kind != "agency" else "Organization",
             "name": c.source.name, **({"url": c.source.url} if c.source.url else {})}
            for c in credits
        ]
    if story.canonical_url:
        data["isBasedOn"] = story.canonical_url
    return {k: v for k, v in data.items() if v is not None}
