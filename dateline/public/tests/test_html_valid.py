"""Every reader page is valid HTML by the Nu Html Checker (vnu.jar, installed by scripts/test)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from dateline.demo.images import draw
from dateline.news import actions
from dateline.news.models import Image

REPO = Path(__file__).resolve().parents[3]
VNU = Path(os.environ.get("DATELINE_VNU_JAR", REPO / ".cache/vnu/node_modules/vnu-jar/build/dist/vnu.jar"))


def vnu_or_skip():
    if VNU.exists() and shutil.which("java"):
        return VNU
    if os.environ.get("CI"):
        pytest.fail(f"the Nu Html Checker is missing at {VNU} (scripts/test installs it with npm)")
    pytest.skip("the Nu Html Checker needs Java and vnu.jar (scripts/test installs it when npm is present)")


@pytest.fixture
def pages(client, newsroom):
    world = newsroom.section("World")
    newsroom.section("Business", position=1)
    image = Image(alt_text="Boats in a harbour", caption="Boats", credit="Dateline")
    image.file.save("boats.jpg", ContentFile(draw("waves", 2)), save=False)
    image.save()
    author, agency = newsroom.author("Ada Reporter"), newsroom.source("Meridian Press Agency")
    stories = [newsroom.story(world, f"Harbour story {i} & “quotes”", hours_ago=10 - i, authors=[author],
                              credits=[(agency, "reported_by"), (agency, "additional_reporting")],
                              tags=["Ports"], lead_image=image if i == 2 else None,
                              standfirst="A standfirst with <angle> & ampersand.")
               for i in range(6)]
    actions.add_correction(stories[2], "A name was misspelt.")
    actions.add_pick(stories[0])
    urls = ["/", "/world/", stories[2].get_absolute_url(), stories[0].get_absolute_url(), "/tag/ports/",
            "/author/ada-reporter/", "/no-such-page/"]
    out = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        out[url] = response.content
    return out


def test_every_page_type_is_valid_html(pages, tmp_path):
    vnu = vnu_or_skip()
    files = []
    for i, (url, content) in enumerate(pages.items()):
        path = tmp_path / f"page{i}.html"
        path.write_bytes(content)
        files.append((url, path))
    result = subprocess.run(
        ["java", "-jar", str(vnu), "--errors-only", "--format", "json", *[str(p) for _, p in files]],
        capture_output=True, text=True, timeout=120,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    by_file = {str(p): url for url, p in files}
    problems = [(by_file.get(m.get("url", "").replace("file:", ""), m.get("url")), m.get("message"),
                 m.get("extract", "")[:80]) for m in messages]
    assert problems == []
