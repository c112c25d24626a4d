#!/usr/bin/env python3
"""The page store, measured through the real server.

    .venv/bin/python bench/pagestore.py [--stories 100000] [--urls 200] [--repeats 5] [--publishes 5]
    .venv/bin/python bench/pagestore.py --db postgres --stories 1000000 --pg-name dateline_bench_1m

With ``--db postgres`` it uses the benches' PostgreSQL database as it is
(``--pg-name``, built by bench/pages.py's prepare step when missing) and makes
no publishes, so the database keeps its story count; the page store is files
under that database's bench home, cleared first.

On the demo newsroom plus N synthetic stories (the SQLite database bench/pages.py
builds and caches, copied so the publishes here do not change it), starts
``dateline serve --workers 1`` and measures, sequentially over one keep-alive
connection with ``Accept-Encoding: gzip``:

- **miss**: the first request for a story page after ``dateline pagestore clear``
  (Django renders the page, stores it and its fragments, then answers);
- **hit**: the same pages again, answered from the store;
- **render, store off**: the same pages from a server started with
  ``DATELINE_PAGE_STORE=off``, what every view cost before the store;
- **static**: the stylesheet (WhiteNoise, same worker): the floor;
- the copy is ``ANALYZE``d first, as ``PRAGMA optimize`` would keep a live
  database (the cached one has no statistics, and SQLite then plans the
  live-picks query of "Don't miss" badly);
- **publish → visible**: ``dateline shell -c`` publishes a new story in a section
  while this program polls that section's page (a stored page) every few
  milliseconds; the time from the start of the publish action to the first
  response that shows the headline, and from the end of the action (after its
  commit and purge) to that response.

Prints medians (and p95); raw numbers go to bench/out/pagestore-<time>.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sqlite3
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _lib  # noqa: E402
from _lib import OUT, KeepAlive, Server, log, median, percentile, table  # noqa: E402

PUBLISH = """
import time
from dateline.news import actions
from dateline.news.models import Section
section = Section.objects.get(slug={section!r})
story = actions.create_story(headline={headline!r}, section=section,
                             body="<p>A story published by bench/pagestore.py.</p>")
