"""A tiny WSGI client for the page store's server, and the fresh renders it is checked against."""

import gzip
from io import BytesIO
from wsgiref.util import setup_testing_defaults

from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from dateline.pagestore.middleware import INTERNAL, MODE
from dateline.pagestore.wsgi import BYPASS


class Response:
    def __init__(self, status, headers, body):
        self.status = int(status.split()[0])
        self.headers = {}
        for name, value in headers:
            self.headers[name.lower()] = value
        self.raw = body

    def __getitem__(self, name):
        return self.headers[name.lower()]

    def get(self, name, default=None):
        return self.headers.get(name.lower(), default)

    @property
    def body(self) -> bytes:
        if self.get("Content-Encoding") == "gzip":
            return gzip.decompress(self.raw)
        return self.raw

    @property
    def text(self) -> str:
        return self.body.decode()


class WSGIClient:
    """Calls a WSGI application the way a server would, in this thread.

    Like Django's test client it keeps Django from closing the test's database
    connection at the end of each request.
    """

    def __init__(self, app):
        self.app = app

    def request(self, path, method="GET", headers=None, environ=None):
        path, _, query = path.partition("?")
        env = {"PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": method,
               "wsgi.input": BytesIO(b"")}
        for name, value in (headers or {}).items():
            env["HTTP_" + name.upper().replace("-", "_")] = value
        env.update(environ or {})
        setup_testing_defaults(env)
        captured = []

        def start_response(status, response_headers, exc_info=None):
            captured[:] = [status, response_headers]
            return chunks.append

        chunks = []
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            result = self.app(env, start_response)
            try:
                chunks.extend(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return Response(captured[0], captured[1], b"".join(chunks))

    def get(self, path, **headers):
        return self.request(path, headers={k.replace("_", "-"): v for k, v in headers.items()})

    def fresh(self, path):
        """The page as Django renders it right now, inline, with the store bypassed."""
        return self.request(path, environ={BYPASS: True})

    def fresh_entry(self, key):
        """What Django renders for store key ``key`` right now, in store mode, storing nothing."""
        internal = key.startswith("/_fragment/")
        return WSGIClient(self.app.app).request(key, environ={MODE: "render", INTERNAL: internal})
