"""uvicorn's HTTP protocol (httptools), answering stored pages as soon as their
headers are read.

For a GET or HEAD that the page store can answer as it stands
(``PageStoreApp.ready_answer``: no ORM, no templates), the whole response —
status line, headers, body — goes out in one write, without an ASGI task, so a
stored page costs about what parsing the request costs. Anything else (a page
not stored, a body, an upgrade, a request queued behind a slower one on the
same connection) takes uvicorn's own path to ``Front``, unchanged.

This leans on uvicorn's ``HttpToolsProtocol`` internals (``cycle``,
``pipeline``, ``on_response_complete``), so pyproject pins uvicorn to the
versions tested here; ``test_server.py`` drives it over real sockets.
"""

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class _NoWaiter:
    def set(self):
        pass


class _Answered:
    """Stands in for the request cycle of a request answered here: it is complete,
    so uvicorn's body, message and connection-lost callbacks for that request do
    nothing (they read ``response_complete`` and set ``message_event``)."""

    response_complete = True
    more_body = False
    disconnected = False
    keep_alive = True
    body = b""
    message_event = _NoWaiter()


_ANSWERED = _Answered()


def protocol_for(front):
    """The protocol class for a worker whose application is ``front`` (a ``Front``)."""

    class StoredPagesProtocol(HttpToolsProtocol):
        def on_headers_complete(self) -> None:
            if self._answer_stored():
                return
            super().on_headers_complete()

        def _answer_stored(self) -> bool:
            parser = self.parser
            method = parser.get_method()
            if method not in (b"GET", b"HEAD") or self.pipeline or parser.should_upgrade():
                return False
            if self.cycle is not None and not self.cycle.response_complete:
                return False  # a request before this one is still being answered
            for name, _ in self.headers:
                if name in (b"content-length", b"transfer-encoding", b"expect"):
                    return False  # a body to read: uvicorn's path
            url = httptools.parse_url(self.url)
            scope = {"method": method.decode("ascii"), "raw_path": url.path, "path": "",
                     "query_string": url.query or b"", "headers": self.headers,
                     "server": self.server, "scheme": self.scheme}
            answer = front.ready(front.ready_environ(scope))
            if answer is None:
                return False
            status, headers, body = answer
            version = parser.get_http_version()
            keep_alive = version != "1.0" and parser.should_keep_alive()
            out = [b"HTTP/1.1 ", status.encode("latin-1"), b"\r\n"]
            for name, value in self.server_state.default_headers:
                out += [name, b": ", value, b"\r\n"]
            for name, value in headers:
                out += [name.encode("latin-1"), b": ", value.encode("latin-1"), b"\r\n"]
            if not keep_alive:
                out.append(b"Connection: close\r\n")
            out.append(b"\r\n")
            if method == b"GET":
                out.append(body)
            self.transport.write(b"".join(out))
            self.cycle = _ANSWERED
            if keep_alive:
                self.on_response_complete()
            else:
                self.server_state.total_requests += 1
                self.transport.close()
            return True

    return StoredPagesProtocol
