"""Pages as files under DATELINE_HOME/pages, the tag index in a small SQLite file.

The layout is one a web server can serve from disk: a page for ``/world/`` is
``pages/world/index.html`` (its metadata beside it in ``index.html.meta``); a
query string becomes part of the file name. Reading a page is two file reads and
never touches the site's database or the index; only storing, purging and the
pending purges use the index, and every write to it is one SQLite transaction
(``BEGIN IMMEDIATE``), so processes sharing the folder take turns.
"""

import mmap
import os
import sqlite3
import struct
import threading
from pathlib import Path
from urllib.parse import quote

from .base import Entry, PageStore

INDEX = "tags.sqlite3"
# An 8-byte counter, memory-mapped by every process: bumped by each purge and
# clear after its files are gone (under the index's write lock, so bumps never
# interleave), read by every hit as ``version()``: a shared-memory read instead
# of a query. nginx never serves it (it serves only */index.html).
VERSION = ".version"


class FileStore(PageStore):
    def __init__(self, location, **options):
        self.root = Path(location)
        self.root.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._files = {}
        self._version = None
        with self._db() as db:
            db.execute("CREATE TABLE IF NOT EXISTS tag (tag TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (tag, key))")
            db.execute("CREATE INDEX IF NOT EXISTS tag_by_key ON tag (key)")
            # tag -> the purge generation that last dropped it (see base.py: the purge generation).
            db.execute("CREATE TABLE IF NOT EXISTS purged (tag TEXT PRIMARY KEY, generation INTEGER NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
            db.execute("INSERT OR IGNORE INTO state VALUES ('generation', 0), ('cleared', 0)")
            db.execute("CREATE TABLE IF NOT EXISTS pending (at REAL NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL,"
                       " PRIMARY KEY (at, kind, ref))")

    def __repr__(self):
        return f"FileStore({str(self.root)!r})"

    def _connection(self):
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.root / INDEX, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def _db(self):
        return _Transaction(self._connection())

    def path(self, key: str) -> Path:
        """The file for ``key``: ``/a/b/?page=2`` → ``a/b/index.html?page=2`` (quoted)."""
        path, _, query = key.partition("?")
        name = "index.html" + (("?" + quote(query, safe="=&")) if query else "")
        parts = [quote(p, safe="") for p in path.strip("/").split("/") if p]
        if any(p in (".", "..") for p in parts):
            raise ValueError(f"not a storable key: {key!r}")
        return self.root.joinpath(*parts, name)

    def _file(self, key: str) -> str:
        """``path(key)`` as a string, remembered for the keys read most."""
        found = self._files.get(key)
        if found is None:
            found = str(self.path(key))
            if len(self._files) >= 4096:
                self._files.clear()
            self._files[key] = found
        return found

    keeps_whole_pages = True

    def has(self, key):
        return os.path.exists(self._file(key) + ".meta")

    def get(self, key):
        try:
            path = self._file(key)
            # Metadata first: a writer replaces the body first, so what is read here is
            # never an older body than the metadata (and its ETag) describes.
            with open(path + ".meta", "rb") as meta, open(path, "rb") as body:
                entry = Entry.from_parts(body.read(), meta.read())
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError, ValueError, KeyError):
            return None
        return entry if entry.fresh() else None

    def mark(self):
        db = self._connection()
        return db.execute("SELECT value FROM state WHERE name = 'generation'").fetchone()[0]

    def _counter(self) -> mmap.mmap:
        found = self._version
        if found is None:
            fd = os.open(self.root / VERSION, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                if os.fstat(fd).st_size < 8:
                    os.ftruncate(fd, 8)  # zeros; another process doing the same is harmless
                found = self._version = mmap.mmap(fd, 8)
            finally:
                os.close(fd)
        return found

    def version(self):
        return struct.unpack_from("<Q", self._counter())[0]

    def _bump(self):
        """Call inside a write transaction, after the files it drops are gone."""
        counter = self._counter()
        struct.pack_into("<Q", counter, 0, struct.unpack_from("<Q", counter)[0] + 1)

    def set(self, key, entry, since=None):
        path = self.path(key)
        tags = sorted(entry.tags)
        with self._db() as db:
            if since is not None:
                cleared = db.execute("SELECT value FROM state WHERE name = 'cleared'").fetchone()[0]
                marks = ",".join("?" * len(tags))
                later = db.execute(
                    f"SELECT 1 FROM purged WHERE tag IN ({marks}) AND generation > ? LIMIT 1", [*tags, since]
                ).fetchone() if tags else None
                if cleared > since or later:
                    return False
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write beside, then rename: a reader sees the old file or the new one, never half.
            # The files change while the index is locked, so a purge cannot slip in between.
            for suffix, data in (("", entry.body), (".meta", entry.meta())):
                tmp = path.with_name(f".{path.name}{suffix}.{os.getpid()}.{threading.get_ident()}")
                tmp.write_bytes(data)
                os.replace(tmp, str(path) + suffix)
            db.execute("DELETE FROM tag WHERE key = ?", (key,))
            db.executemany("INSERT OR IGNORE INTO tag (tag, key) VALUES (?, ?)", [(t, key) for t in tags])
        return True

    def purge(self, tags):
        tags = sorted(set(tags))
        if not tags:
            return []
        with self._db() as db:
            db.execute("UPDATE state SET value = value + 1 WHERE name = 'generation'")
            generation = db.execute("SELECT value FROM state WHERE name = 'generation'").fetchone()[0]
            db.executemany("INSERT OR REPLACE INTO purged (tag, generation) VALUES (?, ?)",
                           [(t, generation) for t in tags])
            keys = []
            for chunk in _chunks(tags, 500):
                marks = ",".join("?" * len(chunk))
                keys += [k for (k,) in db.execute(f"SELECT DISTINCT key FROM tag WHERE tag IN ({marks})", chunk)]
            keys = sorted(set(keys))
            for key in keys:
                self._unlink(key)
            db.executemany("DELETE FROM tag WHERE key = ?", [(k,) for k in keys])
            self._bump()
        return keys

    def _unlink(self, key):
        try:
            path = self.path(key)
        except ValueError:
            return
        # The metadata goes first: without it a reader sees a miss even if the body lingers.
        for p in (Path(str(path) + ".meta"), path):
            try:
                p.unlink()
            except FileNotFoundError:
                pass

    def clear(self):
        with self._db() as db:
            db.execute("UPDATE state SET value = value + 1 WHERE name = 'generation'")
            db.execute("UPDATE state SET value = (SELECT value FROM state WHERE name = 'generation')"
                       " WHERE name = 'cleared'")
            count = db.execute("SELECT COUNT(DISTINCT key) FROM tag").fetchone()[0]
            # Every page file, indexed or not: a crash between writing a file and
            # committing its tags would otherwise leave a page nothing can purge.
            for folder, _, files in os.walk(self.root):
                for name in files:
                    if name.startswith("index.html") or name.startswith(".index.html"):
                        try:
                            os.unlink(os.path.join(folder, name))
                        except FileNotFoundError:
                            pass
            db.execute("DELETE FROM tag")
            db.execute("DELETE FROM purged")
            self._bump()
        return count

    def keys(self):
        db = self._connection()
        return sorted(k for (k,) in db.execute("SELECT DISTINCT key FROM tag"))

    def schedule(self, at, kind, ref=""):
        with self._db() as db:
            db.execute("INSERT OR IGNORE INTO pending (at, kind, ref) VALUES (?, ?, ?)", (float(at), kind, str(ref)))

    def next_due(self):
        db = self._connection()
        return db.execute("SELECT MIN(at) FROM pending").fetchone()[0]

    def due(self, now):
        db = self._connection()
        return [tuple(row) for row in db.execute("SELECT at, kind, ref FROM pending WHERE at <= ? ORDER BY at",
                                                  (float(now),))]

    def done(self, items):
        with self._db() as db:
            db.executemany("DELETE FROM pending WHERE at = ? AND kind = ? AND ref = ?", list(items))

    def stats(self):
        db = self._connection()
        size = 0
        for folder, _, files in os.walk(self.root):
            size += sum(os.path.getsize(os.path.join(folder, n)) for n in files if n.startswith("index.html"))
        return {
            "backend": "files", "location": str(self.root),
            "entries": db.execute("SELECT COUNT(DISTINCT key) FROM tag").fetchone()[0],
            "tags": db.execute("SELECT COUNT(DISTINCT tag) FROM tag").fetchone()[0],
            "bytes": size,
            "pending": db.execute("SELECT COUNT(*) FROM pending").fetchone()[0],
            "next_due": self.next_due(),
            "generation": self.mark(),
        }


def _chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


class _Transaction:
    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, value, tb):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
