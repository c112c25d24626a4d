#!/usr/bin/env python3
"""Per-request latency of reader pages, served by the real server.

    .venv/bin/python bench/pages.py [--stories 100000] [--db sqlite|postgres|both] [--requests N]

Prepares a database (the demo newsroom plus N synthetic stories; cached under
bench/out/db/ for SQLite, the PostgreSQL database ``dateline_bench`` reused
when its story count matches), starts ``dateline serve --workers 1`` and times
sequential GETs over one keep-alive connection, sending ``Accept-Encoding:
gzip`` like a browser:

- story pages, rotating over ~1,000 story URLs sampled across the archive;
- the home page; a section page;
- extra rows for information: a deep section page, a tag page, an author page;
- the baseline: the stylesheet, a static file served by WhiteNoise in the same
  process. The ratio "x static" is each median over the baseline median.

Page types are interleaved request by request, so drift affects all equally.
See bench/README.md for how to read the numbers.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _lib  # noqa: E402
from _lib import OUT, KeepAlive, Server, log, median, percentile, table  # noqa: E402

TARGETS_MS = {"story": 15.0, "home": 25.0}

PROBE = """
import time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
pages = {pages!r}
client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING="gzip")
out = {{}}
for name, url in pages:
    runs = []
    for attempt in range(2):
        with CaptureQueriesContext(connection) as q:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        times = [float(x["time"]) for x in q.captured_queries]
        slowest = max(q.captured_queries, key=lambda x: float(x["time"]), default=None)
        runs.append({{
            "status": response.status_code, "queries": len(times), "sql_ms": sum(times) * 1000,
            "view_ms": elapsed * 1000,
            "slowest_ms": float(slowest["time"]) * 1000 if slowest else 0.0,
            "slowest_sql": slowest["sql"][:3000] if slowest else "",
        }})
    out[name] = runs
emit(out)
"""


def decode(headers, body: bytes) -> str:
    if (headers.get("Content-Encoding") or "").lower() == "gzip":
        body = gzip.decompress(body)
    return body.decode("utf-8", "replace")


def discover(client: KeepAlive, section: str) -> dict:
    """The extra URLs a run needs, read from the site's own pages."""
    _, status, headers, body = client.get("/")
    if status != 200:
        raise RuntimeError(f"home page answered {status}")
    home = decode(headers, body)
    found = {"static": _lib.stylesheet_href(home)}
    _, status, headers, body = client.get(f"/{section}/")
    if status != 200:
        raise RuntimeError(f"/{section}/ answered {status}")
    page = decode(headers, body)
    pages = re.search(r"Page 1 of ([\d,]+)", page)
    last = int(pages.group(1).replace(",", "")) if pages else 1
    found["section_pages"] = last
    found["deep"] = f"/{section}/?page={max(1, last // 2)}"
    tag = re.search(r'href="(/tag/[^"/]+/)"', page)
    author = re.search(r'href="(/author/[^"/]+/)"', page)
    if tag is None or author is None:
        # The section list has no tag or byline links; a story page has both.
        story_link = re.search(rf'href="(/{section}/[^"/?]+/)"', page)
        if story_link:
            _, _, headers, body = client.get(story_link.group(1))
            story = decode(headers, body)
            tag = tag or re.search(r'href="(/tag/[^"/]+/)"', story)
            author = author or re.search(r'href="(/author/[^"/]+/)"', story)
    found["tag"] = tag.group(1) if tag else None
    found["author"] = author.group(1) if author else None
    return found