started = time.time()
actions.publish_story(story)
finished = time.time()
emit({{"started": started, "finished": finished, "url": story.get_absolute_url()}})
"""


def body_text(headers, body: bytes) -> str:
    if (headers.get("Content-Encoding") or "").lower() == "gzip":
        body = gzip.decompress(body)
    return body.decode("utf-8", "replace")


def copy_home(env: dict, name: str) -> dict:
    """A copy of a prepared DATELINE_HOME (database and secret key), without its page store."""
    source = Path(env["DATELINE_HOME"])
    target = OUT / "db" / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copy2(source / "secret_key", target / "secret_key")
    log(f"copying the database to {target.relative_to(_lib.REPO)} (publishes here must not change the cache)")
    with sqlite3.connect(source / "dateline.sqlite3") as src, sqlite3.connect(target / "dateline.sqlite3") as dst:
        src.backup(dst)
        # Table statistics, as a live site's `PRAGMA optimize` keeps them. Without them
        # SQLite drives the live-picks join from 100,000 stories (~0.8 s a query).
        dst.execute("ANALYZE")
    return _lib.base_env(target)


def timed(client: KeepAlive, urls: list[str], expect_state: str | None) -> tuple[list[float], dict]:
    times, states = [], {}
    for url in urls:
        elapsed, status, headers, _ = client.get(url)
        if status != 200:
            raise RuntimeError(f"{url} answered {status}")
        state = headers.get("X-Page-Store") or "none"
        states[state] = states.get(state, 0) + 1
        times.append(elapsed)
    if expect_state and set(states) != {expect_state}:
        log(f"WARNING: expected every response to be a {expect_state}, got {states}")
    return times, states


def publish_to_visible(env: dict, port: int, section: str, runs: int) -> list[dict]:
    """Publish ``runs`` new stories in ``section`` while polling its page."""
    results = []
    for i in range(runs):
        headline = f"Bench publish {int(time.time() * 1000)}-{i}"
        seen = {}
        stop = threading.Event()

        def poll():
            client = KeepAlive(port, headers={"Accept-Encoding": "gzip"})
            polls = 0
            while not stop.is_set():
                _, status, headers, body = client.get(f"/{section}/")
                polls += 1
                if status == 200 and headline in body_text(headers, body):
                    seen.update(at=time.time(), polls=polls, state=headers.get("X-Page-Store"))
                    break
                time.sleep(0.002)
            client.close()

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        try:
            action = _lib.shell_json(env, PUBLISH.format(section=section, headline=headline))
            poller.join(timeout=30)
        finally:
            stop.set()
        if "at" not in seen:
            raise RuntimeError(f"'{headline}' never appeared on /{section}/")
        results.append({
            "headline": headline,
            "action_ms": (action["finished"] - action["started"]) * 1000,
            "from_start_ms": (seen["at"] - action["started"]) * 1000,
            "from_commit_ms": max(0.0, (seen["at"] - action["finished"]) * 1000),
            "polls": seen["polls"], "state": seen["state"],
        })
        log(f"  publish {i + 1}: visible {results[-1]['from_start_ms']:.1f} ms after the action began "
            f"({results[-1]['action_ms']:.1f} ms in the action)")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--urls", type=int, default=200, help="story pages to measure")
    parser.add_argument("--repeats", type=int, default=5, help="hits per story page")
    parser.add_argument("--publishes", type=int, default=5)
    parser.add_argument("--section", default="world")
    parser.add_argument("--no-store-off", action="store_true", help="skip the store-off comparison")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-name", default="dateline_bench", help="PostgreSQL database (dateline_bench*)")
    _lib.add_rebuild_flag(parser)
    args = parser.parse_args()

    cached, info = _lib.prepare(args.db, args.stories, pg_name=args.pg_name, rebuild=args.rebuild)
    log(f"{info['stories']:,} stories ({info['published']:,} published), demo newsroom: "
        f"{'yes' if info['demo'] else 'no'}, {args.db}")
    if args.db == "sqlite":
        env = copy_home(cached, f"pagestore-{args.stories}")
    else:
        env = dict(cached)  # the shared database itself: nothing here writes to it
        if args.publishes:
            log("PostgreSQL: no publishes (they would change the shared database's story count)")
            args.publishes = 0
    env.pop("DATELINE_PAGE_STORE", None)
    env.pop("REDIS_URL", None)  # the embedded store: files under DATELINE_HOME/pages
    urls = _lib.sample_story_urls(env, args.urls)
    results = {"info": info, "urls": len(urls)}

    server = Server(env, workers=1, label="pagestore")
    try:
        server.start()
        client = KeepAlive(server.port, headers={"Accept-Encoding": "gzip"})
        _, _, headers, body = client.get("/")
        static = _lib.stylesheet_href(body_text(headers, body))
        section_page = client.get(f"/{args.section}/")
        if section_page[1] != 200:
            raise SystemExit(f"/{args.section}/ answered {section_page[1]}; pass --section")

        log("clearing the page store")
        _lib.dateline(env, "pagestore", "clear", quiet=True)
        load_before = _lib.loadavg()
        log(f"misses: {len(urls)} story pages, first request after the purge")
        misses, miss_states = timed(client, urls, "miss")
        log(f"hits: the same pages {args.repeats} times each")
        hits, hit_states = timed(client, urls * args.repeats, "hit")
        statics, _ = timed(client, [static] * len(urls), None)
        load_after = _lib.loadavg()
        client.close()

        log(f"publish → visible on /{args.section}/, {args.publishes} times")
        publishes = publish_to_visible(env, server.port, args.section, args.publishes) if args.publishes else []
        stats = _lib.dateline(env, "pagestore", "stats", quiet=True).stdout
    finally:
        server.stop()

    renders = []
    if not args.no_store_off:
        off = Server({**env, "DATELINE_PAGE_STORE": "off"}, workers=1, label="pagestore-off")
        try:
            off.start()
            client = KeepAlive(off.port, headers={"Accept-Encoding": "gzip"})
            log("store off: the same pages, rendered by Django each time")
            timed(client, urls[:20], None)  # warm the worker (templates, connections)
            renders, _ = timed(client, urls, "none")
            client.close()
        finally:
            off.stop()

    static_median = median(statics)
    rows = []
    for name, values in [("story, miss (render + store)", misses), ("story, hit", hits),
                         ("story, render (store off)", renders), ("static (baseline)", statics)]:
        if values:
            ms = [v * 1000 for v in values]
            rows.append([name, len(ms), f"{median(ms):.2f}", f"{percentile(ms, 95):.2f}",
                         f"{median(values) / static_median:.1f}x"])
    print()
    print(table(["request", "n", "median ms", "p95 ms", "x static"], rows))
    print(f"(load average {load_before} before, {load_after} after; X-Page-Store of misses {miss_states}, "
          f"hits {hit_states})")
    print()
    print(table(["publish → visible", "median ms", "max ms"], [] if not publishes else [
        ["from the start of the action", f"{median([p['from_start_ms'] for p in publishes]):.1f}",
         f"{max(p['from_start_ms'] for p in publishes):.1f}"],
        ["from its end (commit + purge done)", f"{median([p['from_commit_ms'] for p in publishes]):.1f}",
         f"{max(p['from_commit_ms'] for p in publishes):.1f}"],
        ["the publish action itself", f"{median([p['action_ms'] for p in publishes]):.1f}",
         f"{max(p['action_ms'] for p in publishes):.1f}"],
    ]))
    print()
    print("page store after the run:\n  " + "\n  ".join(stats.strip().splitlines()))

    results.update(misses=misses, hits=hits, renders=renders, statics=statics, publishes=publishes,
                   load=[load_before, load_after])
    out = OUT / f"pagestore-{args.db}-{args.stories}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=1))
    log(f"raw numbers: {out.relative_to(_lib.REPO)}")


if __name__ == "__main__":
    main()
