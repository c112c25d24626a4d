"""The page store's interface: whole pages and fragments, each with tags.

A backend keeps bytes under a key (a path, with its query) and remembers which
tags each key carries, so that ``purge(tags)`` drops exactly the entries that
show something that changed. Backends are named in ``DATELINE["PAGE_STORE"]``
and loaded with ``import_string``: one module each (files, redis).

Two more duties keep a store exact under concurrency and over time:

- **The purge generation.** A page rendered from data read *before* a commit
  may reach ``set`` *after* that commit's purge; stored then, it would be stale
  until the next change. So a renderer takes ``mark()`` before it reads
  anything, and ``set(key, entry, since=mark)`` refuses the entry when one of
  its tags was purged after the mark.
- **Pending purges.** A story scheduled for later, or a pick window opening,
  changes pages at a time when nobody writes anything. ``schedule(at, kind,
  ref)`` keeps a note; whoever serves pages asks ``next_due()`` now and then and
  runs ``due(now)`` once its time has come (see ``dateline.pagestore.schedule``).
"""

import hashlib
import json
import time
from dataclasses import dataclass, field


@dataclass
class Entry:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    tags: frozenset = field(default_factory=frozenset)
    stored_at: float = field(default_factory=time.time)
    # After this time the entry is stale whatever happens (e.g. a scheduled story is due).
    expires_at: float | None = None
    etag: str = ""
    # Other response headers to send again with the page (security headers and the like).
    headers: tuple = ()
    # "scheme://host" the page's absolute links were built for; empty when SITE_URL fixes them.
    origin: str = ""

    def __post_init__(self):
        if not self.etag:
            self.etag = '"' + hashlib.blake2b(self.body, digest_size=12).hexdigest() + '"'
        self.tags = frozenset(self.tags)
        self.headers = tuple(tuple(pair) for pair in self.headers)

    def fresh(self, now=None) -> bool:
        return self.expires_at is None or (now or time.time()) < self.expires_at

    def meta(self) -> bytes:
        return json.dumps({
            "content_type": self.content_type, "tags": sorted(self.tags), "stored_at": self.stored_at,
            "expires_at": self.expires_at, "etag": self.etag, "headers": [list(h) for h in self.headers],
            "origin": self.origin,
        }).encode()

    @classmethod
    def from_parts(cls, body: bytes, meta: bytes) -> "Entry":
        data = json.loads(meta)
        return cls(body=body, content_type=data["content_type"], tags=frozenset(data["tags"]),
                   stored_at=data["stored_at"], expires_at=data["expires_at"], etag=data["etag"],
                   headers=tuple(tuple(h) for h in data.get("headers", ())), origin=data.get("origin", ""))


# A pending purge: (unix time, kind, reference), e.g. (1767225600.0, "story", "42").
Pending = tuple[float, str, str]


class PageStore:
    """Base class; a backend implements every method below."""

    def get(self, key: str) -> Entry | None:
        raise NotImplementedError

    def get_many(self, keys) -> dict[str, Entry]:
        """{key: entry} for the keys that are stored; backends may do it in one round trip."""
        found = {}
        for key in keys:
            entry = self.get(key)
            if entry is not None:
                found[key] = entry
        return found

    def mark(self) -> int:
        """The current purge generation, to pass to ``set`` as ``since``."""
        raise NotImplementedError

    def version(self) -> int:
        """A number that changes with every purge and clear, for caches of what was
        read: a copy read at version v is what the store holds while the version is
        v. As cheap as the backend can make it (read on every hit)."""
        return self.mark()

    # Whether the web server reads pages straight from this store (the files backend,
    # nginx): then pages are also kept whole, fragments in place (pagestore/wsgi.py).
    keeps_whole_pages = False

    def has(self, key: str) -> bool:
        return self.get(key) is not None

    def set(self, key: str, entry: Entry, since: int | None = None) -> bool:
        """Store ``entry``; False (and nothing stored) if one of its tags, or the
        whole store, was purged after generation ``since``."""
        raise NotImplementedError

    def purge(self, tags) -> list[str]:
        """Drop every entry carrying any of ``tags``; returns the keys dropped."""
        raise NotImplementedError

    def clear(self) -> int:
        """Drop every entry (pending purges stay: they still matter); returns how many."""
        raise NotImplementedError

    def keys(self) -> list[str]:
        """Every stored key (for tests and the `pagestore` command)."""
        raise NotImplementedError

    def schedule(self, at: float, kind: str, ref: str = "") -> None:
        """Remember to run a purge of ``kind``/``ref`` at unix time ``at``."""
        raise NotImplementedError

    def next_due(self) -> float | None:
        """When the earliest pending purge is due, or None."""
        raise NotImplementedError

    def due(self, now: float) -> list[Pending]:
        """The pending purges whose time has come (they stay until ``done``)."""
        raise NotImplementedError

    def done(self, items) -> None:
        """Forget pending purges that have been run."""
        raise NotImplementedError

    def stats(self) -> dict:
        """Numbers for `dateline pagestore stats`."""
        return {"entries": len(self.keys()), "next_due": self.next_due()}
