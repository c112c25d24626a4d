"""Metadata as search engines and social sites read it: extracted with extruct."""

from datetime import datetime

import extruct
import pytest
from django.core.files.base import ContentFile

from dateline.demo.images import draw
from dateline.news import actions
from dateline.news.models import Image


def extract(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    data = extruct.extract(html, base_url="http://testserver" + url, syntaxes=["json-ld", "opengraph"])
    return html, data


def jsonld(data, kind):
    found = [item for item in data["json-ld"] if item.get("@type") == kind]
    assert len(found) == 1, [item.get("@type") for item in data["json-ld"]]
    return found[0]


def og(data):
    return dict(data["opengraph"][0]["properties"])


def iso(value):
    return datetime.fromisoformat(value)


@pytest.fixture
def story(newsroom):
    world = newsroom.section("World")
    image = Image(alt_text="A quay at dawn", caption="The new quay", credit="Dateline")
    image.file.save("quay.jpg", ContentFile(draw("waves", 1)), save=False)
    image.save()
    story = newsroom.story(
        world, "Harbour quay opens to ships", standfirst="The long-delayed quay took its first ships on Monday.",
        authors=[newsroom.author("Ada Reporter"), newsroom.author("Ben Writer")],
        credits=[(newsroom.source("Meridian Press Agency"), "reported_by")],
        tags=["Ports", "Trade"], lead_image=image,
    )
    actions.add_correction(story, "An earlier version gave the wrong day of opening.")
    return story


def test_a_story_has_complete_news_article_json_ld(client, story):
    _, data = extract(client, story.get_absolute_url())
    article = jsonld(data, "NewsArticle")
    url = "http://testserver" + story.get_absolute_url()
    assert article["headline"] == "Harbour quay opens to ships"
    assert article["description"] == "The long-delayed quay took its first ships on Monday."
    assert article["image"][0]["url"].startswith("http://testserver/media/")
    assert iso(article["dateModified"]) > iso(article["datePublished"])
    assert [(a["@type"], a["name"]) for a in article["author"]] == [("Person", "Ada Reporter"), ("Person", "Ben Writer")]
    assert all(a["url"].startswith("http://testserver/author/") for a in article["author"])
    assert article["publisher"]["@type"] == "NewsMediaOrganization"
    assert article["publisher"]["logo"]["url"].endswith(".png")
    assert article["articleSection"] == "World"
    assert sorted(article["keywords"]) == ["Ports", "Trade"]
    assert article["isAccessibleForFree"] is True
    assert article["mainEntityOfPage"]["@id"] == url
    assert article["sourceOrganization"][0]["name"] == "Meridian Press Agency"
    assert article["correction"][0]["@type"] == "CorrectionComment"
    assert "wrong day" in article["correction"][0]["text"]
    assert "isBasedOn" not in article


def test_a_story_has_breadcrumbs(client, story):
    _, data = extract(client, story.get_absolute_url())
    crumbs = jsonld(data, "BreadcrumbList")["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Dateline", "World", "Harbour quay opens to ships"]
    assert [c["position"] for c in crumbs] == [1, 2, 3]


def test_a_story_has_open_graph_and_twitter_tags(client, story):
    html, data = extract(client, story.get_absolute_url())
    props = og(data)
    assert props["og:type"] == "article" and props["og:title"].startswith("Harbour quay opens to ships")
    assert props["og:image"].startswith("http://testserver/media/") and props["og:image:alt"] == "A quay at dawn"
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert '<link rel="canonical" href="http://testserver/world/harbour-quay-opens-to-ships/">' in html
    assert "<title>Harbour quay opens to ships – Dateline</title>" in html
    assert '<meta name="description" content="The long-delayed quay took its first ships on Monday.">' in html


def test_syndicated_copy_points_at_the_original(client, newsroom):
    story = newsroom.story(newsroom.section(), "Partner story", canonical_url="https://partner.example/news/1")
    html, data = extract(client, story.get_absolute_url())
    assert '<link rel="canonical" href="https://partner.example/news/1">' in html
    assert jsonld(data, "NewsArticle")["isBasedOn"] == "https://partner.example/news/1"


def test_the_configured_site_address_is_used_for_absolute_links(client, story, settings):
    settings.DATELINE = {**settings.DATELINE, "SITE_URL": "https://news.example.org"}
    html, data = extract(client, story.get_absolute_url())
    assert '<link rel="canonical" href="https://news.example.org/world/harbour-quay-opens-to-ships/">' in html
    assert jsonld(data, "NewsArticle")["url"].startswith("https://news.example.org/")


def test_corrections_are_shown_with_their_time(client, story):
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Corrections and updates" in html and "wrong day of opening" in html
    assert "Updated <time" in html


def test_the_home_page_declares_the_website_and_its_search(client, story):
    _, data = extract(client, "/")
    site = jsonld(data, "WebSite")
    action = site["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == "http://testserver/search/?q={search_term_string}"
    assert action["query-input"] == "required name=search_term_string"


@pytest.mark.parametrize("url,title", [
    ("/world/", "World – Dateline"),
    ("/tag/ports/", "Ports – Dateline"),
    ("/author/ada-reporter/", "Ada Reporter – Dateline"),
])
def test_list_pages_have_title_description_canonical_and_breadcrumbs(client, story, url, title):
    html, data = extract(client, url)
    assert f"<title>{title}</title>" in html
    assert '<meta name="description" content="' in html
    assert f'<link rel="canonical" href="http://testserver{url}">' in html
    assert og(data)["og:url"] == f"http://testserver{url}"
    assert jsonld(data, "BreadcrumbList")["itemListElement"][-1]["item"] == f"http://testserver{url}"


def test_a_correction_needs_text(story):
    with pytest.raises(actions.WorkflowError):
        actions.add_correction(story, "   ")
