"""`dateline serve` serves from a store under DATELINE_HOME, with no other process to run."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

DATELINE = [sys.executable, "-m", "dateline"]


def environment(home):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DATELINE_PAGE_STORE")}
    env["DATELINE_HOME"] = str(home)
    return env


def get(url):
    with urllib.request.urlopen(url, timeout=20) as r:
        return r.status, r.headers, r.read().decode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_stores_pages_in_the_home_and_a_publish_elsewhere_reaches_them(tmp_path):
    home = tmp_path / "home"
    env = environment(home)
    subprocess.run(DATELINE + ["demo", "--stories", "12"], env=env, check=True, capture_output=True, timeout=300)
    port = free_port()
    server = subprocess.Popen(DATELINE + ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                status, headers, page = get(base + "/")
                break
            except OSError:
                time.sleep(0.1)
        assert status == 200
        section = re.search(r'<nav class="sections".*?href="(/[a-z0-9-]+/)"', page, re.S).group(1)
        assert get(base + section)[1]["X-Page-Store"] == "miss"
        assert get(base + section)[1]["X-Page-Store"] == "hit"
        assert (home / "pages" / section.strip("/") / "index.html").is_file()

        # An editor's publish in another process (the desk, a command) purges the shared store.
        code = (
            "from dateline.news import actions\n"
            "from dateline.news.models import Section\n"
            f"s = Section.objects.get(slug={section.strip('/')!r})\n"
            "story = actions.create_story(headline='Harbour reopens after the storm', section=s, body='<p>Yes.</p>')\n"
            "actions.publish_story(story)\n"
        )
        subprocess.run(DATELINE + ["shell", "-c", code], env=env, check=True, capture_output=True, timeout=120)
        _, headers, page = get(base + section)
        assert headers["X-Page-Store"] == "miss" and "Harbour reopens after the storm" in page
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert Path(home / "pages" / "tags.sqlite3").is_file()
