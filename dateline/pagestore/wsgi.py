"""The embedded server's page store: a WSGI wrapper around Django.

``dateline/wsgi.py`` wraps Django's application in ``PageStoreApp``. For a
*storable* request (GET or HEAD, no session cookie, a public path, no query
but ``page=N``) it looks the page up in the store and, when it is there,
assembles it from its fragments and answers without entering Django: no ORM,
no templates. Otherwise it asks Django for the page in store mode (see
``middleware.py``), which stores it, and answers the same way.

Stored pages are answered with HTTP done properly: an ETag made of the parts'
ETags and a Last-Modified, so ``If-None-Match`` / ``If-Modified-Since`` get a
304; gzip when the client accepts it (compressed once per version, kept in a
small in-process LRU); and ``Cache-Control: public, max-age=0, s-maxage=N,
must-revalidate``: browsers revalidate every time (cheap: a 304), a CDN may keep
the page N seconds, never past a pending purge.

Fragments are included with SSI's syntax, ``<!--# include virtual="…" -->``,
and assembled here in process; a missing fragment is rendered by an internal
call into Django (which stores it). Fragment addresses are not pages: a
client's request for one is answered 404. With the files backend each page is
also kept whole, its fragments in place (``WHOLE``), for nginx to send from
disk (see deploy/).
"""

import gzip
import hashlib
import logging
import re
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate, parsedate_to_datetime
from io import BytesIO

from django.conf import settings
from django.http import parse_cookie

from . import schedule
from .backends.base import Entry
from .middleware import ENTRY, INTERNAL, KEY, MODE
from .store import config, get_store

log = logging.getLogger(__name__)

