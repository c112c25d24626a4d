"""The embedded server's ASGI front (dateline/core/asgi.py), driven through the ASGI
interface the way uvicorn drives it: stored pages answered on the event loop,
everything else through the WSGI application in a thread, bodies in and out."""

import asyncio
import gzip
import threading

import pytest

from dateline.core.asgi import Front


def scope(path="/", method="GET", query=b"", headers=()):
    raw = path.encode("utf-8") if isinstance(path, str) else path
    return {"type": "http", "method": method, "path": raw.decode("latin-1"), "raw_path": raw,
            "query_string": query, "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
            "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 50000), "scheme": "http",
            "http_version": "1.1", "root_path": ""}


def run(coroutine):
    """Run ``coroutine`` on an event loop of its own, in a thread of its own: this
    thread may already have one running (Playwright's, from the browser tests)."""
    failure = []

    def target():
        try:
            asyncio.run(coroutine)
        except BaseException as error:  # re-raised in the test's thread
            failure.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    if failure:
        raise failure[0]


def call(front, the_scope, body_chunks=(b"",)):
    """Run one request; returns (status, headers dict, body, body messages sent)."""
    sent = []
    chunks = list(body_chunks)

    async def receive():
        if chunks:
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    run(front(the_scope, receive, send))
    start = sent[0]
    bodies = [m for m in sent[1:] if m["type"] == "http.response.body"]
    assert not bodies[-1].get("more_body"), "the last body message must end the response"
    return (start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]},
            b"".join(m["body"] for m in bodies), len(bodies))


class Recorder:
    """A small WSGI application that records what it was called with."""

    def __init__(self, chunks=(b"hello",), status="200 OK", headers=(("Content-Type", "text/plain"),)):
        self.calls, self.chunks, self.status, self.headers = [], list(chunks), status, list(headers)

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read()
        self.calls.append((dict(environ), body, threading.current_thread().name))
        start_response(self.status, self.headers)
        return iter(self.chunks)


def test_environ_follows_pep_3333():
    app = Recorder()
    front = Front(app, threads=1, max_request_bytes=1024)
    status, _, body, _ = call(front, scope(
        "/w%C3%B6rld/caf%C3%A9/", query=b"page=2&q=a%20b",
        headers=[("Host", "news.example"), ("Cookie", "a=1"), ("Cookie", "b=2"), ("Content-Type", "text/plain"),
                 ("X-Forwarded-Proto", "https"), ("X_Forwarded_Proto", "spoofed"), ("Accept", "a"), ("Accept", "b")]))
    assert (status, body) == (200, b"hello")
    environ, _, thread = app.calls[0]
    # PATH_INFO is the decoded path's bytes as latin-1, as a WSGI server gives it to Django
    assert environ["PATH_INFO"].encode("latin-1").decode("utf-8") == "/wörld/café/"
    assert environ["QUERY_STRING"] == "page=2&q=a%20b"
    assert environ["HTTP_HOST"] == "news.example"
    assert environ["HTTP_COOKIE"] == "a=1; b=2"
    assert environ["HTTP_ACCEPT"] == "a,b"
    assert environ["CONTENT_TYPE"] == "text/plain"
    assert environ["HTTP_X_FORWARDED_PROTO"] == "https"  # the underscore spelling was dropped
    assert environ["SERVER_PORT"] == "8000" and environ["REMOTE_ADDR"] == "127.0.0.1"
    assert environ["wsgi.url_scheme"] == "http" and environ["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert thread.startswith("dateline-wsgi")  # Django never runs on the event loop


def test_request_body_in_several_messages_reaches_the_app_whole():
    app = Recorder()
    front = Front(app, threads=1, max_request_bytes=10_000_000)
    parts = [b"a" * 700_000, b"b" * 700_000, b"c"]  # past the 1 MiB spool: goes to a temporary file
    status, _, _, _ = call(front, scope("/desk/upload/", method="POST"), parts)
    environ, body, _ = app.calls[0]
    assert status == 200 and body == b"".join(parts) and environ["CONTENT_LENGTH"] == str(len(body))


def test_a_body_over_the_limit_is_refused_before_the_app_sees_it():
    app = Recorder()
    front = Front(app, threads=1, max_request_bytes=1000)
    status, _, body, _ = call(front, scope("/desk/", method="POST", headers=[("Content-Length", "5000")]),
                              [b"x" * 5000])
    assert status == 413 and b"too large" in body and app.calls == []
    # a body that does not say its length (chunked) is counted as it arrives
    status, _, _, _ = call(front, scope("/desk/", method="POST"), [b"x" * 600, b"x" * 600])
    assert status == 413 and app.calls == []


def test_large_answers_are_streamed_in_bounded_chunks():
    app = Recorder(chunks=[b"x" * 10_000] * 30)  # 300 kB in 30 pieces
    status, headers, body, messages = call(Front(app, threads=1, max_request_bytes=10), scope("/sitemap-1.xml"))
    assert status == 200 and body == b"x" * 300_000
    assert 4 <= messages <= 8  # joined into ~64 KiB messages, not one per piece and not one whole


def test_an_exception_in_the_app_is_a_500_and_the_server_goes_on():
    def broken(environ, start_response):
        raise RuntimeError("boom")

    front = Front(broken, threads=1, max_request_bytes=10)
    status, _, body, _ = call(front, scope("/"))
    assert status == 500 and body == b"Internal Server Error\n"


def test_websocket_is_refused_and_lifespan_completes():
    front = Front(Recorder(), threads=1, max_request_bytes=10)
    sent = []
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]

    async def receive():
        return incoming.pop(0)

    async def send(message):
        sent.append(message["type"])

    run(front({"type": "lifespan"}, receive, send))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    sent.clear()
    incoming = [{"type": "websocket.connect"}]
    run(front({"type": "websocket", "path": "/"}, receive, send))
    assert sent == ["websocket.close"]


