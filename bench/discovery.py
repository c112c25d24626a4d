#!/usr/bin/env python3
"""Latency of feeds and sitemaps on a large archive, served by the real server.

    .venv/bin/python bench/discovery.py [--db sqlite|postgres|both] [--stories 100000] [--requests N]

Builds (once) or reuses a database holding the demo newsroom plus N synthetic
stories (``dateline demo``, then ``dateline demo --stories N``):

- SQLite: a DATELINE_HOME under bench/out/db/discovery-sqlite-N/, built in a
  scratch folder and renamed when complete, so a half-built one is never used;
- PostgreSQL: the database ``dateline_bench_disc`` (--pg-name; only
  dateline_bench* names are accepted), reused when it holds at least N
  stories, whoever built it (``--pg-name dateline_bench_1m`` measures the
  1,000,000-story one); one with fewer is dropped and rebuilt only with
  ``--rebuild``.

Then starts ``dateline serve --workers 1`` and times sequential GETs over one
keep-alive connection, sending ``Accept-Encoding: gzip`` as feed readers and
crawlers do, page types interleaved request by request:

- the site's RSS feed, and the same feed answered 304 (If-None-Match);
- a section's Atom feed (target: median <= 20 ms);
- a 1,000-entry page of the story sitemap, from the middle of the archive
  (target: median <= 100 ms);
- the sitemap index, and the Google News sitemap (last 48 hours).

The news sitemap holds what was published in the 48 hours before the run, so
its size shrinks as a reused database ages; the entry count is printed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _lib  # noqa: E402
from _lib import OUT, KeepAlive, Server, log, median, percentile, table  # noqa: E402

TARGETS_MS = {"section atom": 20.0, "story sitemap page": 100.0}
ORDER = ["site rss", "site rss (304)", "section atom", "story sitemap page", "sitemap index", "news sitemap"]

# In-process, with the cache emptied before each request: what a feed costs to build
# when its stories just changed (the server keeps renderings under their ETag).
PROBE = """
import time
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING="gzip")
out = {{}}
for name, url in {pages!r}:
    conditional = name.endswith("(304)")
    headers = {{"If-None-Match": client.get(url)["ETag"]}} if conditional else {{}}
    times = []
    for _ in range({runs}):
        if not conditional:
            cache.clear()
        with CaptureQueriesContext(connection) as q:
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    out[name] = {{"status": response.status_code, "queries": len(q.captured_queries),
                 "uncached_ms": times[len(times) // 2]}}
emit(out)
"""


def psql(sql: str, db: str) -> None:
    subprocess.run(["psql", "-h", _lib.PG_HOST, "-p", _lib.PG_PORT, "-U", _lib.PG_USER, "-d", db, "-XAtq",
                    "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True, text=True)


def fill(env: dict, stories: int) -> None:
    """The demo newsroom (lead images, the last days' stories), then the synthetic archive."""
    _lib.dateline(env, "migrate", "--no-input", quiet=True)
    log("loading the demo newsroom (dateline demo)")
    _lib.dateline(env, "demo")
    log(f"adding {stories:,} synthetic stories (dateline demo --stories {stories}); this takes a few minutes")
    started = time.perf_counter()
    _lib.dateline(env, "demo", "--stories", str(stories))
    log(f"  added in {time.perf_counter() - started:.0f} s")


def prepare(kind: str, stories: int, pg_name: str, rebuild: bool = False) -> tuple[dict, dict]:
    """(environment for dateline processes, {"stories": n, "published": n, "reused": bool})."""
    OUT.joinpath("db").mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        home = OUT / "db" / f"discovery-sqlite-{stories}"
        env = _lib.base_env(home)
        if (home / "ready.json").exists():
            counts = _lib.story_count(env)
            if counts["stories"] >= stories:
                log(f"reusing {home.relative_to(_lib.REPO)} ({counts['stories']:,} stories)")
                return env, {**counts, "reused": True}
        shutil.rmtree(home, ignore_errors=True)
        building = home.with_name(home.name + ".building")
        shutil.rmtree(building, ignore_errors=True)
        fill(_lib.base_env(building), stories)
        (building / "ready.json").write_text(json.dumps({"synthetic": stories}))
        building.rename(home)
        return env, {**_lib.story_count(env), "reused": False}

    # Any dateline_bench* database: one that exists is reused when it holds enough stories
    # (e.g. pages.py's 1,000,000-story one) and is never dropped without --rebuild.
    try:
        _lib._pg_guard(pg_name)
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from None
    env = _lib.base_env(OUT / "db" / "discovery-pg-home", _lib.pg_url(pg_name))
    why = ""
    if _lib.pg_exists(pg_name):
        try:
            counts = _lib.story_count(env)
        except RuntimeError as exc:
            counts = {"stories": -1}
            why = f"its stories cannot be counted ({str(exc).strip().splitlines()[-1] if str(exc).strip() else exc})"
        if counts["stories"] >= stories:
            log(f"reusing PostgreSQL database {pg_name} ({counts['stories']:,} stories)")
            return env, {**counts, "reused": True}
        why = why or f"it holds {counts['stories']:,} stories, this run asks for at least {stories:,}"
    _lib.pg_recreate(pg_name, rebuild=rebuild, why=why)
    fill(env, stories)
    log("VACUUM ANALYZE")  # what autovacuum would have done on a live site
    psql("VACUUM ANALYZE", pg_name)
    return env, {**_lib.story_count(env), "reused": False}


def body_of(headers, body: bytes) -> str:
    if (headers.get("Content-Encoding") or "").lower() == "gzip":
        body = gzip.decompress(body)
    return body.decode("utf-8", "replace")


def discover(client: KeepAlive, section: str) -> dict:
    """The URLs to measure, read from the site's own sitemap index."""
    _, status, headers, body = client.get("/sitemap.xml")
    if status != 200:
        raise RuntimeError(f"/sitemap.xml answered {status}")
    listed = re.findall(r"<loc>https?://[^/]+(/[^<]*)</loc>", body_of(headers, body))
    pages = [url.replace("&amp;", "&") for url in listed if url.startswith("/sitemaps/stories.xml")]
    if not pages:
        raise RuntimeError("the sitemap index lists no story sitemap")
    _, status, headers, _ = client.get("/feeds/rss/")
    urls = {
        "site rss": "/feeds/rss/",
        "site rss (304)": ("/feeds/rss/", {"If-None-Match": headers["ETag"]}),
        "section atom": f"/feeds/section/{section}/atom/",
        "story sitemap page": pages[len(pages) // 2],
        "sitemap index": "/sitemap.xml",
        "news sitemap": "/sitemaps/news.xml",
    }
    if not headers["ETag"]:
        log("WARNING: the server sent the feed without an ETag (something in front of Django removed it): "
            "no conditional-GET row")
        del urls["site rss (304)"]
    return urls, len(pages)


def measure(kind: str, args) -> dict:
    env, info = prepare(kind, args.stories, args.pg_name, args.rebuild)
    log(f"{kind}: {info['stories']:,} stories ({info['published']:,} published)")
    server = Server(env, workers=1, label=f"discovery-{kind}")
    try:
        server.start()
        client = KeepAlive(server.port, headers={"Accept-Encoding": "gzip"})
        pages, story_pages = discover(client, args.section)
        log(f"warming up ({args.warmup} requests per page type)")
        for _ in range(args.warmup):
            for spec in pages.values():
                url, extra = spec if isinstance(spec, tuple) else (spec, None)
                client.get(url, extra)
        workers = server.worker_pids()
        cpu = (lambda: _lib.cpu_ns(workers[0])) if len(workers) == 1 else None
        samples = {name: [] for name in pages}
        cpu_ms = {name: [] for name in pages}
        statuses = {name: {} for name in pages}
        sizes, entries = {}, {}
        load_before = _lib.loadavg()
        log(f"measuring {args.requests} requests per page type, interleaved (load average {load_before})")
        for _ in range(args.requests):
            for name, spec in pages.items():
                url, extra = spec if isinstance(spec, tuple) else (spec, None)
                before = cpu() if cpu else 0
                elapsed, status, headers, body = client.get(url, extra)
                samples[name].append(elapsed * 1000)
                if cpu:
                    cpu_ms[name].append((cpu() - before) / 1e6)
                statuses[name][status] = statuses[name].get(status, 0) + 1
                if name not in sizes:
                    text = body_of(headers, body) if body else ""
                    sizes[name] = len(body)
                    entries[name] = len(re.findall(r"<(?:item|entry|url|sitemap)>", text))
        load_after = _lib.loadavg()
        walk = walk_sitemaps(client, workers, story_pages, args.sitemap_walk) if args.sitemap_walk else None
        client.close()
    finally:
        server.stop()
    log("counting queries per page in-process (Django test client)")
    probe = [[name, spec[0] if isinstance(spec, tuple) else spec] for name, spec in pages.items()]
    if "site rss (304)" not in pages:
        probe.append(["site rss (304)", "/feeds/rss/"])
    queries = _lib.shell_json(env, PROBE.format(pages=probe, runs=args.uncached_runs))
    rows = {}
    for name in queries.keys() - samples.keys():
        rows[name] = {"url": dict(probe)[name], "n": 0, "median": None, "p95": None, "cpu_median": None,
                      "statuses": {queries[name]["status"]: 0}, "bytes": 0, "entries": 0,
                      "queries": queries[name]["queries"], "uncached_ms": queries[name]["uncached_ms"]}
    for name, values in samples.items():
        rows[name] = {
            "url": pages[name][0] if isinstance(pages[name], tuple) else pages[name],
            "n": len(values), "median": median(values), "p95": percentile(values, 95),
            "cpu_median": median(cpu_ms[name]) if cpu_ms[name] else None,
            "statuses": statuses[name], "bytes": sizes[name], "entries": entries[name],
            "queries": queries.get(name, {}).get("queries"),
            "uncached_ms": queries.get(name, {}).get("uncached_ms"),
        }
    return {"db": kind, "info": info, "rows": rows, "story_pages": story_pages, "requests": args.requests,
            "load": [load_before, load_after], "cpus": os.cpu_count(), "walk": walk}


def memory_kb(pid: int) -> dict:
    """VmRSS and VmHWM (the peak RSS so far) of a process, in kB, from /proc."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def walk_sitemaps(client: KeepAlive, workers: list[int], pages: int, count: int) -> dict | None:
    """Fetch ``count`` story sitemap pages spread over the whole archive, noting the worker's memory
    after the first and after the last: a sitemap built page by page peaks the same after one page
    as after hundreds, whatever the archive's size."""
    if len(workers) != 1:
        log("WARNING: not one worker: no sitemap walk")
        return None
    numbers = sorted({1 + (pages - 1) * i // max(count - 1, 1) for i in range(count)})
    log(f"walking {len(numbers)} of the {pages} story sitemap pages (worker memory before and after)")
    times, statuses, after_first = [], {}, None
    for number in numbers:
        elapsed, status, _, _ = client.get(f"/sitemaps/stories.xml?p={number}")
        times.append(elapsed * 1000)
        statuses[status] = statuses.get(status, 0) + 1
        if after_first is None:
            after_first = memory_kb(workers[0])
    return {"pages": len(numbers), "median": median(times), "p95": percentile(times, 95), "statuses": statuses,
            "after_first": after_first, "after_last": memory_kb(workers[0])}


def report(result: dict) -> str:
    info, rows = result["info"], result["rows"]
    lines = ["", f"== {result['db']}: {info['stories']:,} stories ({info['published']:,} published), "
                 f"{result['story_pages']} story sitemap pages; 1 worker; {result['requests']} requests per "
                 f"page type over one keep-alive connection; Accept-Encoding: gzip"]
    body = []
    for name in ORDER:
        if name not in rows:
            continue
        r = rows[name]
        target = TARGETS_MS.get(name)
        verdict = "" if target is None else ("ok" if r["median"] <= target else "MISSED")
        status = ",".join(f"{code}×{n}" for code, n in sorted(r["statuses"].items()))
        uncached = "" if r.get("uncached_ms") is None else f"{r['uncached_ms']:.2f}"
        cpu = "" if r.get("cpu_median") is None else f"{r['cpu_median']:.2f}"
        if r["median"] is None:  # measured in-process only
            body.append([name, "-", "-", "", "", "", f"{r['uncached_ms']:.2f}", 0, 0, r["queries"],
                         f"{next(iter(r['statuses']))} in-process"])
            continue
        body.append([name, f"{r['median']:.2f}", f"{r['p95']:.2f}", "" if target is None else f"<= {target:g} ms",
                     verdict, cpu, uncached, r["entries"], f"{r['bytes']:,}", "" if r["queries"] is None else r["queries"],
                     status])
    lines.append(table(["request", "median ms", "p95 ms", "target (median)", "", "server CPU ms", "uncached ms",
                        "entries", "bytes (gzip)", "queries", "statuses"], body, "lrrllrrrrrl"))
    lines.append("server CPU ms: median CPU time the worker spent per request (less sensitive to other load "
                 "on the machine than the wall-clock times)")
    lines.append("uncached ms: median in-process time (Django test client) with the cache emptied first, i.e. "
                 "a feed built from the database rather than served from its kept rendering; for (304), the "
                 "in-process time of a conditional GET that matches")
    lines.append("URLs: " + ", ".join(f"{name}={rows[name]['url']}" for name in ORDER if name in rows))
    lines.append(f"(machine: {result['cpus']} CPUs, load average {result['load'][0]} before, "
                 f"{result['load'][1]} after)")
    walk = result.get("walk")
    if walk:
        first, last = walk["after_first"], walk["after_last"]
        lines.append(f"sitemap walk: {walk['pages']} story sitemap pages across the archive, median "
                     f"{walk['median']:.1f} ms, p95 {walk['p95']:.1f} ms, statuses {walk['statuses']}; worker peak "
                     f"RSS {first['VmHWM'] / 1024:.1f} MB after the first page, {last['VmHWM'] / 1024:.1f} MB after "
                     f"the last (RSS now {last['VmRSS'] / 1024:.1f} MB)")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--stories", type=int, default=100_000, help="synthetic stories (default 100,000)")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per page type (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="warm-up requests per page type (default 10)")
    parser.add_argument("--uncached-runs", type=int, default=20,
                        help="in-process requests per page with the cache emptied first (default 20)")
    parser.add_argument("--section", default="world", help="section whose Atom feed is measured (default world)")
    parser.add_argument("--pg-name", default="dateline_bench_disc", help="PostgreSQL database (dateline_bench*)")
    _lib.add_rebuild_flag(parser)
    parser.add_argument("--prepare-only", action="store_true", help="build or check the database(s), then stop")
    parser.add_argument("--sitemap-walk", type=int, default=0, metavar="N",
                        help="also fetch N story sitemap pages spread over the archive and report the worker's "
                             "peak memory after the first and the last (constant memory check)")
    args = parser.parse_args(argv)
    if args.stories < 1 or args.requests < 1 or args.sitemap_walk < 0:
        parser.error("--stories and --requests must be at least 1")
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if args.prepare_only:
        for kind in kinds:
            _, info = prepare(kind, args.stories, args.pg_name, args.rebuild)
            print(f"{kind}: {info['stories']:,} stories{' (reused)' if info['reused'] else ''}")
        return 0
    results = []
    for kind in kinds:
        results.append(measure(kind, args))
        print(report(results[-1]), flush=True)
    if len(results) > 1:
        print("\n== side by side (median ms / p95 ms)")
        print(table(["request", *[r["db"] for r in results], "target (median)"], [
            [name, *[f"{r['rows'][name]['median']:.2f} / {r['rows'][name]['p95']:.2f}"
                     if r["rows"].get(name, {}).get("median") is not None else "-" for r in results],
             f"<= {TARGETS_MS[name]:g} ms" if name in TARGETS_MS else ""]
            for name in ORDER
        ], "l" + "r" * len(results) + "l"))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = OUT / f"discovery-{args.db}-{args.stories}-{stamp}.json"
    path.write_text(json.dumps(results, indent=1))
    print(f"\nraw numbers: {path.relative_to(_lib.REPO)}")
    missed = [f"{r['db']} {name}" for r in results for name, t in TARGETS_MS.items()
              if (r["rows"][name]["median"] or 0) > t]
    if missed:
        print("targets missed: " + ", ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
