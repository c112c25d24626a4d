#!/usr/bin/env python3
"""Throughput of stored pages, measured with wrk, against the physical limit.

    .venv/bin/python bench/serving.py [--stories 100000] [--duration 10] [--repeats 3] [--connections 64]

On the demo newsroom plus N synthetic stories (the SQLite database bench/_lib.py
builds and caches, copied so the publishes here do not change it), in one run:

(a) the embedded server, ``dateline serve`` with the page store on (files under
    its DATELINE_HOME), asked directly: one cached story page, a rotating set of
    1,000 story pages (a wrk Lua script), and the home page;
(b) Debian's nginx serving a saved static copy of that same story page (the
    physical limit: a web server sending bytes it already has);
(c) nginx with the deploy/ configuration (``dateline deploy-config nginx``) in
    front of the same ``dateline serve``: the same three loads.

Each load runs ``--repeats`` times, the configurations interleaved (so the
machine's other work hits all alike); the table gives medians of requests/s,
p50 and p99 latency, and each as a ratio to (b) measured in the same round.
Then: publish-to-visible (a publish in another process until the new story's
page, its section, the home page and a story of that section showing it in
"Latest from" all show it, polled through nginx and through the embedded
server), the resident memory of the server processes, and a bounded load test
(``--load-connections`` 200 for ``--load-seconds`` 60 on the rotating set plus
home and section pages, through nginx and against the embedded server): it
passes with zero socket errors and zero non-2xx/3xx responses.

Every process (servers, nginx, wrk) is this program's child and is stopped by
its PID. Raw numbers: bench/out/serving-<N>-<time>.json.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _lib  # noqa: E402
from _lib import OUT, DATELINE, KeepAlive, Server, free_port, log, median, table  # noqa: E402
from pagestore import body_text, copy_home  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
WRK = shutil.which("wrk") or "/usr/bin/wrk"

ROTATE_LUA = """
-- Each request takes the next path from the file given after `--`, each wrk
-- thread starting at its own place in the list.
local paths = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
  i = math.random(#paths)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""

STATIC_NGINX = """
worker_processes {workers};
pid {runtime}/nginx.pid;
error_log {runtime}/error.log warn;
daemon off;
{user}
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    client_body_temp_path {runtime}/client_body;
    proxy_temp_path {runtime}/proxy;
    fastcgi_temp_path {runtime}/fastcgi;
    uwsgi_temp_path {runtime}/uwsgi;
    scgi_temp_path {runtime}/scgi;
    gzip on;
    gzip_comp_level 5;
    gzip_vary on;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        charset utf-8;
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
}}
"""

POLL = 0.005  # seconds between a poller's requests: fine enough, without flooding the server with renders

PUBLISH_DRAFT = """
from dateline.news import actions
from dateline.news.models import Section
section = Section.objects.get(slug={section!r})
story = actions.create_story(headline={headline!r}, section=section,
                             body="<p>A story published by bench/serving.py.</p>")
emit({{"id": story.pk, "url": story.get_absolute_url()}})
"""

PUBLISH = """
import time
from dateline.news import actions
from dateline.news.models import Story
story = Story.objects.get(pk={pk})
# A fresh `dateline shell` pays for first imports and query compilation on its first
# publish; the desk, a long-running server, does not. Warm up read-only first.
other = Story.objects.published().filter(section_id=story.section_id).newest_first().first()
if other is not None:
    from dateline.pagestore import handlers
    handlers.arrived(other)
    handlers.left(other.pk, other.section_id)
    try:
        from dateline.enrich.related import candidates_for
        list(candidates_for(other))
    except ImportError:
        pass
started = time.time()
actions.publish_story(story)
finished = time.time()
emit({{"started": started, "finished": finished, "url": story.get_absolute_url()}})
"""


class Nginx:
    """nginx in the foreground (daemon off), as this user, with its own config folder."""

    def __init__(self, runtime: Path, port: int, label: str):
        self.runtime, self.port, self.label = runtime, port, label
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Nginx":
        out = open(self.runtime / "nginx.out", "w")
        self.proc = subprocess.Popen([NGINX, "-p", str(self.runtime), "-c", str(self.runtime / "nginx.conf"),
                                      "-e", str(self.runtime / "error.log")], stdout=out, stderr=subprocess.STDOUT)
        out.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx ({self.label}) exited: {(self.runtime / 'error.log').read_text()[-2000:]}")
            try:
                KeepAlive(self.port, timeout=2).get("/")
                log(f"nginx ({self.label}) up on port {self.port} (pid {self.proc.pid})")
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"nginx ({self.label}) did not answer")

    def pids(self) -> list[int]:
        if self.proc is None:
            return []
        try:
            kids = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            kids = []
        return [self.proc.pid, *map(int, kids)]

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        os.kill(proc.pid, signal.SIGQUIT)  # graceful: the master stops its workers
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log(f"nginx ({self.label}) {proc.pid} stopped")


