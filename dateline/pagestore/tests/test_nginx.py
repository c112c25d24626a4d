"""nginx in front of `dateline serve`, with the configuration in deploy/.

Starts Debian's nginx (skipped if it is not installed) as this user with a
configuration rendered by `dateline deploy-config nginx --standalone` into a
temporary folder, and the app (`dateline serve`, its own DATELINE_HOME on
SQLite, the page store in files), each on a free port; then checks, through
nginx, misses and hits, fragments assembled by SSI, invalidation after a
publish in another process, scheduled stories coming due while only nginx is
asked, the bypasses (session cookie, other queries, POST) and that nothing but
pages can be read from the store's folder. Both processes are stopped by PID.
"""

import gzip
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DATELINE = [sys.executable, "-m", "dateline"]

pytestmark = pytest.mark.skipif(not os.access(NGINX, os.X_OK),
                                reason="nginx is not installed (Debian: apt-get install nginx-light)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, proc, log, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with {proc.returncode}:\n{Path(log).read_text(errors='replace')[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}:\n{Path(log).read_text(errors='replace')[-3000:]}")


def stop(proc):
    """Stop a process this module started, by its PID."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


class Site:
    def __init__(self, home, env, port, app_port):
        self.home, self.env, self.port, self.app_port = home, env, port, app_port

    def request(self, path, method="GET", headers=None, port=None, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            raw = resp.read()
            if resp.getheader("Content-Encoding") == "gzip":
                raw = gzip.decompress(raw)
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, raw.decode("utf-8", "replace")
        finally:
            conn.close()

    def shell(self, code):
        proc = subprocess.run(DATELINE + ["shell", "-c", code], env=self.env, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("nginx")
    home = root / "home"
    port, app_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DATELINE_PAGE_STORE")}
    env.update(DATELINE_HOME=str(home), DATELINE_SITE_URL=f"http://127.0.0.1:{port}",
               DATELINE_ALLOWED_HOSTS="127.0.0.1,localhost", DATELINE_HOST="127.0.0.1",
               DATELINE_PORT=str(app_port), PYTHONUNBUFFERED="1")
    subprocess.run(DATELINE + ["demo", "--stories", "30"], env=env, check=True, capture_output=True, timeout=600)
    runtime = root / "nginx"
    subprocess.run(DATELINE + ["deploy-config", "nginx", "--standalone", str(runtime),
                               "--listen", f"127.0.0.1:{port}", "--worker-processes", "1"],
                   env=env, check=True, capture_output=True, timeout=120)
    started = []
    try:
        app_log = root / "app.log"
        with open(app_log, "w") as out:
            app = subprocess.Popen(DATELINE + ["serve", "--workers", "1"], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
        started.append(app)
        wait_for(app_port, app, app_log, timeout=300)
        nginx_log = runtime / "error.log"
        with open(root / "nginx.out", "w") as out:
            nginx = subprocess.Popen([NGINX, "-p", str(runtime), "-c", str(runtime / "nginx.conf"),
                                      "-e", str(nginx_log)], stdout=out, stderr=subprocess.STDOUT)
        started.append(nginx)
        wait_for(port, nginx, root / "nginx.out")
        found = Site(home, env, port, app_port)
        found.app = app
        yield found
    finally:
        for proc in reversed(started):
            stop(proc)


def first_story(site, section):
    _, _, page = site.request(section)
    return re.search(rf'<a href="({section}[a-z0-9-]+/)"', page).group(1)


def whole(site, path):
    """The file nginx sends for ``path``: the page kept whole under _whole/."""
    return site.home / "pages" / "_whole" / path.strip("/") / "index.html"


def test_a_miss_is_rendered_by_the_app_then_nginx_serves_it_from_disk(site):
    status, headers, first = site.request("/world/")
    assert status == 200 and headers["x-page-store"] in ("miss", "hit")
    assert (site.home / "pages" / "world" / "index.html").is_file()
    assert whole(site, "/world/").read_text() == first
    status, headers, second = site.request("/world/")
    assert status == 200 and headers["x-page-store"] == "nginx"
    assert second == first
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"].startswith("public, max-age=0, s-maxage=")
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["etag"] and headers["last-modified"]
    status, _, body = site.request("/world/", headers={"If-None-Match": headers["etag"]})
    assert (status, body) == (304, "")
    status, headers, _ = site.request("/world/", headers={"Accept-Encoding": "gzip"})
    assert headers["content-encoding"] == "gzip" and "Accept-Encoding" in headers["vary"]
    status, headers, body = site.request("/world/", method="HEAD")
    assert status == 200 and headers["x-page-store"] == "nginx" and body == ""


def test_story_pages_are_sent_whole_with_their_fragments_in_place(site):
    story = first_story(site, "/world/")
    status, headers, rendered = site.request(story)
    assert status == 200 and headers["x-page-store"] != "nginx"
    stored = (site.home / "pages" / story.strip("/") / "index.html").read_text()
    assert '<!--# include virtual="/_fragment/' in stored  # the page's own part, stored apart
    status, headers, served = site.request(story)
    assert status == 200 and headers["x-page-store"] == "nginx"
    assert "<!--#" not in served and "Latest from" in served
    assert served == rendered  # nginx sends the very page the app put together
    # The home page too ("Don't miss" is a fragment there).
    _, headers, by_app = site.request("/")
    status, headers, home = site.request("/")
    assert headers["x-page-store"] == "nginx" and home == by_app
    assert "<!--#" not in home


def test_a_purged_fragment_drops_the_whole_pages_that_show_it_not_the_pages(site):
    story = first_story(site, "/business/")
    site.request(story)
    assert site.request(story)[1]["x-page-store"] == "nginx"
    stored = (site.home / "pages" / story.strip("/") / "index.html").read_text()
    fragments = re.findall(r'<!--# include virtual="([^"]+)" -->', stored)
    assert fragments
    out = site.shell(  # what the fragment alone shows, as when a story elsewhere changes its list
        "from dateline.pagestore.store import get_store, purge_tags\n"
        f"store = get_store(); only = store.get({fragments[0]!r}).tags - store.get({story!r}).tags\n"
        "print(sorted(only)); purge_tags(only)\n"
    )
    assert out.strip() != "[]", "the fragment shows nothing the page does not"
    assert not whole(site, story).exists()
    assert (site.home / "pages" / story.strip("/") / "index.html").is_file()  # the page itself stays
    status, headers, served = site.request(story)  # the app puts it together again from the store
    assert status == 200 and headers["x-page-store"] == "hit" and "Latest from" in served
    assert whole(site, story).is_file()
    assert site.request(story)[1]["x-page-store"] == "nginx"
    for url in fragments:
        # From outside, fragments do not exist, through nginx or straight at the app.
        assert site.request(url)[0] == 404
        assert site.request(url, port=site.app_port)[0] == 404
    assert site.request("/_whole" + story)[0] == 404
    assert site.request("/_whole" + story, port=site.app_port)[0] == 404


def test_a_publish_in_another_process_shows_through_nginx(site):
    story = first_story(site, "/world/")
    for path in ("/world/", story, "/"):
        site.request(path)
        assert site.request(path)[1]["x-page-store"] == "nginx"
    site.shell(
        "from dateline.news import actions\n"
        "from dateline.news.models import Section\n"
        "s = Section.objects.get(slug='world')\n"
        "story = actions.create_story(headline='Lighthouse keepers return to the cape', section=s,"
        " body='<p>Yes.</p>')\n"
        "actions.publish_story(story)\n"
    )
    for path in ("/world/", story, "/"):
        status, headers, page = site.request(path)
        assert status == 200 and "Lighthouse keepers return to the cape" in page, path
    # The story page itself was not purged, only its "Latest from" fragment and so its
    # whole copy: the app put it together again, and nginx sends it from disk again.
    assert (site.home / "pages" / story.strip("/") / "index.html").is_file()
    assert site.request(story)[1]["x-page-store"] == "nginx"


def test_a_scheduled_story_comes_due_while_only_nginx_is_asked(site):
    site.request("/sport/")
    assert site.request("/sport/")[1]["x-page-store"] == "nginx"
    site.shell(
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from dateline.news import actions\n"
        "from dateline.news.models import Section\n"
        "s = Section.objects.get(slug='sport')\n"
        "story = actions.create_story(headline='Rowing club wins the estuary cup', section=s, body='<p>Yes.</p>')\n"
        "actions.schedule_story(story, timezone.now() + timedelta(seconds=3))\n"
    )
    status, headers, page = site.request("/sport/")
    assert headers["x-page-store"] == "nginx" and "Rowing club wins the estuary cup" not in page
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        status, headers, page = site.request("/sport/")
        if "Rowing club wins the estuary cup" in page:
            break
        time.sleep(0.2)
    assert "Rowing club wins the estuary cup" in page


def test_what_nginx_leaves_to_the_app(site):
    site.request("/world/")
    assert site.request("/world/")[1]["x-page-store"] == "nginx"
    # Signed in (or once was): always the app, always fresh.
    status, headers, _ = site.request("/world/", headers={"Cookie": "csrftoken=x; sessionid=abc"})
    assert status == 200 and headers.get("x-page-store") != "nginx"
    assert site.request("/world/", headers={"Cookie": "csrftoken=x"})[1]["x-page-store"] == "nginx"
    # Other queries, escaped or unusual paths, other methods, other host names.
    for path in ("/world/?utm_source=x", "/world/?page=1&x=1", "/%77orld/", "/world//", "//world/",
                 "/a/../world/"):
        status, headers, _ = site.request(path)
        assert headers.get("x-page-store") != "nginx", path
    status, headers, _ = site.request("/world/", method="POST", body=b"",
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert headers.get("x-page-store") != "nginx"
    status, headers, _ = site.request("/world/", headers={"Host": "localhost"})
    assert status == 200 and headers.get("x-page-store") != "nginx"
    # ?page=N is stored under its own file and served by nginx.
    site.request("/?page=2")
    status, headers, _ = site.request("/?page=2")
    assert status == 200 and headers["x-page-store"] == "nginx"
    assert (site.home / "pages" / "_whole" / "index.html?page=2").is_file()
    # The desk and search are the app's.
    assert site.request("/desk/login/")[1].get("x-page-store") != "nginx"


def test_nothing_but_pages_can_be_read_from_the_store(site):
    site.request("/world/")
    for path in ("/index.html", "/index.html.meta", "/world/index.html", "/world/index.html.meta",
                 "/tags.sqlite3", "/tags.sqlite3-wal", "/world/index.html%3Fpage=2", "/_fragment/dont-miss/",
                 "/_fragment/dont-miss/index.html", "/_fragment/dont-miss/index.html.meta", "/_whole/",
                 "/_whole/world/", "/_whole/world/index.html", "/.version"):
        status, headers, body = site.request(path)
        assert status == 404, path
        assert "SQLite format" not in body and '"tags"' not in body


def test_static_files_from_disk_and_stored_pages_while_the_app_is_down(site):
    _, _, page = site.request("/")
    css = re.search(r'<link rel="stylesheet" href="(/static/[^"]+)"', page).group(1)
    status, headers, _ = site.request(css, headers={"Accept-Encoding": "gzip"})
    assert status == 200 and "immutable" in headers["cache-control"]
    site.request("/world/")
    stop(site.app)
    status, headers, page = site.request("/world/")
    assert status == 200 and headers["x-page-store"] == "nginx" and "</html>" in page
    assert site.request("/desk/login/")[0] == 502
