"""How fast the editorial desk answers with a big archive.

    .venv/bin/python bench/desk.py [--stories 1000000] [--db sqlite|postgres|both] [--requests 30] [--runs 3]
                                   [--pg-name dateline_bench_desk] [--sqlite-home DIR]

Builds (or reuses, under bench/out/) a database with the demo newsroom plus N
synthetic stories, starts `dateline serve --workers 1`, signs in as an editor,
and times every kind of story list (default, each status, section, author,
combined filters, day range, headline searches, an early page by number, deep
pages by the Older/Newer links, from the middle and the end of the archive),
the edit page of random stories, and the editor's story picker, over
keep-alive HTTP, sequentially. The baseline, measured in the same run, is a
static file from the same server. Each case is measured in --runs rounds of
--requests requests; the table shows the median of the rounds' medians, the p95
of all requests, and the ratio to the baseline of the same round. A case passes
when every answer was 200 and its p95 is within the target.
Target: story list and edit page <= 300 ms.
"""

import argparse
import http.client
import random
import re
import sys
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from _lib import (KeepAlive, Server, add_rebuild_flag, base_env, dateline, log, loadavg, median, percentile, prepare,
                  shell_json, stop_on_signals, stylesheet_href, table)

TARGET_MS = 300
USER, PASSWORD = "bench-editor", "bench-editor-password-1"
ROW = re.compile(r'<a href="/desk/(\d+)/">')
OLDER = re.compile(r'<a href="([^"]+)" rel="next">')


def ensure_editor(env):
    dateline(env, "shell", "-c", (
        "from django.contrib.auth import get_user_model; from dateline.desk.roles import give_role, EDITOR\n"
        f"u, _ = get_user_model().objects.get_or_create(username={USER!r})\n"
        f"u.set_password({PASSWORD!r}); u.save(); give_role(u, EDITOR)"
    ), quiet=True)


def _cookies(resp) -> SimpleCookie:
    jar = SimpleCookie()
    for header in resp.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return jar


