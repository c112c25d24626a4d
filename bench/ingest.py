#!/usr/bin/env python3
"""How fast ingest brings an archive in: a synthetic WordPress export, and one web page.

    .venv/bin/python bench/ingest.py [--posts 100000] [--db sqlite|postgres] [--sample 1000]
    .venv/bin/python bench/ingest.py --posts 10000 --rounds 3 --compare HEAD~5 --bulk-only

1. Writes a synthetic WXR with N posts (original, generated text: ~250-word
   bodies, 12 categories in a tree, tags, 25 authors, 4 % drafts, 1 %
   scheduled, plus pages, attachments and menu items that are skipped) to
   bench/out/ingest/.
2. Imports it into a fresh database with ``dateline import-wordpress --bulk``
   and times the command as an operator runs it, which includes what the
   per-story signals would do (search index with each batch, related stories
   at the end); then runs it again (nothing changed: the idempotent re-run).
3. Imports the first ``--sample`` posts of another export through the
   per-post path (one transaction and the real actions per post, signals
   and all) and extrapolates that rate to N.
4. Times ``dateline import-page`` on ../shared/seed/sample-article-page.txt
   (when present) and on an HTML fixture, end to end and in-process.

``--rounds R`` repeats the bulk import (each time into a fresh database) and
reports the median. ``--compare REF`` also runs it with the code of the git
commit REF (exported with ``git archive`` to bench/out/ingest/code-<sha>/ and
put first on PYTHONPATH, same virtualenv), alternating with the working tree
in every round, so both meet the same machine load; the table gives each
round, the medians and the ratio working tree / REF. ``--bulk-only`` skips
steps 2's re-run, 3 and 4.

The target: N = 100,000 posts in at most 5 minutes on SQLite. Numbers are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _lib  # noqa: E402
from _lib import OUT, REPO, log  # noqa: E402

TARGET_SECONDS = 300

CATEGORIES = [  # nicename, name, parent
    ("world", "World", ""), ("europe", "Europe", "world"), ("asia", "Asia", "world"),
    ("politics", "Politics", ""), ("business", "Business", ""), ("markets", "Markets", "business"),
    ("sport", "Sport", ""), ("football", "Football", "sport"), ("culture", "Culture", ""),
    ("science", "Science", ""), ("local", "Local", ""), ("opinion", "Opinion", ""),
]
TAGS = ["Budget", "Elections", "Transport", "Housing", "Energy", "Health", "Schools", "Water", "Trade", "Climate",
        "Courts", "Fisheries", "Tourism", "Farming", "Rail", "Ports", "Policing", "Technology", "Weather", "Art"]
FIRST = ["Ada", "Bram", "Cleo", "Dario", "Edda", "Finn", "Greta", "Hugo", "Ines", "Jonas", "Kaia", "Lev", "Mira"]
LAST = ["Alder", "Brook", "Castell", "Dunmore", "Ellery", "Fairley", "Garrow", "Hale", "Ingram", "Jessop"]
# A vocabulary large enough that generated stories differ as real ones do.
WORDS = ("harbour council budget minister village river bridge station market school clinic farmers "
         "officials residents engineers volunteers teachers drivers rail ferry port tide storm flood "
         "festival library museum theatre court judge vote election campaign tariff export import "
         "factory wind solar grid water price rent wage strike talks treaty border summit report "
         "survey study data growth decline plan scheme fund grant loan debt tax fee levy permit "
         "inquiry review audit protest petition meeting hearing deadline season harvest catch quota "
         "coast island valley plateau delta ridge marsh forest field road tunnel airport runway").split()
VERBS = ("said announced warned confirmed rejected approved delayed expanded reviewed launched "
         "questioned welcomed funded debated paused backed planned tested challenged promised").split()


def sentence(rnd: random.Random) -> str:
    words = [rnd.choice(WORDS) for _ in range(rnd.randint(6, 14))]
    words.insert(rnd.randint(1, 3), rnd.choice(VERBS))
    return " ".join(words).capitalize() + "."


def write_export(path: Path, posts: int, seed: int = 7) -> None:
    """A WordPress export with ``posts`` posts; written streaming, so any size fits."""
    rnd = random.Random(seed)
    authors = [(f"{first.lower()}{last.lower()}", f"{first} {last}") for first in FIRST for last in LAST][:25]
    start = datetime(2012, 1, 1, tzinfo=timezone.utc)
    span = int((datetime(2025, 12, 31, tzinfo=timezone.utc) - start).total_seconds())
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
                'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n'
                "<channel>\n<title>Bench Gazette</title><link>https://bench.example.org</link>\n"
                "<wp:wxr_version>1.2</wp:wxr_version>\n<wp:base_site_url>https://bench.example.org</wp:base_site_url>\n"
                "<wp:base_blog_url>https://bench.example.org</wp:base_blog_url>\n")
        for login, name in authors:
            f.write(f"<wp:author><wp:author_login><![CDATA[{login}]]></wp:author_login>"
                    f"<wp:author_display_name><![CDATA[{name}]]></wp:author_display_name></wp:author>\n")
        for i, (nice, name, parent) in enumerate(CATEGORIES, 1):
            f.write(f"<wp:category><wp:term_id>{i}</wp:term_id><wp:category_nicename>{nice}</wp:category_nicename>"
                    f"<wp:category_parent>{parent}</wp:category_parent>"
                    f"<wp:cat_name><![CDATA[{name}]]></wp:cat_name></wp:category>\n")
        post_id = 1000
        for n in range(posts):
            post_id += 1
            when = start + timedelta(seconds=rnd.randrange(span))
            roll = rnd.random()
            status = "draft" if roll < 0.04 else "future" if roll < 0.05 else "publish"
            if status == "future":
                when = datetime.now(timezone.utc) + timedelta(days=rnd.randint(1, 60))
            title = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(5, 9))).capitalize()
            slug = "-".join(title.lower().split()) + f"-{n}"
            paragraphs = ["\n".join([" ".join(sentence(rnd) for _ in range(rnd.randint(2, 4)))])
                          for _ in range(rnd.randint(4, 8))]
            body = "\n\n".join(paragraphs)
            nice, name, _ = rnd.choice(CATEGORIES)
            tags = rnd.sample(TAGS, rnd.randint(0, 3))
            login = rnd.choice(authors)[0]
            stamp = when.strftime("%Y-%m-%d %H:%M:%S")
            f.write(
                f"<item><title><![CDATA[{title}]]></title>"
                f"<link>https://bench.example.org/{when:%Y/%m}/{slug}/</link>"
                f"<dc:creator><![CDATA[{login}]]></dc:creator>"
                f"<content:encoded><![CDATA[{body}]]></content:encoded>"
                f"<excerpt:encoded><![CDATA[{escape(paragraphs[0][:120]) if n % 3 == 0 else ''}]]></excerpt:encoded>"
                f"<wp:post_id>{post_id}</wp:post_id><wp:post_date>{stamp}</wp:post_date>"
                f"<wp:post_date_gmt>{stamp if status != 'draft' else '0000-00-00 00:00:00'}</wp:post_date_gmt>"
                f"<wp:post_name><![CDATA[{slug}]]></wp:post_name><wp:status>{status}</wp:status>"
                f"<wp:post_type>post</wp:post_type>"
                f'<category domain="category" nicename="{nice}"><![CDATA[{name}]]></category>'
                + "".join(f'<category domain="post_tag" nicename="{t.lower()}"><![CDATA[{t}]]></category>'
                          for t in tags)
                + "</item>\n"
            )
            if n % 50 == 0:  # the items a real export carries that are not stories
                post_id += 1
                f.write(f"<item><title>Page {n}</title><wp:post_id>{post_id}</wp:post_id>"
                        f"<wp:status>publish</wp:status><wp:post_type>page</wp:post_type></item>\n")
                post_id += 1
                f.write(f"<item><title>photo-{n}.jpg</title><wp:post_id>{post_id}</wp:post_id>"
                        f"<wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>"
                        f"<wp:attachment_url>https://bench.example.org/wp-content/uploads/photo-{n}.jpg"
                        f"</wp:attachment_url></item>\n")
        f.write("</channel>\n</rss>\n")


def _cpu() -> float:
    # Children's CPU includes the import's worker processes: each is waited for by its parent.
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


CPU = {}


def timed(env, *args) -> tuple[float, str]:
    cpu, started = _cpu(), time.perf_counter()
    result = _lib.dateline(env, *args, check=False, quiet=True)
    elapsed = time.perf_counter() - started
    CPU[elapsed] = _cpu() - cpu
    if result.returncode not in (0, 2):
        raise RuntimeError(f"dateline {args[0]} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout


def fresh_env(db: str, home: Path, name: str, code: Path | None = None) -> dict:
    if db == "postgres":
        _lib.pg_recreate(name)
        env = _lib.base_env(home, _lib.pg_url(name))
    else:
        env = _lib.base_env(home)
    if code is not None:  # another commit's code, ahead of the working tree's editable install
        env["PYTHONPATH"] = os.pathsep.join([str(code), *filter(None, [env.get("PYTHONPATH")])])
    _lib.dateline(env, "migrate", "-v", "0", quiet=True)
    return env


def code_of(ref: str) -> tuple[Path, str]:
    """The files of git commit ``ref``, exported once to bench/out/ingest/code-<sha>/."""
    found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=REPO,
                           capture_output=True, text=True)
    if found.returncode != 0:
        sys.exit(f"--compare: {ref!r} is not a commit of this repository")
    sha = found.stdout.strip()
    folder = OUT / "ingest" / f"code-{sha[:12]}"
    if not folder.exists():
        partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
        with subprocess.Popen(["git", "archive", sha], cwd=REPO, stdout=subprocess.PIPE) as proc:
            with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
                archive.extractall(partial, filter="data")
        if proc.returncode != 0:
            sys.exit(f"--compare: git archive {sha} failed")
        partial.rename(folder)  # complete, or not there at all
    return folder, sha


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def bulk_rounds(args, export: Path, tmp: Path):
    """The bulk import ``--rounds`` times, alternating with ``--compare``'s code.

    Returns the runs by version, the versions, and the environment of the
    working tree's last import (kept for the steps that follow; the other
    databases are deleted as soon as measured: 100,000 posts take gigabytes).
    """
    versions = [("working tree", None)]
    if args.compare:
        code, sha = code_of(args.compare)
        versions.append((f"{args.compare} ({sha[:10]})", code))
    runs, kept = {name: [] for name, _ in versions}, None
    for n in range(args.rounds):
        for name, code in (versions if n % 2 == 0 else versions[::-1]):  # neither always runs first
            home = tmp / f"bulk-{n}-{'ref' if code else 'tree'}"
            env = fresh_env(args.db, home, "dateline_bench_ingest" + ("_ref" if code else ""), code)
            before = load()
            log(f"round {n + 1}/{args.rounds}: bulk import of {args.posts:,} posts, {name} (load {before}) …")
            seconds, report = timed(env, "import-wordpress", str(export), "--bulk")
            cpu = CPU[seconds]
            log(f"  {seconds:.1f} s wall, {cpu:.1f} s CPU; {report.splitlines()[0]}")
            for line in report.splitlines():
                if line.startswith("Bulk path:"):
                    log(f"  {line}")  # how long the related stories took, at the end
            runs[name].append((seconds, cpu, before, load()))
            if code is None and n == args.rounds - 1:
                kept = env
            else:
                shutil.rmtree(home, ignore_errors=True)
    return runs, versions, kept


def print_rounds(runs, versions, posts) -> None:
    print(f"\nBulk import of {posts:,} posts, each round into a fresh database "
          f"({os.cpu_count()} cores; load average = 1, 5, 15 min before / after each run):\n")
    width = max(len(name) for name, _ in versions)
    for name, _ in versions:
        for n, (wall, cpu, before, after) in enumerate(runs[name], 1):
            print(f"  {name:<{width}}  round {n}  {wall:8.1f} s wall  {cpu:8.1f} s CPU   load {before} / {after}")
    print()
    medians = {name: (statistics.median(r[0] for r in runs[name]), statistics.median(r[1] for r in runs[name]))
               for name, _ in versions}
    for name, _ in versions:
        wall, cpu = medians[name]
        print(f"  {name:<{width}}  median   {wall:8.1f} s wall  {cpu:8.1f} s CPU   {posts / wall:8,.0f} posts/s")
    if len(versions) > 1:
        tree, ref = versions[0][0], versions[1][0]
        per_round = [(a[0] / b[0], a[1] / b[1]) for a, b in zip(runs[tree], runs[ref])]
        print(f"\n  working tree / {ref}: median wall {medians[tree][0] / medians[ref][0]:.2f}, "
              f"median CPU {medians[tree][1] / medians[ref][1]:.2f}; per round (wall, CPU): "
              + ", ".join(f"({w:.2f}, {c:.2f})" for w, c in per_round))
    wall = medians[versions[0][0]][0]
    print(f"\n  bulk import (working tree) {'meets' if wall <= TARGET_SECONDS else 'MISSES'} the target "
          f"for {posts:,} posts ({wall:.0f} s, median of {len(runs[versions[0][0]])}; target {TARGET_SECONDS} s for "
          "100,000 on SQLite)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=1000, help="posts imported through the per-post path")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=1, help="bulk imports to take the median of")
    parser.add_argument("--compare", metavar="REF", help="also run the bulk import with the code of git commit REF")
    parser.add_argument("--bulk-only", action="store_true", help="only the bulk import (no re-run, per-post, pages)")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    out = OUT / "ingest"
    out.mkdir(parents=True, exist_ok=True)
    export = out / f"export-{args.posts}.xml"
    if not export.exists():
        log(f"writing a synthetic export with {args.posts:,} posts …")
        write_export(export, args.posts)
    size_mb = export.stat().st_size / 1e6
    rows = []

    with tempfile.TemporaryDirectory(dir=out) as tmp:
        log(f"bulk import of {args.posts:,} posts ({size_mb:.0f} MB) on {args.db} …")
        runs, versions, env = bulk_rounds(args, export, Path(tmp))
        seconds = statistics.median(r[0] for r in runs["working tree"])
        CPU[seconds] = statistics.median(r[1] for r in runs["working tree"])
        rows.append((f"import-wordpress --bulk, {args.posts:,} posts" + (
            f" (median of {args.rounds})" if args.rounds > 1 else ""), seconds, args.posts / seconds))
        if args.bulk_only:
            if args.db == "postgres":
                _lib.pg_recreate("dateline_bench_ingest")
                if args.compare:
                    _lib.pg_recreate("dateline_bench_ingest_ref")
            print_rounds(runs, versions, args.posts)
            return
        seconds, report = timed(env, "import-wordpress", str(export), "--bulk")
        log(report.splitlines()[0])
        rows.append(("the same again (idempotent re-run)", seconds, args.posts / seconds))

        sample = out / f"export-sample-{args.sample}.xml"
        if not sample.exists():
            write_export(sample, args.sample, seed=11)
        env = fresh_env(args.db, Path(tmp) / "per-post", "dateline_bench_ingest")
        log(f"per-post import of {args.sample:,} posts …")
        seconds, report = timed(env, "import-wordpress", str(sample))
        log(report.splitlines()[0])
        rate = args.sample / seconds
        rows.append((f"import-wordpress (per post), {args.sample:,} posts", seconds, rate))
        rows.append((f"  per post, extrapolated to {args.posts:,}", args.posts / rate, rate))

        page = REPO.parent / "shared" / "seed" / "sample-article-page.txt"
        html_page = REPO / "dateline" / "ingest" / "tests" / "fixtures" / "page-article.html"
        for path in (page, html_page):
            if path.exists():
                seconds, _ = timed(env, "import-page", str(path), "--dry-run", "--json")
                rows.append((f"import-page {path.name} (whole command)", seconds, 1 / seconds))
                inproc = _lib.shell_json(env, (
                    "import time\nfrom dateline.ingest import pages\n"
                    f"data = open({str(path)!r}, 'rb').read()\n"
                    "pages.extract(data, name='x')\n"
                    "t = time.perf_counter()\n"
                    "for _ in range(20): pages.extract(data, name='x')\n"
                    "emit((time.perf_counter() - t) / 20)\n"))
                rows.append(("  extraction alone, in process", inproc, 1 / inproc))
        if args.db == "postgres":
            _lib.pg_recreate("dateline_bench_ingest")
            if args.compare:
                _lib.pg_recreate("dateline_bench_ingest_ref")

    if args.rounds > 1 or args.compare:
        print_rounds(runs, versions, args.posts)
    print(f"\nIngest on {args.db} ({size_mb:.0f} MB export; target {args.posts:,} posts ≤ {TARGET_SECONDS} s; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end):\n")
    width = max(len(r[0]) for r in rows)
    print(f"  {'':<{width}}  {'wall':>10}  {'CPU (all processes)':>19}  {'rate':>12}")
    for name, seconds, rate in rows:
        shown = f"{seconds:8.1f} s" if seconds >= 1 else f"{seconds * 1000:8.1f} ms"
        cpu = f"{CPU[seconds]:8.1f} s" if seconds in CPU else ""
        print(f"  {name:<{width}}  {shown:>10}  {cpu:>19}  {rate:10,.0f} /s")
    bulk = rows[0][1]
    print(f"\n  bulk import {'meets' if bulk <= TARGET_SECONDS else 'MISSES'} the target "
          f"({bulk:.0f} s of {TARGET_SECONDS} s)")


if __name__ == "__main__":
    main()
