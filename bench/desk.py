"""How fast the editorial desk answers with a big archive.

    .venv/bin/python bench/desk.py [--stories 1000000] [--db sqlite|postgres|both] [--requests 40]

Builds (or reuses, under bench/out/) a database with the demo newsroom plus N
synthetic stories, starts `dateline serve --workers 1`, signs in as an editor,
and times the story list (default view, each filter, a headline search) and
the edit page of random stories over keep-alive HTTP, sequentially. The
baseline, measured in the same run, is a static file from the same server.
Target: story list and edit page <= 300 ms.
"""

import argparse
import http.client
import random
import re
import sys
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from _lib import KeepAlive, Server, dateline, log, median, percentile, prepare, shell_json, stylesheet_href, table

TARGET_MS = 300
USER, PASSWORD = "bench-editor", "bench-editor-password-1"


def ensure_editor(env):
    dateline(env, "shell", "-c", (
        "from django.contrib.auth import get_user_model; from dateline.desk.roles import give_role, EDITOR\n"
        f"u, _ = get_user_model().objects.get_or_create(username={USER!r})\n"
        f"u.set_password({PASSWORD!r}); u.save(); give_role(u, EDITOR)"
    ), quiet=True)


def sign_in(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/desk/login/")
    resp = conn.getresponse()
    page = resp.read().decode()
    csrf = SimpleCookie(resp.headers.get("Set-Cookie", ""))["csrftoken"].value
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/desk/"})
    conn.request("POST", "/desk/login/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 302:
        raise RuntimeError(f"sign-in failed: {resp.status}")
    session = SimpleCookie(resp.headers.get("Set-Cookie", ""))["sessionid"].value
    conn.close()
    return f"sessionid={session}; csrftoken={csrf}"


def run(kind, stories, requests):
    env, info = prepare(kind, stories)
    ensure_editor(env)
    sample = shell_json(env, (
        "import random; from dateline.news.models import Story, Author\n"
        "n = Story.objects.order_by('-id').values_list('id', flat=True).first()\n"
        "rnd = random.Random(7)\n"
        "emit({'ids': [rnd.randrange(1, n + 1) for _ in range(200)],"
        " 'author': Author.objects.values_list('slug', flat=True).first()})"
    ))
    ids = [i for i in sample["ids"]]
    rows = []
    with Server(env, workers=1, label=f"desk-{kind}") as server:
        cookie = sign_in(server.port)
        client = KeepAlive(server.port, headers={"Cookie": cookie})
        _, _, _, home = client.get("/")
        css = stylesheet_href(home.decode())
        cases = [
            ("static file (baseline)", lambda i: css),
            ("list: default", lambda i: "/desk/"),
            ("list: in review", lambda i: "/desk/?status=review"),
            ("list: published", lambda i: "/desk/?status=published"),
            ("list: section", lambda i: "/desk/?section=world"),
            ("list: author", lambda i: f"/desk/?author={sample['author']}"),
            ("list: page 50", lambda i: "/desk/?page=50"),
            ("list: headline search", lambda i: f"/desk/?q={['harbour', 'bridge', 'budget', 'zzqx'][i % 4]}"),
            ("edit page", lambda i: f"/desk/{ids[i % len(ids)]}/"),
        ]
        baseline = None
        for name, path in cases:
            for i in range(3):  # warm up
                client.get(path(i))
            times, statuses = [], set()
            for i in range(requests):
                seconds, status, _, _ = client.get(path(i))
                times.append(seconds * 1000)
                statuses.add(status)
            med = median(times)
            baseline = baseline or med
            rows.append([name, f"{med:.1f}", f"{percentile(times, 95):.1f}", f"{med / baseline:.1f}×",
                         ",".join(map(str, sorted(statuses))),
                         "" if name.startswith("static") else ("ok" if percentile(times, 95) <= TARGET_MS else "OVER")])
        client.close()
    print(f"\n{kind}: {info.get('stories', '?'):,} stories")
    print(table(["request", "median ms", "p95 ms", "× baseline", "status", f"p95 ≤ {TARGET_MS} ms"], rows))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    for kind in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        run(kind, args.stories, args.requests)


if __name__ == "__main__":
    sys.exit(main())