def measure(kind: str, args) -> dict:
    env, info = _lib.prepare(kind, args.stories, pg_name=args.pg_name, rebuild=args.rebuild)
    log(f"{kind}: {info['stories']:,} stories ({info['published']:,} published), demo newsroom: "
        f"{'yes' if info['demo'] else 'no'}")
    urls = _lib.sample_story_urls(env, args.urls + args.warmup_stories)
    story_urls, warm_urls = urls[: args.urls], urls[args.urls:]
    if not story_urls:
        raise RuntimeError("no published stories to measure")
    headers = {} if args.no_gzip else {"Accept-Encoding": "gzip"}

    if args.page_store == "off":
        env = {**env, "DATELINE_PAGE_STORE": "off"}
    # Start from an empty page store, so a first view is a real miss (and no page
    # rendered by older code is measured). Older code without the command: nothing to clear.
    cleared = _lib.dateline(env, "pagestore", "clear", check=False, quiet=True)
    if cleared.returncode == 0:
        log(cleared.stdout.strip().splitlines()[-1] if cleared.stdout.strip() else "page store cleared")
    server = Server(env, workers=1, label=f"pages-{kind}")
    try:
        server.start()
        client = KeepAlive(server.port, headers=headers)
        extra = discover(client, args.section)
        pages = {
            "story": None,  # rotates over story_urls
            "home": "/",
            "section": f"/{args.section}/",
            "section-deep": extra["deep"] if args.extra else None,
            "tag": extra["tag"] if args.extra else None,
            "author": extra["author"] if args.extra else None,
            "static": extra["static"],
        }
        pages = {k: v for k, v in pages.items() if k == "story" or v}

        # Warm-up: other story URLs (so no measured story is pre-viewed) and every other page.
        log(f"warming up ({len(warm_urls)} other stories, {args.warmup} requests per other page)")
        for url in warm_urls:
            client.get(url)
        for _ in range(args.warmup):
            for name, url in pages.items():
                if url:
                    client.get(url)

        workers = server.worker_pids()
        worker = workers[0] if len(workers) == 1 else None
        cpu = (lambda: _lib.cpu_ns(worker)) if worker else (lambda: 0)
        load_before = _lib.loadavg()
        log(f"measuring {args.requests} requests per page type, interleaved (load average {load_before})")
        samples = {name: [] for name in pages}
        cpu_ms = {name: [] for name in pages}
        first_view, repeat_view = [], []
        by_state = {}  # X-Page-Store of story responses: "hit" / "miss" -> [seconds]
        store_states = {name: {} for name in pages}
        statuses = {name: {} for name in pages}
        sizes = {name: [] for name in pages}
        seen = set()
        started = time.perf_counter()
        rounds = 0
        for i in range(args.requests):
            if time.perf_counter() - started > args.max_seconds and rounds >= min(args.requests, 100):
                log(f"time budget of {args.max_seconds:.0f} s spent after {rounds} rounds: stopping early")
                break
            rounds += 1
            for name, url in pages.items():
                if name == "story":
                    url = story_urls[i % len(story_urls)]
                before = cpu()
                elapsed, status, headers, body = client.get(url)
                cpu_ms[name].append((cpu() - before) / 1e6)
                state = headers.get("X-Page-Store")
                if state:
                    store_states[name][state] = store_states[name].get(state, 0) + 1
                samples[name].append(elapsed)
                statuses[name][status] = statuses[name].get(status, 0) + 1
                sizes[name].append(len(body))
                if name == "story":
                    (repeat_view if url in seen else first_view).append(elapsed)
                    seen.add(url)
                    if state:
                        by_state.setdefault(state, []).append((elapsed, cpu_ms[name][-1]))
        wall = time.perf_counter() - started
        load_after = _lib.loadavg()
        connects = client.connects
        client.close()
    finally:
        server.stop()

    probe_pages = [["story", story_urls[0]], ["home", "/"], ["section", f"/{args.section}/"]]
    if args.extra:
        probe_pages += [[k, pages[k]] for k in ("section-deep", "tag", "author") if pages.get(k)]
    log("counting queries per page in-process (Django test client)")
    try:
        queries = _lib.shell_json(env, PROBE.format(pages=probe_pages))
    except RuntimeError as exc:
        log(f"query count failed: {str(exc)[-600:]}")
        queries = {}

    rows = {}
    for name, values in samples.items():
        rows[name] = summarise(values, statuses[name], sizes[name], pages[name] or f"{len(story_urls)} story URLs",
                               cpu_ms[name] if worker else None)
    for name, row in rows.items():
        row["store"] = store_states.get(name, {})
    if by_state:  # the page store says which requests it answered from the store
        for state in ("miss", "hit"):
            if by_state.get(state):
                values = by_state[state]
                rows[f"story (store {state})"] = summarise([v for v, _ in values], {}, [], f"X-Page-Store: {state}",
                                                           [c for _, c in values] if worker else None)
    elif repeat_view:
        rows["story (1st view)"] = summarise(first_view, {}, [], "each URL's first request")
        rows["story (repeat)"] = summarise(repeat_view, {}, [], "URLs requested before")
    return {"db": kind, "info": info, "rows": rows, "queries": queries, "extra": extra, "wall_s": wall,
            "connections": connects, "gzip": not args.no_gzip, "requests": rounds,
            "load": [load_before, load_after], "cpus": os.cpu_count(), "page_store": args.page_store}


