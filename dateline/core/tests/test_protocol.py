"""dateline/core/protocol.py inside a real uvicorn server on a real socket: stored
answers go out straight from the protocol, everything else through the ASGI
front and the WSGI application, in order, on one connection."""

import asyncio
import logging
import socket
import threading
import time

import pytest
import uvicorn

from dateline.core.asgi import Front
from dateline.core.protocol import protocol_for

from .test_server import exchange


class Store:
    """A WSGI application with a ready answer for /stored/ (as PageStoreApp has for
    stored pages), counting the requests that reach it as WSGI calls."""

    def __init__(self):
        self.calls, self.ready_calls = [], 0

    def ready_answer(self, environ):
        self.ready_calls += 1
        if environ["PATH_INFO"] != "/stored/" or environ.get("QUERY_STRING"):
            return None
        body = b"stored page" if environ["REQUEST_METHOD"] == "GET" else b""
        return "200 OK", [("Content-Type", "text/plain"), ("Content-Length", "11"), ("X-Page-Store", "hit")], body

    def __call__(self, environ, start_response):
        self.calls.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], environ["wsgi.input"].read()))
        if environ["PATH_INFO"] == "/slow/":
            time.sleep(0.3)  # answered after the requests queued behind it arrived
        body = f"app {environ['REQUEST_METHOD']} {environ['PATH_INFO']}".encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]


class CountingFront(Front):
    asgi_calls = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.asgi_calls += 1
        return await super().__call__(scope, receive, send)


@pytest.fixture
def served():
    app = Store()
    front = CountingFront(app, threads=2, max_request_bytes=1000)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(front, http=protocol_for(front), loop="asyncio", lifespan="off",
                            log_level="warning", timeout_keep_alive=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    app.front = front
    yield port, app
    server.should_exit = True
    thread.join(10)
    sock.close()


def get(path, method="GET", *headers):
    return ("\r\n".join([f"{method} {path} HTTP/1.1", "Host: x", *headers]) + "\r\n\r\n").encode()


def test_stored_answers_skip_the_application_and_keep_their_order(served):
    port, app = served
    raw = (get("/stored/") + get("/slow/") + get("/stored/") + get("/stored/", "HEAD") + get("/other/")
           + get("/stored/?x=1") + get("/stored/"))
    answers = exchange(port, raw, "GET GET GET HEAD GET GET GET")
    assert [(s, b) for s, _, b in answers] == [
        (200, b"stored page"), (200, b"app GET /slow/"), (200, b"stored page"), (200, b""),
        (200, b"app GET /other/"), (200, b"app GET /stored/"), (200, b"stored page")]
    assert answers[0][1]["x-page-store"] == "hit" and answers[0][1]["date"]
    assert answers[3][1]["content-length"] == "11"
    # Only what the store could not answer became a WSGI call, and the stored answers
    # that were not queued behind /slow/ never became an ASGI call either.
    assert [c[1] for c in app.calls] == ["/slow/", "/other/", "/stored/"]
    assert app.front.asgi_calls <= 6


def test_closing_a_connection_after_a_stored_answer_is_clean(served, caplog):
    """uvicorn's connection-lost callback runs on what this protocol left as the cycle."""
    port, app = served
    caplog.set_level(logging.WARNING)
    for _ in range(3):
        answers = exchange(port, get("/stored/") + get("/stored/"), "GET GET")
        assert [b for _, _, b in answers] == [b"stored page", b"stored page"]
    time.sleep(0.3)  # the server sees the connections close
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], [r.getMessage() for r in caplog.records]


def test_requests_with_a_body_or_http_1_0_are_handled_properly(served):
    port, app = served
    # A GET with a body (meaningless, but legal): its body is read, not taken for the next request.
    raw = (b"GET /stored/ HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" + get("/stored/")
           + b"POST /stored/ HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz" + get("/stored/"))
    answers = exchange(port, raw, "GET GET POST GET")
    assert [(s, b) for s, _, b in answers] == [
        (200, b"stored page"), (200, b"stored page"), (200, b"app POST /stored/"), (200, b"stored page")]
    assert app.calls[-1] == ("POST", "/stored/", b"xyz")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /stored/ HTTP/1.0\r\n\r\n")
        data = b""
        while chunk := sock.recv(4096):  # HTTP/1.0 without keep-alive: the server closes
            data += chunk
    assert data.startswith(b"HTTP/1.1 200 OK\r\n") and data.endswith(b"stored page")
    assert b"Connection: close" in data
    # keep-alive goes on after a stored answer, and stored answers never enter ASGI
    before = app.front.asgi_calls
    answers = exchange(port, get("/stored/") + get("/stored/") + get("/x/"), "GET GET GET")
    assert [b for _, _, b in answers] == [b"stored page", b"stored page", b"app GET /x/"]
    assert app.front.asgi_calls == before + 1
