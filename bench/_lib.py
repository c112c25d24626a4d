"""Shared plumbing for the benchmarks in bench/: databases, the server, HTTP.

Nothing here imports the application: every step goes through the same command
line an operator uses (``dateline demo``, ``dateline serve``, ``dateline
shell``), in a separate process, so the benchmarks measure the real thing.

Scratch data lives under bench/out/ (git-ignored).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
OUT = BENCH / "out"
VENV_BIN = REPO / ".venv" / "bin"
DATELINE = str(VENV_BIN / "dateline") if (VENV_BIN / "dateline").exists() else shutil.which("dateline") or "dateline"

PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("BENCH_PG_PORT", "5432")
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
# Databases this code must never create, drop or load.
PROTECTED_DBS = {"test", "root", "postgres", "template0", "template1"}

_JSON_MARK = "@@BENCH-JSON@@"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def stop_on_signals() -> None:
    """Turn SIGTERM, SIGHUP and SIGINT into exceptions, so every ``finally`` runs
    (servers are stopped) however the benchmark is ended. A background job gets
    SIGINT ignored by the shell, and SIGTERM would otherwise end Python at once."""
    def stop(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, stop)


# --------------------------------------------------------------------------
# Running the dateline command
# --------------------------------------------------------------------------

def base_env(home: Path, database_url: str | None = None) -> dict:
    """The environment for one dateline process: its home, and PostgreSQL or not."""
    env = dict(os.environ)
    env["DATELINE_HOME"] = str(home)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def dateline(env: dict, *args: str, check: bool = True, quiet: bool = False) -> subprocess.CompletedProcess:
    """Run ``dateline ARGS`` to completion (its output echoed as it comes unless ``quiet``);
    raise with its output when it fails."""
    lines = []
    with tempfile.TemporaryFile("w+") as err:  # a file, not a pipe: no deadlock on a chatty stderr
        proc = subprocess.Popen([DATELINE, *args], env=env, cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=err)
        try:
            for line in proc.stdout:
                lines.append(line)
                if not quiet and line.strip():
                    log(f"  | {line.rstrip()}")
            proc.wait()
        except BaseException:
            proc.kill()  # our own child, by its handle
            proc.wait()
            raise
        err.seek(0)
        stderr = err.read()
    result = subprocess.CompletedProcess(proc.args, proc.returncode, "".join(lines), stderr)
    if check and proc.returncode != 0:
        raise RuntimeError(f"`dateline {' '.join(args[:1])}` failed ({proc.returncode}):\n{result.stdout}\n{stderr}")
    return result


def shell_json(env: dict, code: str):
    """Run Python ``code`` in ``dateline shell``; it calls ``emit(obj)`` once to return JSON."""
    prelude = f"import json as _j\ndef emit(obj):\n    print({_JSON_MARK!r} + _j.dumps(obj))\n"
    proc = dateline(env, "shell", "-c", prelude + code, check=False, quiet=True)
    for line in proc.stdout.splitlines():
        if line.startswith(_JSON_MARK):
            return json.loads(line[len(_JSON_MARK):])
    raise RuntimeError(f"dateline shell returned no result ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")


def demo_size(env: dict) -> int | None:
    """How many stories the hand-written demo newsroom has; None if its content is missing."""
    return shell_json(env, (
        "try:\n"
        "    from dateline.demo.load import demo_stories\n"
        "    emit(len(demo_stories()))\n"
        "except ImportError:\n"
        "    emit(None)\n"
    ))


def story_count(env: dict) -> dict:
    return shell_json(env, (
        "from dateline.news.models import Story\n"
        "from dateline.demo import load\n"
        "try:\n"
        "    has = load.has_demo()\n"
        "except ImportError:\n"
        "    has = False\n"
        "emit({'stories': Story.objects.count(), 'published': Story.objects.published().count(), 'demo': has})\n"
    ))


# --------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------

def pg_url(name: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def _psql(sql: str, db: str = "postgres") -> str:
    proc = subprocess.run(
        ["psql", "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, "-d", db, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
        text=True, capture_output=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"psql failed: {sql}\n{proc.stderr}")
    return proc.stdout.strip()


def _pg_guard(name: str) -> None:
    if name in PROTECTED_DBS or not re.fullmatch(r"dateline_bench[a-z0-9_]*", name):
        raise RuntimeError(f"refusing to touch PostgreSQL database {name!r} (only dateline_bench*)")


def pg_exists(name: str) -> bool:
    return _psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


REBUILD_HELP = ("drop and rebuild a PostgreSQL database that exists but does not hold what this run asks for "
                "(without it the run stops instead; a database that does not exist is always built)")


def add_rebuild_flag(parser) -> None:
    """The ``--rebuild`` option of every benchmark that prepares a PostgreSQL database."""
    parser.add_argument("--rebuild", action="store_true", help=REBUILD_HELP)


def pg_recreate(name: str, *, rebuild: bool = False, why: str = "") -> None:
    """Create the database ``name``; if it exists, drop it first, but only when ``rebuild`` says so.

    A database that took an hour to fill (1,000,000 stories) is never dropped because a run asked
    for another story count: without ``rebuild`` this stops the program with a message naming
    the database, why it does not fit, and the two ways on.
    """
    _pg_guard(name)
    if pg_exists(name):
        if not rebuild:
            raise SystemExit(
                f"refusing to drop PostgreSQL database {name}: {why or 'it exists'}.\n"
                f"Pass --rebuild to drop and rebuild it, or --pg-name dateline_bench_<other> to build "
                f"another one beside it.")
        log(f"dropping PostgreSQL database {name}")
        _psql(f'DROP DATABASE "{name}" WITH (FORCE)')
    log(f"creating PostgreSQL database {name}")
    _psql(f'CREATE DATABASE "{name}"')


def _fill(env: dict, stories: int, demo: bool) -> str:
    """Demo newsroom first (its stories are the newest), then the synthetic archive.

    Returns "" when the demo loaded (or was not asked for), else why it did not.
    """
    dateline(env, "migrate", "--no-input", quiet=True)
    why = ""
    if demo:
        log("loading the demo newsroom (dateline demo)")
        proc = dateline(env, "demo", check=False)
        if proc.returncode != 0:
            last = [line for line in (proc.stderr or proc.stdout).splitlines() if line.strip()]
            why = f"`dateline demo` fails on this database: {last[-1] if last else proc.returncode}"
            log(f"WARNING: {why}; going on with synthetic stories only")
    if stories:
        log(f"adding {stories:,} synthetic stories (dateline demo --stories {stories}); this takes a while")
        started = time.perf_counter()
        dateline(env, "demo", "--stories", str(stories))
        log(f"  synthetic stories added in {time.perf_counter() - started:.0f} s")
    return why


_DEMO_STATUS: dict | None = None


def demo_status() -> dict:
    """Can ``dateline demo`` load the hand-written newsroom right now?

    Tried for real in a scratch SQLite home (bench/out/db/.demo-probe-<pid>,
    removed after). {"ok": bool, "stories": n, "why": str}.
    """
    global _DEMO_STATUS
    if _DEMO_STATUS is not None:
        return _DEMO_STATUS
    home = OUT / "db" / f".demo-probe-{os.getpid()}"  # per process: benchmarks may run side by side
    shutil.rmtree(home, ignore_errors=True)
    try:
        _DEMO_STATUS = _probe_demo(base_env(home))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if not _DEMO_STATUS["ok"]:
        log(f"WARNING: no demo newsroom: {_DEMO_STATUS['why']}; using synthetic stories only")
    return _DEMO_STATUS


def _probe_demo(env: dict) -> dict:
    n = demo_size(env)
    if n is None:
        return {"ok": False, "stories": 0, "why": "demo story content missing (ImportError)"}
    proc = dateline(env, "demo", check=False, quiet=True)
    if proc.returncode == 0:
        return {"ok": True, "stories": n, "why": ""}
    last = [line for line in (proc.stderr or proc.stdout).splitlines() if line.strip()]
    return {"ok": False, "stories": 0, "why": f"`dateline demo` fails: {last[-1] if last else proc.returncode}"}


def prepare(kind: str, stories: int, *, with_demo: bool = True, pg_name: str = "dateline_bench",
            rebuild: bool = False) -> tuple[dict, dict]:
    """A database with the demo newsroom (when it loads) plus ``stories`` synthetic ones.

    SQLite: a DATELINE_HOME under bench/out/db/, keyed by story count and
    whether the demo is in it; built in a temporary folder and renamed when
    complete, so an interrupted build is never reused.

    PostgreSQL: the database ``pg_name``, reused when its story count matches;
    when it does not, dropped and rebuilt only if ``rebuild``, else the program
    stops (SystemExit) saying so. A database that does not exist is built.
    Its DATELINE_HOME (static files, secret key) is bench/out/db/pg-home.

    Returns (environment for dateline processes, description).
    """
    OUT.joinpath("db").mkdir(parents=True, exist_ok=True)
    status = demo_status() if with_demo else {"ok": False, "stories": 0, "why": "not asked for"}
    demo = status["ok"]
    expected = stories + status["stories"]
    info = {"db": kind, "synthetic": stories, "demo": demo, "demo_stories": status["stories"],
            "demo_missing_why": status["why"], "expected_stories": expected}

    if kind == "sqlite":
        key = f"sqlite-{stories}-{'demo' if demo else 'nodemo'}"
        home = OUT / "db" / key
        env = base_env(home)
        if (home / "ready.json").exists():
            dateline(env, "migrate", "--no-input", quiet=True)  # the code may have new migrations
            counts = story_count(env)
            if counts["stories"] == expected and counts["demo"] == demo:
                log(f"reusing cached SQLite database {home.relative_to(REPO)} ({counts['stories']:,} stories)")
                return env, {**info, **counts, "home": str(home), "reused": True}
            log(f"cached database {home.name} has {counts['stories']:,} stories, expected {expected:,}: rebuilding")
        shutil.rmtree(home, ignore_errors=True)
        building = OUT / "db" / f".building-{key}-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        try:
            why = _fill(base_env(building), stories, demo)
            if why:  # keep it under the name of what it holds
                info.update(demo=False, demo_stories=0, demo_missing_why=why, expected_stories=stories)
                key = f"sqlite-{stories}-nodemo"
                home = OUT / "db" / key
                env = base_env(home)
                shutil.rmtree(home, ignore_errors=True)
            (building / "ready.json").write_text(json.dumps(info))
            building.rename(home)
        finally:
            shutil.rmtree(building, ignore_errors=True)
        counts = story_count(env)
        return env, {**info, **counts, "home": str(home), "reused": False}

    if kind == "postgres":
        _pg_guard(pg_name)
        home = OUT / "db" / "pg-home"
        env = base_env(home, pg_url(pg_name))
        if pg_exists(pg_name):
            # A failure here (the code cannot migrate or query it) is reported, never "fixed" by
            # dropping a database that may be fine once the code is.
            dateline(env, "migrate", "--no-input", quiet=True)
            counts = story_count(env)
            if counts["stories"] == expected and counts["demo"] == demo:
                log(f"reusing PostgreSQL database {pg_name} ({counts['stories']:,} stories)")
                return env, {**info, **counts, "database": pg_name, "reused": True}
            if demo and not counts["demo"] and counts["stories"] == stories:
                # Built when the demo failed here: try it again on top (its stories are the newest anyway).
                log(f"PostgreSQL database {pg_name} has the synthetic stories but no demo: loading the demo")
                proc = dateline(env, "demo", check=False)
                if proc.returncode != 0:
                    last = [line for line in (proc.stderr or proc.stdout).splitlines() if line.strip()]
                    why = f"`dateline demo` fails on this database: {last[-1] if last else proc.returncode}"
                    log(f"WARNING: {why}; going on with synthetic stories only")
                    info.update(demo=False, demo_stories=0, demo_missing_why=why, expected_stories=stories)
                else:
                    _psql("ANALYZE", db=pg_name)
                counts = story_count(env)
                return env, {**info, **counts, "database": pg_name, "reused": True}
            mismatch = f"it holds {counts['stories']:,} stories, this run asks for {expected:,}"
            if rebuild:
                log(f"PostgreSQL database {pg_name}: {mismatch}: rebuilding (--rebuild)")
            pg_recreate(pg_name, rebuild=rebuild, why=mismatch)
        else:
            pg_recreate(pg_name)
        why = _fill(env, stories, demo)
        if why:
            info.update(demo=False, demo_stories=0, demo_missing_why=why, expected_stories=stories)
        # What autovacuum would have done on a live site: fresh statistics, visibility map.
        log("VACUUM ANALYZE")
        _psql("VACUUM ANALYZE", db=pg_name)
        counts = story_count(env)
        return env, {**info, **counts, "database": pg_name, "reused": False}

    raise ValueError(f"unknown database kind {kind!r}")


# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``dateline serve`` in the background; stopped by PID (its own process group)."""

    def __init__(self, env: dict, *, workers: int = 1, port: int | None = None, label: str = "server"):
        self.env, self.workers, self.port, self.label = env, workers, port or free_port(), label
        self.proc: subprocess.Popen | None = None
        self.logfile = OUT / "logs" / f"{label}-{self.port}.log"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 300) -> "Server":
        self.logfile.parent.mkdir(parents=True, exist_ok=True)
        out = open(self.logfile, "w")
        cmd = [DATELINE, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)]
        log(f"starting {' '.join(cmd[1:])} (log: {self.logfile.relative_to(REPO)})")
        self.proc = subprocess.Popen(cmd, env=self.env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/")
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status < 500:
                    log(f"server up at {self.origin} (pid {self.proc.pid})")
                    return self
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"server did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """gunicorn's worker processes (children of the master)."""
        if self.proc is None:
            return []
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(c) for c in children]

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        pid = proc.pid
        try:
            os.kill(pid, signal.SIGTERM)  # gunicorn's master stops its workers gracefully
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            log(f"server {pid} did not stop on SIGTERM: killing its process group")
            try:
                os.killpg(pid, signal.SIGKILL)  # the group this Popen created (start_new_session)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass
        log(f"server {pid} stopped")

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()