def summarise(values, statuses, sizes, url, cpu=None) -> dict:
    ms = [v * 1000 for v in values]
    return {
        "cpu_median": median(cpu) if cpu else None, "cpu_mean": sum(cpu) / len(cpu) if cpu else None,
        "url": url, "n": len(ms), "median": median(ms), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
        "mean": sum(ms) / len(ms), "min": min(ms), "max": max(ms),
        "errors": sum(n for code, n in statuses.items() if code != 200), "statuses": statuses,
        "bytes": int(median(sizes)) if sizes else None,
    }


ORDER = ["story", "story (store miss)", "story (store hit)", "story (1st view)", "story (repeat)", "home", "section", "section-deep", "tag", "author", "static"]
LABEL = {"static": "static (baseline)", "section-deep": "section, deep page"}


def report(result: dict) -> str:
    info, rows = result["info"], result["rows"]
    base = rows["static"]["median"]
    lines = [
        "",
        f"== {result['db']}: {info['stories']:,} stories ({info['synthetic']:,} synthetic"
        f"{', demo newsroom' if info['demo'] else ', NO demo newsroom: ' + (info.get('demo_missing_why') or '?')}); "
        f"1 worker; {result['requests']} requests per page type over "
        f"{result['connections']} keep-alive connection(s); "
        f"{'Accept-Encoding: gzip' if result['gzip'] else 'no compression'}; "
        f"page store {'as configured (on by default)' if result.get('page_store', 'on') == 'on' else 'OFF'}",
    ]
    body = []
    for name in ORDER:
        if name not in rows:
            continue
        r = rows[name]
        target = TARGETS_MS.get(name.split(" (")[0])
        verdict = "" if target is None else ("ok" if r["median"] <= target else "MISSED")
        body.append([
            ("  " if "(" in name else "") + LABEL.get(name, name), r["n"], f"{r['median']:.2f}", f"{r['p95']:.2f}",
            f"{r['p99']:.2f}", f"{r['median'] / base:.1f}x",
            "" if r.get("cpu_median") is None else f"{r['cpu_median']:.2f}", "" if r["bytes"] is None else f"{r['bytes']:,}",
            r["errors"] if r["bytes"] is not None else "",
            " ".join(f"{k} {v}" for k, v in sorted(r.get("store", {}).items())),
            "" if target is None else f"<= {target:g} ms", verdict,
        ])
    lines.append(table(["page", "requests", "median ms", "p95 ms", "p99 ms", "x static", "server CPU ms",
                        "bytes", "non-200", "page store", "target (median)", ""], body, "lrrrrrrrrlll"))
    lines.append(f"(machine: {result['cpus']} CPUs, load average {result['load'][0]} before, {result['load'][1]} after; "
                 "server CPU = median CPU time the worker used per request: less sensitive to other load)")
    q = result["queries"]
    qrows = []
    for name, runs in q.items():
        first, again = runs
        qrows.append([name, first["status"], first["queries"], again["queries"], f"{again['sql_ms']:.2f}",
                      f"{again['view_ms']:.2f}", f"{again['slowest_ms']:.2f}", shorten(again["slowest_sql"] or first["slowest_sql"])])
    lines += ["", "In-process (Django test client, DEBUG cursor): queries for a first and a repeat request",
              "(failed: see the log above)" if not qrows else table(["page", "status", "queries", "repeat", "SQL ms", "view ms", "slowest ms", "slowest query"],
                    qrows, "lrrrrrrl")]
    lines.append("URLs: " + ", ".join(f"{k}={v['url']}" for k, v in rows.items() if "(" not in k))
    return "\n".join(lines)


