"""The embedded server's front: an ASGI application for uvicorn workers under gunicorn.

A reader's request for a stored page is answered on the event loop, straight
from the page store (``PageStoreApp.ready_answer``: the page and its fragments
as stored, or as this process holds them hot at the current purge generation):
no thread hand-off, no ORM, no templates. That is what lets one small machine
take a traffic spike — the event loop answers stored pages at close to the rate
nginx sends files.

Everything else — a page not stored yet, the desk, the admin, static files,
feeds, search, forms — runs the WSGI application (Django inside
``PageStoreApp``) in a pool of threads, ``DATELINE_THREADS`` per worker. The
request body is read first (spooled to disk past 1 MiB, refused with 413 past
``DATELINE["MAX_REQUEST_BYTES"]``, env ``DATELINE_MAX_REQUEST_BYTES``) and the response is streamed back in chunks
of up to 64 KiB, so a sitemap of a million stories never sits whole in memory.
"""

import asyncio
import logging
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote_to_bytes

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
SPOOL = 1024 * 1024
DEFAULT_MAX_REQUEST_BYTES = 32 * 1024 * 1024


READY_HEADERS = {name.encode(): "HTTP_" + name.upper().replace("-", "_") for name in (
    "cookie", "host", "accept-encoding", "if-none-match", "if-modified-since",
    "x-forwarded-proto", "x-forwarded-host")}


def _start(status: str, headers) -> dict:
    """The ASGI response start for a WSGI status line and header list."""
    return {"type": "http.response.start", "status": int(status[:3]),
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]}


def _path_info(scope) -> str:
    """PATH_INFO as a WSGI server gives it: the path's bytes, unescaped, read as latin-1."""
    raw = scope.get("raw_path") or scope["path"].encode("utf-8")
    return unquote_to_bytes(raw.split(b"?", 1)[0]).decode("latin-1")


def _add(environ, key, value):
    """Header ``key`` into ``environ``, joined to an earlier one of the same name."""
    if key in environ:
        value = environ[key] + ("; " if key == "HTTP_COOKIE" else ",") + value
    environ[key] = value