# --------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------

def cpu_ns(pid: int) -> int:
    """CPU time used so far by every thread of process ``pid``, in ns (Linux schedstat)."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as fh:
                total += int(fh.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # a thread that just ended
    return total


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


class KeepAlive:
    """One persistent HTTP/1.1 connection; reconnects (untimed) if the server closes it."""

    def __init__(self, port: int, headers: dict | None = None, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.headers = {"User-Agent": "dateline-bench", **(headers or {})}
        self.conn = None
        self.connects = 0

    def _connect(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connects += 1

    def get(self, path: str, headers: dict | None = None):
        """(seconds, status, response headers, body); the time covers sending and reading it all."""
        for attempt in (1, 2):
            if self.conn is None:
                self._connect()
            try:
                started = time.perf_counter()
                self.conn.request("GET", path, headers={**self.headers, **(headers or {})})
                resp = self.conn.getresponse()
                body = resp.read()
                elapsed = time.perf_counter() - started
                if resp.will_close:
                    self.close()
                return elapsed, resp.status, resp.headers, body
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest, http.client.BadStatusLine):
                self.close()
                if attempt == 2:
                    raise

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Links(HTMLParser):
    """Every href/src/srcset in a page, with the tag and rel it came from."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        rel = (a.get("rel") or "").lower().split()
        for attr in ("href", "src", "poster", "data"):
            if a.get(attr):
                self.found.append({"tag": tag, "attr": attr, "rel": rel, "url": a[attr], "as": a.get("as")})
        for attr in ("srcset", "imagesrcset"):
            for part in (a.get(attr) or "").split(","):
                url = part.strip().split(" ")[0]
                if url:
                    self.found.append({"tag": tag, "attr": attr, "rel": rel, "url": url, "as": a.get("as")})