def static_nginx(root: Path, runtime: Path, workers: str) -> Nginx:
    runtime.mkdir(parents=True, exist_ok=True)
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (runtime / sub).mkdir(exist_ok=True)
    port = free_port()
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    (runtime / "nginx.conf").write_text(STATIC_NGINX.format(workers=workers, runtime=runtime, port=port,
                                                            root=root, user=user))
    return Nginx(runtime, port, "static copy")


def deploy_nginx(env: dict, runtime: Path, port: int, app_port: int, workers: str) -> Nginx:
    shutil.rmtree(runtime, ignore_errors=True)
    _lib.dateline(env, "deploy-config", "nginx", "--standalone", str(runtime), "--listen", f"127.0.0.1:{port}",
                  "--upstream", f"127.0.0.1:{app_port}", "--worker-processes", workers, quiet=True)
    return Nginx(runtime, port, "deploy/")


# --------------------------------------------------------------------------
# wrk
# --------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)([a-z]+)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, *, seconds: float, connections: int, threads: int, paths: Path | None = None,
        headers: dict | None = None, timeout: str = "10s") -> dict:
    """One wrk run: {rps, p50, p99 (ms), requests, non2xx, errors, raw}."""
    cmd = [WRK, f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--latency", f"--timeout={timeout}"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    if paths is not None:
        cmd += ["-s", str(OUT / "serving-rotate.lua"), url, "--", str(paths)]
    else:
        cmd.append(url)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=seconds + 60)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    found = {"raw": out}
    rps = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    if not rps:
        raise RuntimeError(f"wrk printed no Requests/sec:\n{out}")
    found["rps"] = float(rps.group(1))
    for p in ("50", "99"):
        m = re.search(rf"^\s+{p}(?:\.000)?%\s+([0-9.]+[a-z]+)", out, re.M)
        found[f"p{p}"] = _ms(m.group(1)) if m else None
    m = re.search(r"([0-9]+) requests in", out)
    found["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Non-2xx or 3xx responses:\s+([0-9]+)", out)
    found["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)", out)
    found["errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups()))) if m else {}
    return found


# --------------------------------------------------------------------------
# Memory, publish-to-visible
# --------------------------------------------------------------------------

def memory(pid: int) -> dict:
    """In MiB: RSS; PSS (shared pages split between the processes sharing them); and
    the anonymous part of PSS (the process's own heap, not pages of files such as
    the SQLite database it maps, which are the kernel's reclaimable page cache)."""
    found = {"Rss": 0.0, "Pss": 0.0, "Pss_Anon": 0.0}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in found:
                found[name] = int(rest.split()[0]) / 1024
    except OSError:
        pass
    return {"pid": pid, "rss_mib": round(found["Rss"], 1), "pss_mib": round(found["Pss"], 1),
            "anon_mib": round(found["Pss_Anon"], 1)}


def publish_to_visible(env: dict, ports: dict, section: str, neighbour: str, runs: int) -> list[dict]:
    """Create a draft, then publish it in another process while pollers (one per page
    and server) ask for its page, its section, the home page and ``neighbour`` (a
    story of that section, whose "Latest from" fragment must show it)."""
    results = []
    for i in range(runs):
        headline = f"Serving bench publish {int(time.time() * 1000)}-{i}"
        draft = _lib.shell_json(env, PUBLISH_DRAFT.format(section=section, headline=headline))
        pages = {"story": draft["url"], "section": f"/{section}/", "home": "/", "neighbour": neighbour}
        seen: dict = {}
        stop = threading.Event()

        def poll(server, page, path, port):
            client = KeepAlive(port, headers={"Accept-Encoding": "gzip"})
            try:
                while not stop.is_set():
                    _, status, headers, body = client.get(path)
                    if status == 200 and headline in body_text(headers, body):
                        seen[(server, page)] = time.time()
                        return
                    time.sleep(POLL)
            finally:
                client.close()

        pollers = [threading.Thread(target=poll, args=(server, page, path, port), daemon=True)
                   for server, port in ports.items() for page, path in pages.items()]
        for t in pollers:
            t.start()
        time.sleep(0.3)  # every poller has asked at least once: the pages are stored, without it
        try:
            action = _lib.shell_json(env, PUBLISH.format(pk=draft["id"]))
            for t in pollers:
                t.join(timeout=30)
        finally:
            stop.set()
        row = {"headline": headline, "action_ms": (action["finished"] - action["started"]) * 1000}
        for server in ports:
            times = {page: seen.get((server, page)) for page in pages}
            missing = [p for p, t in times.items() if t is None]
            if missing:
                raise RuntimeError(f"'{headline}' never appeared on {missing} through {server}")
            row[server] = {page: (t - action["started"]) * 1000 for page, t in times.items()}
            row[server]["all"] = max(row[server].values())
            row[server]["after_commit"] = max(0.0, (max(times.values()) - action["finished"]) * 1000)
        results.append(row)
        log(f"  publish {i + 1}: " + ", ".join(f"{s}: every page in {row[s]['all']:.0f} ms" for s in ports)
            + f" (the action took {row['action_ms']:.0f} ms)")
    return results


# --------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of wrk loads (0: none)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=None, help="dateline serve --workers (default: its own)")
    parser.add_argument("--nginx-workers", default="auto")
    parser.add_argument("--gzip", action="store_true", help="send Accept-Encoding: gzip (wrk sends none by default)")
    parser.add_argument("--publishes", type=int, default=5)
    parser.add_argument("--section", default="world")
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--load-connections", type=int, default=200)
    parser.add_argument("--no-load", action="store_true", help="skip the bounded load test")
    args = parser.parse_args()
    _lib.stop_on_signals()
    for tool in (NGINX, WRK):
        if not os.access(tool, os.X_OK):
            raise SystemExit(f"{tool} is missing (Debian: apt-get install nginx-light wrk)")

    cached, info = _lib.prepare("sqlite", args.stories)
    log(f"{info['stories']:,} stories ({info['published']:,} published), demo newsroom: "
        f"{'yes' if info['demo'] else 'no'}")
    env = copy_home(cached, f"serving-{args.stories}")
    for name in ("DATELINE_PAGE_STORE", "REDIS_URL", "DATABASE_URL"):
        env.pop(name, None)  # the embedded store: files under DATELINE_HOME/pages, read by nginx
    nginx_port = free_port()
    env.update(DATELINE_SITE_URL=f"http://127.0.0.1:{nginx_port}", DATELINE_ALLOWED_HOSTS="127.0.0.1,localhost")
    work = OUT / "serving"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    (OUT / "serving-rotate.lua").write_text(ROTATE_LUA)

    urls = _lib.sample_story_urls(env, 1000)
    story = _lib.richest_story(env)["url"]
    paths = work / "stories.txt"
    paths.write_text("\n".join(urls) + "\n")
    mixed = work / "mixed.txt"
    mixed.write_text("\n".join(urls + ["/"] * 50 + [f"/{args.section}/"] * 20) + "\n")
    headers = {"Accept-Encoding": "gzip"} if args.gzip else {}
    results: dict = {"info": info, "args": vars(args), "story": story, "rounds": []}

    server = Server(env, workers=args.workers or 0, label="serving")
    if not args.workers:
        server.workers = int(os.environ.get("DATELINE_WORKERS", max(2, os.cpu_count() or 1)))  # as dateline serve
    front = static = None
    try:
        server.start()
        front = deploy_nginx(env, work / "nginx-deploy", nginx_port, server.port, args.nginx_workers).start()
        log("warming: every measured page through nginx (stored on the first request)")
        warm = KeepAlive(nginx_port)
        for path in [story, "/", f"/{args.section}/", *urls]:
            _, status, _, _ = warm.get(path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
        _, _, h, body = warm.get(story)
        if h.get("X-Page-Store") != "nginx":
            raise RuntimeError(f"{story} is not served from disk by nginx: {h.get('X-Page-Store')}")
        warm.close()
        copy_root = work / "static-copy"
        (copy_root / story.strip("/")).mkdir(parents=True)
        (copy_root / story.strip("/") / "index.html").write_bytes(body)
        # For information: static copies of the home page and of the 1,000 pages too,
        # the limit for the other two loads.
        warm = KeepAlive(nginx_port)
        for path in ["/", *urls]:
            _, status, _, page = warm.get(path)
            (copy_root / path.strip("/")).mkdir(parents=True, exist_ok=True)
            (copy_root / path.strip("/") / "index.html").write_bytes(page)
        warm.close()
        static = static_nginx(copy_root, work / "nginx-static", args.nginx_workers).start()
        _, status, _, copied = KeepAlive(static.port).get(story)
        assert status == 200 and copied == body, "the static copy differs from the page"
        log(f"story page: {story} ({len(body):,} bytes)")

        loads = {
            "(a) embedded, one story": (f"http://127.0.0.1:{server.port}{story}", None),
            "(a) embedded, 1,000 stories": (f"http://127.0.0.1:{server.port}", paths),
            "(a) embedded, home": (f"http://127.0.0.1:{server.port}/", None),
            "(b) nginx, static copy": (f"http://127.0.0.1:{static.port}{story}", None),
            "(b) for information: static copies of the 1,000": (f"http://127.0.0.1:{static.port}", paths),
            "(b) for information: static copy of home": (f"http://127.0.0.1:{static.port}/", None),
            "(c) nginx + deploy/, one story": (f"http://127.0.0.1:{nginx_port}{story}", None),
            "(c) nginx + deploy/, 1,000 stories": (f"http://127.0.0.1:{nginx_port}", paths),
            "(c) nginx + deploy/, home": (f"http://127.0.0.1:{nginx_port}/", None),
        }
        load_before = _lib.loadavg()
        for r in range(args.repeats):
            round_ = {}
            for name, (url, rotate) in loads.items():
                wrk(url, seconds=2, connections=args.connections, threads=args.threads, paths=rotate,
                    headers=headers)  # warm-up, not counted
                found = wrk(url, seconds=args.duration, connections=args.connections, threads=args.threads,
                            paths=rotate, headers=headers)
                round_[name] = found
                log(f"round {r + 1}/{args.repeats} {name}: {found['rps']:,.0f} req/s, p50 {found['p50']:.2f} ms,"
                    f" p99 {found['p99']:.2f} ms, non-2xx {found['non2xx']}, errors {found['errors']}")
            results["rounds"].append(round_)
        load_after = _lib.loadavg()

        log(f"publish → visible, {args.publishes} times")
        neighbour = next(u for u in urls if u.startswith(f"/{args.section}/")) if any(
            u.startswith(f"/{args.section}/") for u in urls) else story
        results["publishes"] = publish_to_visible(
            env, {"nginx": nginx_port, "embedded": server.port}, args.section, neighbour, args.publishes)

        results["load"] = {}
        if not args.no_load:
            for name, port in (("nginx + deploy/", nginx_port), ("embedded", server.port)):
                log(f"bounded load test through {name}: {args.load_connections} connections, {args.load_seconds} s")
                results["load"][name] = wrk(f"http://127.0.0.1:{port}", seconds=args.load_seconds,
                                            connections=args.load_connections, threads=args.threads, paths=mixed,
                                            headers=headers, timeout="10s")
        results["memory"] = {
            "server": [memory(server.proc.pid), *map(memory, server.worker_pids())],
            "nginx": [memory(p) for p in front.pids()],
        }
    finally:
        for proc in (static, front):
            if proc is not None:
                proc.stop()
        server.stop()

    report(results, load_before, load_after)
    out = OUT / f"serving-{args.stories}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    for round_ in results["rounds"]:
        for found in round_.values():
            found.pop("raw", None)
    out.write_text(json.dumps(results, indent=1))
    log(f"raw numbers: {out.relative_to(_lib.REPO)}")


def report(results: dict, load_before: str, load_after: str) -> None:
    rounds = results["rounds"]
    base = "(b) nginx, static copy"
    rows = []
    for name in (rounds[0] if rounds else ()):
        rps = [r[name]["rps"] for r in rounds]
        ratio = [r[name]["rps"] / r[base]["rps"] for r in rounds]
        p50 = [r[name]["p50"] for r in rounds]
        p99 = [r[name]["p99"] for r in rounds]
        p50r = [r[name]["p50"] / r[base]["p50"] for r in rounds]
        p99r = [r[name]["p99"] / r[base]["p99"] for r in rounds]
        target = "" if name.startswith("(b)") else (">= 0.50" if name.startswith("(a)") else ">= 0.90")
        verdict = ""
        if target:
            verdict = "ok" if median(ratio) >= float(target[3:]) else "MISS"
        bad = sum(r[name]["non2xx"] + sum(r[name]["errors"].values()) for r in rounds)
        rows.append([name, f"{median(rps):,.0f}", f"{median(ratio):.2f}", f"{median(p50):.2f}", f"{median(p50r):.1f}x",
                     f"{median(p99):.2f}", f"{median(p99r):.1f}x", bad, target, verdict])
    print()
    print(f"{len(rounds)} rounds; medians; ratios to (b) taken within each round. "
          f"Load average {load_before} before, {load_after} after ({os.cpu_count()} CPUs).")
    if rows:
        print(table(["load", "req/s", "x (b) req/s", "p50 ms", "x (b) p50", "p99 ms", "x (b) p99", "errors+non-2xx",
                     "target", "verdict"], rows, align="lrrrrrrrll"))

    publishes = results.get("publishes") or []
    if publishes:
        print()
        rows = []
        for server in ("nginx", "embedded"):
            for page in ("story", "section", "home", "neighbour", "all", "after_commit"):
                values = [p[server][page] for p in publishes]
                label = {"all": "every page", "after_commit": "every page, from the end of the action"}.get(page, page)
                rows.append([f"{server}: {label}",
                             f"{median(values):.0f}", f"{max(values):.0f}",
                             ("<= 250 ms: " + ("ok" if median(values) <= 250 else "MISS")) if page == "all" else ""])
        rows.append(["the publish action itself", f"{median([p['action_ms'] for p in publishes]):.0f}",
                     f"{max(p['action_ms'] for p in publishes):.0f}", ""])
        print(table(["publish → visible (ms from the start of the action)", "median", "max", "target"], rows,
                    align="lrrl"))

    memory = results.get("memory")
    if memory:
        print()
        server = memory["server"]
        rows = [["dateline serve: master", server[0]["rss_mib"], server[0]["pss_mib"], server[0]["anon_mib"]]]
        rows += [[f"  worker {m['pid']}", m["rss_mib"], m["pss_mib"], m["anon_mib"]] for m in server[1:]]
        rss = sum(m["rss_mib"] for m in server)
        pss = sum(m["pss_mib"] for m in server)
        anon = sum(m["anon_mib"] for m in server)
        rows.append([f"  all {len(server)} processes", f"{rss:.1f}", f"{pss:.1f}", f"{anon:.1f}"])
        rows.append(["nginx (master + workers)", f"{sum(m['rss_mib'] for m in memory['nginx']):.1f}",
                     f"{sum(m['pss_mib'] for m in memory['nginx']):.1f}",
                     f"{sum(m['anon_mib'] for m in memory['nginx']):.1f}"])
        print(table(["resident memory after the run", "RSS MiB", "PSS MiB", "anon PSS MiB"], rows))
        biggest = max(m["rss_mib"] for m in server)
        print(f"target <= 250 MB: largest process RSS {biggest:.0f} MiB "
              f"({'ok' if biggest * 1.048576 <= 250 else 'MISS'}); all {len(server)} processes: PSS {pss:.0f} MiB "
              f"({'ok' if pss * 1.048576 <= 250 else 'MISS'}), of it anonymous {anon:.0f} MiB "
              f"({'ok' if anon * 1.048576 <= 250 else 'MISS'}); RSS summed {rss:.0f} MiB counts shared pages "
              f"once per process. PSS includes the SQLite file pages workers map (mmap_size).")

    load = results.get("load") or {}
    if load:
        print()
        rows = []
        for name, found in load.items():
            errors = sum(found["errors"].values())
            rows.append([name, found["requests"], f"{found['rps']:,.0f}", f"{found['p50']:.1f}", f"{found['p99']:.1f}",
                         errors, found["non2xx"], "ok" if errors == 0 and found["non2xx"] == 0 else "FAIL"])
        print(table(["bounded load test", "requests", "req/s", "p50 ms", "p99 ms", "socket errors", "non-2xx/3xx",
                     "verdict"], rows))


if __name__ == "__main__":
    main()
