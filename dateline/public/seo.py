"""Page metadata: title, description, canonical address, Open Graph, JSON-LD.

Views build one ``Meta`` per page; ``public/blocks/meta.html`` draws it in the
head. Absolute URLs use ``DATELINE["SITE_URL"]`` when set, so stored pages do
not depend on the Host header of the request that rendered them.
"""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.templatetags.static import static
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

# The same escapes Django's json_script uses, so JSON cannot close the script.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def ld_json(data) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def absolute(request, path: str) -> str:
    base = settings.DATELINE.get("SITE_URL")
    if path.startswith(("http://", "https://")):
        return path
    return f"{base}{path}" if base else request.build_absolute_uri(path)


@dataclass
class Meta:
    title: str
    description: str
    canonical: str
    og_type: str = "website"
    image: object = None  # a news.Image
    image_url: str = ""
    ld: list = field(default_factory=list)
    article: dict = field(default_factory=dict)

    @property
    def ld_scripts(self):
        return mark_safe("".join(ld_json(item) for item in self.ld))


def site_name():
    return settings.DATELINE["SITE_NAME"]


def publisher(request):
    return {
        "@type": "NewsMediaOrganization",
        "name": site_name(),
        "url": absolute(request, "/"),
        "logo": {"@type": "ImageObject", "url": absolute(request, static("public/logo.png")),
                 "width": 600, "height": 60},
    }


def breadcrumbs(request, *trail):
    """BreadcrumbList for (name, path) pairs, the home page first."""
    items = [(site_name(), "/"), *trail]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": absolute(request, path)}
            for i, (name, path) in enumerate(items, 1)
        ],
    }


def paged(path, page):
    return path if page is None or page.number == 1 else f"{path}?page={page.number}"


def for_home(request):
    tagline = settings.DATELINE["SITE_TAGLINE"]
    home = absolute(request, "/")
    return Meta(
        title=f"{site_name()} – {tagline}",
        description=tagline,
        canonical=home,
        ld=[{
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": site_name(),
            "url": home,
            "publisher": publisher(request),
            "potentialAction": {
                "@type": "SearchAction",
                "target": {"@type": "EntryPoint", "urlTemplate": absolute(request, "/search/") + "?q={search_term_string}"},
                "query-input": "required name=search_term_string",
            },
        }],
    )


def for_list(request, name, description, path, page=None):
    suffix = f" – page {page.number}" if page is not None and page.number > 1 else ""
    return Meta(
        title=f"{name}{suffix} – {site_name()}",
        description=description,
        canonical=absolute(request, paged(path, page)),
        ld=[breadcrumbs(request, (name, path))],
    )


def for_story(request, story, bylines, credits, tags, corrections):
    url = absolute(request, story.get_absolute_url())
    description = strip_tags(story.standfirst or story.excerpt)[:300]
    image_url = absolute(request, story.lead_image.file.url) if story.lead_image else ""
    article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.headline[:110],
        "description": description,
        "datePublished": story.published_at.isoformat(),
        "dateModified": (story.updated_at or story.published_at).isoformat(),
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "inLanguage": settings.LANGUAGE_CODE,
        "articleSection": story.section.name,
        "keywords": [t.name for t in tags],
        "wordCount": story.word_count,
        "isAccessibleForFree": True,
        "author": [
            {"@type": "Person", "name": b.author.name, "url": absolute(request, b.author.get_absolute_url())}
            for b in bylines
        ],
        "publisher": publisher(request),
    }
    if image_url:
        article["image"] = [{"@type": "ImageObject", "url": image_url, "width": story.lead_image.width,
                             "height": story.lead_image.height}]
    if credits:
        article["sourceOrganization"] = [
            {"@type": "NewsMediaOrganization", "name": c.source.name, **({"url": c.source.url} if c.source.url else {})}
            for c in {c.source_id: c for c in credits}.values()
        ]
    if story.canonical_url:
        article["isBasedOn"] = story.canonical_url
    if corrections:
        article["correction"] = [
            {"@type": "CorrectionComment", "text": c.text, "datePublished": c.created_at.isoformat()}
            for c in corrections
        ]
    return Meta(
        title=f"{story.headline} – {site_name()}",
        description=description,
        # Syndicated copy points search engines at the original.
        canonical=story.canonical_url or url,
        og_type="article",
        image=story.lead_image,
        image_url=image_url,
        ld=[article, breadcrumbs(request, (story.section.name, story.section.get_absolute_url()),
                                 (story.headline, story.get_absolute_url()))],
        article={
            "published_time": story.published_at.isoformat(),
            "modified_time": (story.updated_at or story.published_at).isoformat(),
            "section": story.section.name,
            "tags": [t.name for t in tags],
        },
    )