def links(html: str) -> list[dict]:
    parser = Links()
    parser.feed(html)
    return parser.found


def stylesheet_href(html: str) -> str:
    for link in links(html):
        if link["tag"] == "link" and "stylesheet" in link["rel"]:
            return link["url"]
    raise RuntimeError("no <link rel=stylesheet> in the page")


def same_origin(url: str, origin: str) -> bool:
    full = urlsplit(urljoin(origin + "/", url))
    base = urlsplit(origin)
    return (full.scheme, full.netloc) == (base.scheme, base.netloc)


# --------------------------------------------------------------------------
# Choosing pages
# --------------------------------------------------------------------------

def sample_story_urls(env: dict, count: int, seed: int = 20240601) -> list[str]:
    """``count`` published story URLs spread over the whole archive (seeded, so runs compare)."""
    return shell_json(env, (
        "import random\n"
        "from dateline.news.models import Story\n"
        "ids = list(Story.objects.published().values_list('pk', flat=True))\n"
        f"picked = random.Random({seed}).sample(ids, min({count}, len(ids)))\n"
        "by = Story.objects.select_related('section').in_bulk(picked)\n"
        "emit([by[i].get_absolute_url() for i in picked])\n"
    ))


def richest_story(env: dict) -> dict:
    """The published story showing the most blocks (lead image, credits, previous, next, ...)."""
    return shell_json(env, (
        "from dateline.news.models import Story\n"
        "from dateline.public import blocks\n"
        "best = None\n"
        "qs = Story.objects.published().select_related('section', 'lead_image', 'also_read').newest_first()[:600]\n"
        "for s in qs:\n"
        "    around = blocks.around_story(s, lists=False)\n"
        "    has = {'lead_image': s.lead_image_id is not None, 'credits': bool(around.credits),\n"
        "           'previous': around.previous is not None, 'next': around.next is not None,\n"
        "           'tags': bool(around.tags), 'also_read': around.also_read is not None,\n"
        "           'bylines': bool(around.bylines), 'updated': s.was_updated}\n"
        "    weights = {'lead_image': 8, 'credits': 8, 'previous': 4, 'next': 4, 'also_read': 2,\n"
        "               'tags': 1, 'bylines': 1, 'updated': 1}\n"
        "    score = (sum(weights[k] for k, v in has.items() if v), s.word_count)\n"
        "    if best is None or score > best[0]:\n"
        "        best = (score, s.get_absolute_url(), has, s.headline)\n"
        "emit(None if best is None else {'url': best[1], 'has': best[2], 'headline': best[3]})\n"
    ))