BYPASS = "dateline.pagestore.bypass"  # environ flag: render fresh, inline, store nothing
INCLUDE = re.compile(rb'<!--# include virtual="([^"]+)" -->')
PUBLIC_PATH = re.compile(r"/(?:[A-Za-z0-9_-]+/)*")
PAGE_QUERY = re.compile(r"page=[0-9]{1,9}")
# Never looked up in the store: private pages, files, and feeds (Django answers
# their conditional GETs itself, which a stored-page lookup would strip).
PRIVATE = ("/desk/", "/admin/", "/static/", "/media/", "/search/", "/_fragment/", "/feeds/", "/_whole/")
# Where the file store keeps each page whole, its fragments in place, for nginx to
# send from disk: the page for /world/ is also stored under /_whole/world/.
WHOLE = "/_whole"
# Headers of the client's request that must not reach a render meant for everyone.
PERSONAL = ("HTTP_ACCEPT_ENCODING", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_RANGE", "HTTP_IF_RANGE")
COMPRESSIBLE = ("text/", "application/xml", "application/rss+xml", "application/atom+xml", "application/json",
                "application/ld+json", "image/svg+xml")


def origin(environ) -> str:
    """Scheme and host as Django's request would build absolute URLs from them;
    empty when ``SITE_URL`` fixes them for every page."""
    if settings.DATELINE.get("SITE_URL"):
        return ""
    scheme = environ.get("wsgi.url_scheme", "http")
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy and environ.get(proxy[0]) is not None:
        scheme = "https" if environ[proxy[0]].split(",")[0].strip() == proxy[1] else "http"
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    if settings.USE_X_FORWARDED_HOST and environ.get("HTTP_X_FORWARDED_HOST"):
        host = environ["HTTP_X_FORWARDED_HOST"].split(",")[-1].strip()
    return f"{scheme}://{host}"


def storable_key(environ) -> str | None:
    """The store key of a request that may be answered from the store, else None."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    path = environ.get("PATH_INFO", "")
    if not PUBLIC_PATH.fullmatch(path) or path.startswith(PRIVATE):
        return None
    query = environ.get("QUERY_STRING", "")
    if query and not PAGE_QUERY.fullmatch(query):
        return None
    cookies = environ.get("HTTP_COOKIE")
    if cookies and settings.SESSION_COOKIE_NAME in parse_cookie(cookies):
        return None  # signed in (or was): always a fresh page, never a stored one
    return f"{path}?{query}" if query else path


class _Page:
    """A stored page with its fragments in place."""

    __slots__ = ("body", "etag", "last_modified", "expires_at", "content_type", "headers", "http_date", "tags")

    def __init__(self, shell, parts, body=None):
        self.content_type, self.headers = shell.content_type, shell.headers
        entries = [shell, *(e for e in parts if e is not None)]
        self.tags = frozenset().union(*(e.tags for e in entries))  # what the page shows, parts included
        self.last_modified = max(e.stored_at for e in entries)
        expiries = [e.expires_at for e in entries if e.expires_at is not None]
        self.expires_at = min(expiries) if expiries else None
        if len(entries) == 1:
            self.etag = shell.etag
        else:
            digest = hashlib.blake2b(digest_size=12)
            for e in entries:
                digest.update(e.etag.encode())
            self.etag = f'"{digest.hexdigest()}"'
        self.body = body
        self.http_date = None  # Last-Modified as sent, made once (last_modified_header)

    def last_modified_header(self) -> str:
        if self.http_date is None:
            self.http_date = formatdate(self.last_modified, usegmt=True)
        return self.http_date


class _LRU:
    """Values by key, bounded in bytes (``size_of``); the least recently used go first.
    Here: compressed bodies by ETag, which never change, so a key is filled once."""

    replace = False  # whether a put over a present key replaces its value

    def __init__(self, max_bytes):
        self.max_bytes, self.size = max_bytes, 0
        self.items = OrderedDict()  # key -> (size, value)
        self.lock = threading.Lock()

    def size_of(self, key, value) -> int:
        return len(value)

    def get(self, key):
        with self.lock:
            found = self.items.get(key)
            if found is None:
                return None
            self.items.move_to_end(key)
            return found[1]

    def put(self, key, value):
        size = self.size_of(key, value)
        if size > self.max_bytes // 4:
            return
        with self.lock:
            old = self.items.get(key)
            if old is not None:
                if not self.replace:
                    return
                del self.items[key]
                self.size -= old[0]
            self.items[key] = (size, value)
            self.size += size
            while self.size > self.max_bytes:
                _, (dropped, _) = self.items.popitem(last=False)
                self.size -= dropped


def accepts_gzip(environ) -> bool:
    wildcard = False
    for coding in environ.get("HTTP_ACCEPT_ENCODING", "").split(","):
        name, *params = [p.strip() for p in coding.split(";")]
        q = 1.0
        for param in params:
            if param.lower().startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if name.lower() in ("gzip", "x-gzip"):
            return q > 0
        if name == "*":
            wildcard = q > 0
    return wildcard


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    wanted = etag.strip('"')
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        candidate = candidate.strip('"')
        if candidate == wanted or candidate == wanted + "-gzip":
            return True
    return False


def not_modified(environ, page) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    match = environ.get("HTTP_IF_NONE_MATCH")
    if match is not None:
        return _etag_matches(match, page.etag)
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since:
        try:
            return int(page.last_modified) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
    return False


class _HotPages(_LRU):
    """Assembled pages by store key, each with the purge generation it was read at.

    A page read at generation g is still what the store holds while the
    generation is g: every purge and clear moves it on, and a ``set`` only ever
    fills a key that was empty (or replaces it with a render of the same data).
    So a hit checks one number (``store.version()``, which moves with the
    generation) instead of reading the page and
    its fragments again; any purge anywhere makes every process read again."""

    replace = True  # a page read at a newer generation replaces the older one

    def size_of(self, key, value) -> int:
        return len(value[2].body) + len(key) + 200


class PageStoreApp:
    def __init__(self, app, clock=schedule.now, gzip_cache_bytes=16 * 1024 * 1024, hot_cache_bytes=None):
        self.app = app
        self.clock = clock
        self.gzipped = _LRU(gzip_cache_bytes)
        if hot_cache_bytes is None:
            hot_cache_bytes = int(config().get("HOT_BYTES", 24 * 1024 * 1024))
        self.hot = _HotPages(hot_cache_bytes) if hot_cache_bytes > 0 else None
        self.fragments = {}  # url -> (generation, Entry), with the hot pages
        self._writer = None  # a thread for whole pages kept from the event loop

    def ready_answer(self, environ):
        """``(status, headers, body)`` for a request the store can answer as it stands,
        else None; for a caller that must not wait on Django (the embedded server's
        event loop, see ``dateline/core/asgi.py``).

        It answers only when the page and every fragment it includes are stored (or
        held hot by this process at the current purge generation) and no pending
        purge is due: it reads the store and nothing else, never the ORM or the
        templates. Whatever it declines, ``__call__`` answers."""
        if not config().get("ENABLED") or environ.get(BYPASS):
            return None
        key = storable_key(environ)
        if key is None:
            return None
        now = self.clock()
        host = origin(environ)
        try:
            store = get_store()
            if schedule.due(store, now):
                return None  # running it may need the ORM: the thread's path does that
            generation = store.version() if self.hot is not None else None
            page = self._ready_page(store, key, host, generation)
            if page is None:
                since = self._whole_since(store, host)
                entry = store.get(key)
                if entry is None or entry.origin != host:
                    return None
                page = self._assemble(environ, store, entry, generation, render=False)
                if page is None:
                    return None
                self._keep_hot(key, generation, host, page)
                self._keep_whole(store, key, entry, page, since, background=True)
        except Exception:
            log.exception("page store: a ready answer failed; Django answers instead")
            return None
        return self._answer(environ, store, page, "hit", now)

    def __call__(self, environ, start_response):
        key = None
        if config().get("ENABLED") and not environ.get(BYPASS):
            key = storable_key(environ)
        if key is None:
            return self.app(environ, start_response)
        now = self.clock()
        host = origin(environ)
        try:
            store = get_store()
            schedule.check(store, now)
            generation = store.version() if self.hot is not None else None  # before reading anything
            page = self._ready_page(store, key, host, generation)
            if page is not None:
                return self._send(environ, start_response, store, page, "hit", now)
            since = self._whole_since(store, host)
            entry = store.get(key)
        except Exception:  # the store is down: serve from Django, as if there were none
            log.exception("page store unavailable")
            return self.app(environ, start_response)
        state = "hit"
        if entry is not None and entry.origin != host:
            entry = None  # rendered for another host name: its absolute links are not this one's
        if entry is None:
            state = "miss"
            entry, response = self._render(environ, key)
            if entry is None:
                return self._pass(environ, start_response, store, *response)
        page = self._assemble(environ, store, entry, generation)
        if entry.origin == host:
            self._keep_hot(key, generation, host, page)
            self._keep_whole(store, key, entry, page, since, background=False)
        return self._send(environ, start_response, store, page, state, now)

    def _ready_page(self, store, key, host, generation):
        """The page with nothing to put together: as this process holds it hot at
        ``generation``, or as kept whole (then held hot); else None."""
        if generation is not None:
            hot = self.hot.get(key)
            if hot is not None and hot[0] == generation and hot[1] == host:
                return hot[2]
        if not _keeps_whole(store, host):
            return None
        whole = store.get(WHOLE + key)
        if whole is None:
            return None
        page = _Page(whole, (), body=whole.body)  # its ETag and Last-Modified are the assembled page's
        self._keep_hot(key, generation, host, page)
        return page

    def _keep_hot(self, key, generation, host, page):
        if generation is not None and page.expires_at is None:
            self.hot.put(key, (generation, host, page))

    # Whole pages for nginx

    def _whole_since(self, store, host):
        """The purge generation before a page and its parts are read, when the page may be
        kept whole; else None."""
        return store.mark() if _keeps_whole(store, host) else None

    def _keep_whole(self, store, key, entry, page, since, background):
        """Store the page as sent — fragments in place — under ``WHOLE + key``, tagged with
        what the page and every fragment in it show, unless it is there already: nginx
        sends that file from disk. A purge of any part drops it (the tags), and a purge
        since ``since`` (before the parts were read) keeps it from being stored at all.
        The fragments stay stored apart, so after a publish the pages that show them are
        put together again from what is stored, not rendered again."""
        if since is None or page.expires_at is not None or entry.expires_at is not None:
            return
        whole = WHOLE + key
        if store.has(whole):
            return
        copy = Entry(body=page.body, content_type=entry.content_type, tags=page.tags, headers=entry.headers,
                     origin=entry.origin, etag=page.etag, stored_at=page.last_modified)

        def write():
            try:
                store.set(whole, copy, since=since)
            except Exception:
                log.exception("page store: could not keep %s whole", key)

        if background:  # off the event loop: the index's write lock may be held a while
            if self._writer is None:
                self._writer = ThreadPoolExecutor(1, thread_name_prefix="pagestore-whole")
            self._writer.submit(write)
        else:
            write()

    # Django, called from here

    def _render(self, environ, key, path=None, internal=False):
        """Ask Django for ``key`` in store mode: (the stored Entry or None, (status, headers, body))."""
        env = {k: v for k, v in environ.items() if k not in PERSONAL}
        env.update({"REQUEST_METHOD": "GET", "CONTENT_LENGTH": "0", "wsgi.input": BytesIO(b""),
                    MODE: environ.get(MODE) or "store", KEY: key})
        if path is not None:
            env["PATH_INFO"], env["QUERY_STRING"] = path, ""
        if internal:
            env[INTERNAL] = True
        captured = []

        def start_response(status, headers, exc_info=None):
            captured[:] = [status, headers]
            return chunks.append

        chunks = []
        result = self.app(env, start_response)
        try:
            chunks.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return env.get(ENTRY), (captured[0], captured[1], b"".join(chunks))

    def _fragment(self, environ, store, url):
        entry, (status, _, _) = self._render(environ, url, path=url, internal=True)
        if entry is None:
            log.warning("page store: fragment %s answered %s", url, status)
        return entry

    def _assemble(self, environ, store, entry, generation=None, render=True) -> _Page | None:
        """The page with its fragments in place; a missing fragment is rendered, or
        with ``render=False`` the answer is None."""
        urls = [m.decode("ascii") for m in INCLUDE.findall(entry.body)]
        if not urls:
            return _Page(entry, (), body=entry.body)
        found = {}
        if generation is not None:
            # Fragments are shared by many pages: keep them like hot pages, by generation.
            for url in set(urls):
                hot = self.fragments.get(url)
                if hot is not None and hot[0] == generation:
                    found[url] = hot[1]
        wanted = set(urls) - found.keys()
        if wanted:
            read = store.get_many(wanted)
            if generation is not None:
                for url, part in read.items():
                    if part.expires_at is None:
                        if len(self.fragments) >= 512:
                            self.fragments.clear()
                        self.fragments[url] = (generation, part)
            found.update(read)
        missing = set(urls) - found.keys()
        if missing and not render:
            return None
        for url in missing:
            fragment = self._fragment(environ, store, url)
            if fragment is not None:
                found[url] = fragment
        parts = [found.get(url) for url in urls]
        pieces, at = [], 0
        for match, part in zip(INCLUDE.finditer(entry.body), parts):
            pieces += [entry.body[at:match.start()], part.body if part is not None else b""]
            at = match.end()
        pieces.append(entry.body[at:])
        return _Page(entry, parts, body=b"".join(pieces))

    # Answers

    def _cache_control(self, store, page, now):
        s_maxage = int(config().get("S_MAXAGE", 60))
        # A shared cache must ask again by the time a pending purge (a scheduled
        # story, a pick window) or the page's own expiry may change it.
        for limit in (schedule.next_due(store), page.expires_at):
            if limit is not None:
                s_maxage = min(s_maxage, max(0, int(limit - now)))
        return f"public, max-age=0, s-maxage={s_maxage}, must-revalidate"

    def _send(self, environ, start_response, store, page, state, now):
        status, headers, body = self._answer(environ, store, page, state, now)
        start_response(status, headers)
        return [body]

    def _answer(self, environ, store, page, state, now):
        """(status, headers, body) for a stored page; the body is empty for HEAD and 304."""
        headers = [("Content-Type", page.content_type), *page.headers]
        common = [
            ("Cache-Control", self._cache_control(store, page, now)),
            ("Last-Modified", page.last_modified_header()),
            ("Vary", "Accept-Encoding"),
            ("X-Page-Store", state),
        ]
        use_gzip = accepts_gzip(environ)
        etag = f'{page.etag[:-1]}-gzip"' if use_gzip else page.etag
        if not_modified(environ, page):
            return "304 Not Modified", [("ETag", etag), *common], b""
        body = page.body
        if use_gzip:
            body = self.gzipped.get(etag)
            if body is None:
                body = gzip.compress(page.body, compresslevel=6, mtime=0)
                self.gzipped.put(etag, body)
            headers.append(("Content-Encoding", "gzip"))
        headers += [("ETag", etag), *common, ("Content-Length", str(len(body)))]
        return "200 OK", headers, b"" if environ["REQUEST_METHOD"] == "HEAD" else body

    def _pass(self, environ, start_response, store, status, headers, body):
        """Send what Django answered and did not store (a 404, a redirect, a feed)."""
        if INCLUDE.search(body):  # a store-mode page that could not be shared still needs its parts
            body = self._assemble(environ, store, _Unstored(body)).body
        names = {k.lower() for k, _ in headers}
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
        if (accepts_gzip(environ) and "content-encoding" not in names and len(body) >= 200
                and content_type.startswith(COMPRESSIBLE)):
            body = gzip.compress(body, compresslevel=6, mtime=0)
            vary = [v for k, v in headers if k.lower() == "vary"]
            headers = [(k, v) for k, v in headers if k.lower() not in ("vary", "etag")]
            headers += [("Content-Encoding", "gzip"), ("Vary", ", ".join([*vary, "Accept-Encoding"]))]
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def _keeps_whole(store, host) -> bool:
    """Whether pages are kept whole: a store nginx reads (files), and links made for
    DATELINE_SITE_URL rather than for the request's host."""
    return not host and store.keeps_whole_pages


class _Unstored:
    """A rendered shell that was not stored, assembled like a stored one."""

    content_type, headers, stored_at, expires_at, etag, tags = "", (), 0.0, None, '""', frozenset()

    def __init__(self, body):
        self.body = body