def sign_in(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/desk/login/")
    resp = conn.getresponse()
    page = resp.read().decode()
    csrf = _cookies(resp)["csrftoken"].value
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/desk/"})
    conn.request("POST", "/desk/login/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 302:
        raise RuntimeError(f"sign-in failed: {resp.status}")
    jar = _cookies(resp)
    session = jar["sessionid"].value
    csrf = jar["csrftoken"].value if "csrftoken" in jar else csrf
    conn.close()
    return f"sessionid={session}; csrftoken={csrf}"


def sample(env):
    """Stories that exist (ids have gaps), spread over the archive; an author; cursors deep in the list."""
    return shell_json(env, (
        "import random\n"
        "from dateline.news.models import Story, Author, Section\n"
        "from dateline.desk.views import cursor_token\n"
        "top = Story.objects.order_by('-id').values_list('id', flat=True).first()\n"
        "rnd = random.Random(7)\n"
        "ids = []\n"
        "for _ in range(200):\n"
        "    pk = Story.objects.filter(pk__gte=rnd.randrange(1, top + 1)).order_by('pk').values_list('pk', flat=True).first()\n"
        "    ids.append(pk)\n"
        "recent = Story.objects.filter(deleted_at__isnull=True).order_by('-modified_at', '-id')\n"
        "n = recent.count()\n"
        "middle = recent.only('modified_at')[n // 2]\n"
        "end = recent.only('modified_at')[n - 30]\n"
        "author = Author.objects.filter(bylines__isnull=False).values_list('slug', flat=True).first()\n"
        "section = Section.objects.filter(stories__isnull=False).values_list('slug', flat=True).first()\n"
        "day = Story.objects.filter(pk__in=ids[:1]).values_list('modified_at', flat=True).first()\n"
        "emit({'ids': ids, 'author': author, 'section': section, 'middle': cursor_token(middle),"
        " 'end': cursor_token(end), 'day': day.date().isoformat(), 'active': n})\n"
    ))


def cases(s):
    words = ["harbour", "bridge", "budget", "zzqx", "ouncil", "night train service", "Port Lenning"]
    sec, author = s["section"], s["author"]
    return [
        ("list: default", lambda i: "/desk/", True),
        ("list: drafts", lambda i: "/desk/?status=draft", False),
        ("list: in review", lambda i: "/desk/?status=review", False),
        ("list: scheduled", lambda i: "/desk/?status=scheduled", False),
        ("list: published", lambda i: "/desk/?status=published", True),
        ("list: unpublished", lambda i: "/desk/?status=unpublished", False),
        ("list: taken down", lambda i: "/desk/?status=killed", False),
        ("list: overdue", lambda i: "/desk/?status=overdue", False),
        ("list: trash", lambda i: "/desk/?status=trash", False),
        ("list: section", lambda i: f"/desk/?section={sec}", True),
        ("list: author", lambda i: f"/desk/?author={author}", True),
        ("list: section + review", lambda i: f"/desk/?section={sec}&status=review", False),
        ("list: author + published", lambda i: f"/desk/?author={author}&status=published", True),
        ("list: section + author + published", lambda i: f"/desk/?section={sec}&author={author}&status=published", True),
        ("list: one day", lambda i: f"/desk/?from={s['day']}&to={s['day']}", True),
        ("list: headline search", lambda i: f"/desk/?q={words[i % len(words)].replace(' ', '+')}", False),
        ("list: search + section + author", lambda i: f"/desk/?q=harbour&section={sec}&author={author}", True),
        ("list: search + review", lambda i: "/desk/?q=harbour&status=review", False),
        ("list: page 50 (number)", lambda i: "/desk/?page=50", True),
        ("list: older, middle of archive", lambda i: f"/desk/?before={s['middle']}", True),
        ("list: older, end of archive", lambda i: f"/desk/?before={s['end']}", True),
        ("list: newer, middle of archive", lambda i: f"/desk/?after={s['middle']}", True),
        ("list: older, section, middle", lambda i: f"/desk/?section={sec}&before={s['middle']}", True),
        ("edit page", lambda i: f"/desk/{s['ids'][i % len(s['ids'])]}/", None),
        ("story picker (lookup)", lambda i: f"/desk/lookup/?q={['harbour', 'zzqx', 'lenning'][i % 3]}", None),
    ]


def run(kind, stories, requests, runs, pg_name, sqlite_home, rebuild=False):
    if kind == "sqlite" and sqlite_home:
        env = base_env(Path(sqlite_home).resolve())
        dateline(env, "migrate", "--no-input", quiet=True)
        info = {"db": "sqlite", "home": sqlite_home}
    else:
        env, info = prepare(kind, stories, pg_name=pg_name, rebuild=rebuild)
    ensure_editor(env)
    s = sample(env)
    info["stories"] = info.get("stories") or s["active"]
    log(f"{kind}: {s['active']:,} stories not in the trash; load average {loadavg()}")
    plan = cases(s)
    times = {name: [] for name, _, _ in plan}
    round_medians = {name: [] for name, _, _ in plan}
    statuses = {name: set() for name, _, _ in plan}
    empty = {name: 0 for name, _, _ in plan}
    base_times, base_medians = [], []
    with Server(env, workers=1, label=f"desk-{kind}") as server:
        cookie = sign_in(server.port)
        client = KeepAlive(server.port, headers={"Cookie": cookie})
        _, _, _, home = client.get("/")
        css = stylesheet_href(home.decode())
        for name, path, _ in plan:  # warm up: every case once or twice
            for i in range(2):
                client.get(path(i))
        for r in range(runs):
            ms = [client.get(css)[0] * 1000 for _ in range(requests)]
            base_times += ms
            base_medians.append(median(ms))
            for name, path, must_list in plan:
                ms = []
                for i in range(requests):
                    seconds, status, _, body = client.get(path(i + r * requests))
                    ms.append(seconds * 1000)
                    statuses[name].add(status)
                    if must_list and not ROW.search(body.decode(errors="replace")):
                        empty[name] += 1
                times[name] += ms
                round_medians[name].append(median(ms))
            log(f"round {r + 1} of {runs} done; load average {loadavg()}")
        client.close()
    base = median(base_medians)
    rows = [["static file (baseline)", f"{base:.1f}", f"{percentile(base_times, 95):.1f}", "1.0×", "200", "", ""]]
    for name, _, _ in plan:
        med = median(round_medians[name])
        ok = statuses[name] == {200} and not empty[name] and percentile(times[name], 95) <= TARGET_MS
        rows.append([name, f"{med:.1f}", f"{percentile(times[name], 95):.1f}", f"{med / base:.0f}×",
                     ",".join(map(str, sorted(statuses[name]))),
                     " / ".join(f"{m:.0f}" for m in round_medians[name]),
                     "ok" if ok else ("EMPTY" if empty[name] else "OVER")])
    print(f"\n{kind}: {info['stories']:,} stories; {runs} rounds × {requests} requests per case; "
          f"load average {loadavg()}")
    print(table(["request", "median ms", "p95 ms", "× baseline", "status", "round medians", f"p95 ≤ {TARGET_MS} ms"],
                rows))
    return all(r[-1] in ("ok", "") for r in rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg-name", default="dateline_bench_desk",
                        help="PostgreSQL database (dateline_bench* only), kept between runs")
    parser.add_argument("--sqlite-home", default=None,
                        help="an existing DATELINE_HOME to measure instead of building one")
    add_rebuild_flag(parser)
    args = parser.parse_args()
    stop_on_signals()
    for kind in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        run(kind, args.stories, args.requests, args.runs, args.pg_name, args.sqlite_home, args.rebuild)


if __name__ == "__main__":
    sys.exit(main())