# --------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil
    return ordered[int(rank) - 1]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def table(headers: list[str], rows: list[list], align: str | None = None) -> str:
    """A plain-text table; ``align`` is a string of l/r per column."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    align = align or "l" + "r" * (len(headers) - 1)

    def fmt(row):
        return "  ".join(c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(row, widths, align)).rstrip()

    line = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(cells[0]), line, *(fmt(r) for r in cells[1:])])


# --------------------------------------------------------------------------
# For shell scripts: `python bench/_lib.py demo-site` prints shell assignments
# --------------------------------------------------------------------------

def _demo_site() -> None:
    """Prepare the demo database; print BENCH_HOME, BENCH_DEMO and BENCH_STORY for `eval`."""
    env, info = prepare("sqlite", 0)
    if not info["demo"]:
        log("no demo newsroom: falling back to 300 synthetic stories")
        env, info = prepare("sqlite", 300)
    story = richest_story(env)
    if story is None:
        raise SystemExit("no published story")
    import shlex
    print(f"BENCH_HOME={shlex.quote(env['DATELINE_HOME'])}")
    print(f"BENCH_DEMO={'yes' if info['demo'] else 'no'}")
    print(f"BENCH_DEMO_WHY={shlex.quote(info['demo_missing_why'])}")
    print(f"BENCH_STORY={shlex.quote(story['url'])}")
    print(f"BENCH_PORT={free_port()}")


if __name__ == "__main__":
    commands = {"demo-site": _demo_site}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        raise SystemExit(f"usage: {sys.argv[0]} {'|'.join(commands)}")
    commands[sys.argv[1]]()
