"""`dateline serve` at the HTTP level, on a real socket: keep-alive, pipelining,
HEAD, conditional requests, request bodies, and stored pages answered by the
event loop while everything else reaches Django."""

import gzip
import os
import socket
import subprocess
import sys
import time

import pytest

from .test_cli import DATELINE, free_port, run


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("served")
    result = run(["demo"], home)
    assert result.returncode == 0, result.stderr
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({"DATELINE_HOME": str(home), "DATELINE_MAX_REQUEST_BYTES": "100000"})
    proc = subprocess.Popen(DATELINE + ["serve", "--port", str(port), "--workers", "1"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"dateline serve did not start: {proc.stdout.read()}")
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def exchange(port, raw: bytes, methods: str, timeout=10) -> list[tuple[int, dict, bytes]]:
    """Send raw bytes on one connection and read the answers to the requests in it,
    whose methods ``methods`` names in order ("GET HEAD POST")."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        reader = sock.makefile("rb")
        answers = []
        for method in methods.split():
            status = int(reader.readline().split(b" ")[1])
            headers = {}
            while (line := reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = b""
            if method != "HEAD" and status not in (204, 304):
                if headers.get("transfer-encoding") == "chunked":
                    while (size := int(reader.readline().strip(), 16)):
                        body += reader.read(size)
                        reader.readline()
                    reader.readline()
                else:
                    body = reader.read(int(headers.get("content-length", 0)))
            answers.append((status, headers, body))
        return answers


def get(path, *headers):
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_pipelined_requests_are_answered_in_order_on_one_connection(server):
    (status, _, home), = exchange(server, get("/"), "GET")
    assert status == 200
    raw = get("/") + get("/no-such-page-at-all/") + get("/robots.txt") + get("/", "If-None-Match: *") + \
        b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + get("/")
    answers = exchange(server, raw, "GET GET GET GET HEAD GET")
    assert [a[0] for a in answers] == [200, 404, 200, 304, 200, 200]
    assert answers[0][2] == home == answers[5][2]
    assert answers[0][1]["x-page-store"] == "hit"  # answered by the event loop from the store
    assert b"Sitemap:" in answers[2][2]
    assert answers[4][2] == b"" and int(answers[4][1]["content-length"]) == len(home)


def test_conditional_and_compressed_answers(server):
    (status, headers, body), = exchange(server, get("/", "Accept-Encoding: gzip"), "GET")
    assert status == 200 and headers["content-encoding"] == "gzip" and b"</html>" in gzip.decompress(body)
    (status, _, body), = exchange(server, get("/", f"If-None-Match: {headers['etag']}"), "GET")
    assert (status, body) == (304, b"")


def test_signed_in_requests_and_forms_reach_django(server):
    (status, headers, _), = exchange(server, get("/", "Cookie: sessionid=not-a-session"), "GET")
    assert status == 200 and "x-page-store" not in headers
    form = b"username=nobody&password=wrong"
    raw = (b"POST /desk/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
           b"Content-Length: " + str(len(form)).encode() + b"\r\n\r\n" + form) + get("/")
    (status, _, body), (after, _, _) = exchange(server, raw, "POST GET")
    assert status == 403 and b"CSRF" in body  # Django read the form and refused it (no token)
    assert after == 200  # and the connection goes on


def test_a_chunked_body_and_a_body_over_the_limit(server):
    raw = (b"POST /search/ HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"5\r\nhello\r\n0\r\n\r\n") + get("/")
    (status, _, _), (after, _, _) = exchange(server, raw, "POST GET")
    assert status in (403, 405) and after == 200
    big = b"x" * 200_000  # over DATELINE_MAX_REQUEST_BYTES=100000
    raw = b"POST /desk/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 200000\r\n\r\n" + big
    (status, _, body), = exchange(server, raw, "POST")
    assert status == 413 and b"too large" in body


def test_a_malformed_request_gets_400_and_the_server_stays_up(server):
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        sock.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
        answer = sock.recv(100)
    assert answer.startswith(b"HTTP/1.1 400")
    (status, _, _), = exchange(server, get("/"), "GET")
    assert status == 200