@pytest.mark.django_db(transaction=True)
def test_stored_pages_are_answered_without_django(settings, tmp_path, newsroom):
    """With the real application: the first request renders and stores the page (in a
    thread); later ones, with or without validators, never enter Django; a signed-in
    editor's request always does."""
    from django.core.signals import request_started

    from dateline.pagestore.store import get_store
    from dateline.pagestore.wsgi import PageStoreApp
    from dateline.wsgi import application

    settings.DATELINE = {**settings.DATELINE, "PAGE_STORE": {
        **settings.DATELINE["PAGE_STORE"], "ENABLED": True, "OPTIONS": {},
        "BACKEND": "dateline.pagestore.backends.files.FileStore", "LOCATION": str(tmp_path / "pages")}}
    get_store().clear()
    assert isinstance(application, PageStoreApp)
    front = Front(PageStoreApp(application.app), threads=2, max_request_bytes=1000)
    entered = []

    def count(**kwargs):
        entered.append(threading.current_thread().name)

    request_started.connect(count)
    try:
        host = [("Host", "testserver")]
        status, headers, first, _ = call(front, scope("/", headers=host))
        assert status == 200 and headers["x-page-store"] == "miss" and entered  # the page and its fragments
        rendered = len(entered)
        status, headers, again, _ = call(front, scope("/", headers=host))
        assert status == 200 and headers["x-page-store"] == "hit" and again == first
        etag = headers["etag"]
        status, headers, body, _ = call(front, scope("/", headers=[*host, ("If-None-Match", etag)]))
        assert (status, body) == (304, b"")
        status, headers, body, _ = call(front, scope("/", method="HEAD", headers=host))
        assert status == 200 and body == b"" and int(headers["content-length"]) == len(first)
        status, headers, gz, _ = call(front, scope("/", headers=[*host, ("Accept-Encoding", "gzip")]))
        assert headers["content-encoding"] == "gzip" and gzip.decompress(gz) == first
        assert len(entered) == rendered  # none of these entered Django
        before = len(entered)
        status, headers, _, _ = call(front, scope("/", headers=[*host, ("Cookie", "sessionid=abc")]))
        assert status == 200 and "x-page-store" not in headers and len(entered) == before + 1
    finally:
        request_started.disconnect(count)