class Front:
    """ASGI in front of a WSGI application (``PageStoreApp`` or plain Django)."""

    def __init__(self, app, threads: int | None = None, max_request_bytes: int | None = None):
        self.app = app
        self.ready = getattr(app, "ready_answer", None)
        self.threads = threads or int(os.environ.get("DATELINE_THREADS", "2"))
        if max_request_bytes is None:
            from django.conf import settings

            max_request_bytes = int(settings.DATELINE.get("MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES))
        self.max_request_bytes = max_request_bytes
        self._pool = None

    @property
    def pool(self) -> ThreadPoolExecutor:
        # Made in the worker process on first use, never in a parent that forks.
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="dateline-wsgi")
        return self._pool

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        if kind == "http":
            return await self._http(scope, receive, send)
        if kind == "lifespan":
            return await self._lifespan(receive, send)
        if kind == "websocket":  # nothing here speaks WebSocket: refuse the handshake
            await receive()
            await send({"type": "websocket.close", "code": 1003})

    async def _lifespan(self, receive, send):
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._pool is not None:
                    await asyncio.get_running_loop().run_in_executor(None, self._pool.shutdown)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope, receive, send):
        if self.ready is not None and scope["method"] in ("GET", "HEAD"):
            answer = self.ready(self.ready_environ(scope))
            if answer is not None:
                status, headers, body = answer
                await send(_start(status, headers))
                await send({"type": "http.response.body", "body": body})
                return
        environ = self.environ(scope)
        body = await self._read_body(environ, receive)
        if body is None:
            await _plain(send, 413, b"Request body too large.\n")
            return
        try:
            environ["wsgi.input"] = body
            await asyncio.get_running_loop().run_in_executor(
                self.pool, self._run, environ, send, asyncio.get_running_loop())
        finally:
            body.close()

    async def _read_body(self, environ, receive):
        """The request body as a file, or None when it is larger than allowed."""
        declared = environ.get("CONTENT_LENGTH")
        if declared and declared.isdigit() and int(declared) > self.max_request_bytes:
            return None
        body = tempfile.SpooledTemporaryFile(max_size=SPOOL)
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_request_bytes:
                body.close()
                return None
            if chunk:
                body.write(chunk)
            if not message.get("more_body"):
                break
        body.seek(0)
        environ["CONTENT_LENGTH"] = str(size)
        return body

    def _run(self, environ, send, loop):
        """In a pool thread: call the WSGI application and stream its answer back."""

        def push(message):
            asyncio.run_coroutine_threadsafe(send(message), loop).result()

        started = []  # [status, headers] once start_response was called
        sent = []  # [True] once the response start went out

        def start_response(status, headers, exc_info=None):
            if exc_info is not None and sent:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [status, headers]
            return write

        def begin():
            push(_start(*started))
            sent.append(True)

        def write(data):  # the legacy write() callable of PEP 3333
            if data:
                if not sent:
                    begin()
                push({"type": "http.response.body", "body": bytes(data), "more_body": True})

        try:
            result = self.app(environ, start_response)
        except Exception:
            log.exception("Internal Server Error: %s", environ.get("PATH_INFO"))
            asyncio.run_coroutine_threadsafe(_plain(send, 500, b"Internal Server Error\n"), loop).result()
            return
        try:
            pending, size = [], 0
            for chunk in result:
                if not chunk:
                    continue
                if not sent:
                    begin()
                pending.append(chunk)
                size += len(chunk)
                if size >= CHUNK:
                    push({"type": "http.response.body", "body": b"".join(pending), "more_body": True})
                    pending, size = [], 0
            if not sent:
                begin()
            push({"type": "http.response.body", "body": b"".join(pending)})
        finally:
            if hasattr(result, "close"):
                result.close()

    @staticmethod
    def ready_environ(scope) -> dict:
        """The part of the environ a stored page's answer depends on: method, path,
        query, scheme, and the headers named in ``READY_HEADERS``."""
        environ = {
            "REQUEST_METHOD": scope["method"],
            "PATH_INFO": _path_info(scope),
            "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
            "SERVER_NAME": str((scope.get("server") or ("localhost", 80))[0]),
            "wsgi.url_scheme": scope.get("scheme", "http"),
        }
        for name, value in scope["headers"]:
            key = READY_HEADERS.get(name)
            if key is not None:
                _add(environ, key, value.decode("latin-1"))
        return environ

    @staticmethod
    def environ(scope) -> dict:
        """The WSGI environ (PEP 3333) of an ASGI http scope; ``wsgi.input`` comes later."""
        server = scope.get("server") or ("localhost", 80)
        client = scope.get("client") or ("", 0)
        environ = {
            "REQUEST_METHOD": scope["method"],
            "SCRIPT_NAME": scope.get("root_path", ""),
            "PATH_INFO": _path_info(scope),
            "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
            "SERVER_NAME": str(server[0]),
            "SERVER_PORT": str(server[1] if server[1] is not None else 80),
            "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
            "REMOTE_ADDR": client[0] or "",
            "REMOTE_PORT": str(client[1] or ""),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scope.get("scheme", "http"),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        for name, value in scope["headers"]:
            name = name.decode("latin-1")
            if "_" in name:
                continue  # X_Forwarded_Proto must not pass for X-Forwarded-Proto
            if name == "content-type":
                key = "CONTENT_TYPE"
            elif name == "content-length":
                key = "CONTENT_LENGTH"
            else:
                key = "HTTP_" + name.upper().replace("-", "_")
            _add(environ, key, value.decode("latin-1"))
        return environ


async def _plain(send, status: int, text: bytes):
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(text)).encode())]})
    await send({"type": "http.response.body", "body": text})