def shorten(sql: str, width: int = 110) -> str:
    sql = re.sub(r"\s+", " ", sql)
    sql = re.sub(r'SELECT .*? FROM', "SELECT … FROM", sql, count=1)
    return sql if len(sql) <= width else sql[: width - 1] + "…"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=100_000, help="synthetic stories (default 100,000)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per page type (default 2000)")
    parser.add_argument("--max-seconds", type=float, default=900,
                        help="time budget per database for the measured requests; stop early (after at least 100 "
                             "rounds) when spent (default 900)")
    parser.add_argument("--urls", type=int, default=1000, help="story URLs to rotate over (default 1000)")
    parser.add_argument("--warmup", type=int, default=30, help="warm-up requests per non-story page (default 30)")
    parser.add_argument("--warmup-stories", type=int, default=100, help="other story URLs fetched to warm up")
    parser.add_argument("--section", default="world", help="section slug to measure (default world)")
    parser.add_argument("--no-extra", dest="extra", action="store_false",
                        help="skip the informational rows (deep section page, tag, author)")
    parser.add_argument("--page-store", choices=["on", "off"], default="on",
                        help="off: run the server with DATELINE_PAGE_STORE=off, so every request renders")
    parser.add_argument("--no-gzip", action="store_true", help="do not send Accept-Encoding: gzip")
    parser.add_argument("--prepare-only", action="store_true", help="build or check the database(s), then stop")
    parser.add_argument("--pg-name", default="dateline_bench", help="PostgreSQL database to use (dateline_bench*)")
    _lib.add_rebuild_flag(parser)
    args = parser.parse_args(argv)
    _lib.stop_on_signals()
    if args.stories < 0 or args.requests < 1 or args.urls < 1:
        parser.error("--stories must be >= 0, --requests and --urls >= 1")

    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if args.prepare_only:
        for kind in kinds:
            _, info = _lib.prepare(kind, args.stories, pg_name=args.pg_name, rebuild=args.rebuild)
            print(f"{kind}: {info['stories']:,} stories ({info['synthetic']:,} synthetic, "
                  f"demo newsroom: {'yes' if info['demo'] else 'no'}){' (reused)' if info['reused'] else ''}")
        return 0
    results, failed = [], []
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = OUT / f"pages-{args.db}-{args.stories}-{stamp}.json"
    for kind in kinds:
        try:
            results.append(measure(kind, args))
        except Exception as exc:  # one database failing should not lose the other's numbers
            log(f"{kind}: FAILED: {exc}")
            failed.append(kind)
            continue
        print(report(results[-1]), flush=True)
        path.write_text(json.dumps(results, indent=1))
    if not results:
        return 1
    if len(results) > 1:
        print("\n== side by side (median ms / p95 ms)")
        names = [n for n in ORDER if all(n in r["rows"] for r in results)]
        print(table(["page", *[r["db"] for r in results], "target (median)"], [
            [LABEL.get(n, n), *[f"{r['rows'][n]['median']:.2f} / {r['rows'][n]['p95']:.2f}" for r in results],
             f"<= {TARGETS_MS[n.split(' (')[0]]:g} ms" if n.split(" (")[0] in TARGETS_MS else ""]
            for n in names
        ], "l" + "r" * len(results) + "l"))
    print(f"\nraw numbers: {path.relative_to(_lib.REPO)}")
    missed = [f"{r['db']} {n}" for r in results for n, row in r["rows"].items()
              if n.split(" (")[0] in TARGETS_MS and row["median"] > TARGETS_MS[n.split(" (")[0]]]
    if missed:
        print("targets missed: " + ", ".join(missed))
    if failed:
        print("FAILED (see the log above): " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
