"""Fetching pages and feeds, with the transport handed in by the caller.

The shape follows httpx: a ``Client`` does the policy (schemes, redirects,
size limits, refusing private addresses for user-typed URLs) and a
``Transport`` with one method, ``handle(request) -> Response``, does the I/O.
Production uses ``UrllibTransport`` (the stdlib); tests pass a transport that
serves fixture bytes, so they run without a network.
"""

import ipaddress
import socket
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from .errors import FetchError
from .safexml import MAX_ITEM_BYTES, MB

USER_AGENT = "Dateline-ingest/1.0 (+https://github.com/dateline)"


@dataclass
class Request:
    method: str
    url: str
    headers: dict = field(default_factory=dict)


@dataclass
class Response:
    status: int
    url: str
    headers: dict = field(default_factory=dict)  # names in lower case
    content: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class Transport:
    """Sends one request and returns the response as it came: no redirects followed."""

    def handle(self, request: Request) -> Response:
        raise NotImplementedError


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the Client follows redirects itself, checking every hop


class UrllibTransport(Transport):
    def __init__(self, timeout: float = 20.0, max_bytes: int = MAX_ITEM_BYTES):
        self.timeout, self.max_bytes = timeout, max_bytes
        self._opener = urllib.request.build_opener(_NoRedirects)

    def handle(self, request: Request) -> Response:
        req = urllib.request.Request(request.url, method=request.method, headers=request.headers)
        try:
            with self._opener.open(req, timeout=self.timeout) as r:
                return self._response(r.status, r.geturl(), r.headers, r)
        except urllib.error.HTTPError as exc:
            return self._response(exc.code, request.url, exc.headers, exc)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FetchError(f"{request.url}: {reason}") from None

    def _response(self, status, url, headers, body) -> Response:
        # Read one byte past the limit, and inflate with a cap: neither a huge
        # body nor a small gzip bomb can fill the memory.
        data = body.read(self.max_bytes + 1) if body else b""
        if len(data) > self.max_bytes:
            raise FetchError(f"{url}: larger than the {self.max_bytes // MB} MB allowed")
        names = {k.lower(): v for k, v in (headers or {}).items()}
        if names.get("content-encoding", "").lower() in ("gzip", "x-gzip") and data:
            data = _gunzip(data, self.max_bytes, url)
            names.pop("content-encoding")
        return Response(status=status, url=url, headers=names, content=data)


def _gunzip(data: bytes, limit: int, url: str) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error:
        raise FetchError(f"{url}: the compressed body is damaged") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise FetchError(f"{url}: larger than the {limit // MB} MB allowed once decompressed")
    return out


def _is_public(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return True  # the transport reports the failure in its own words
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            return False
    return True


class Client:
    """GETs a URL through ``transport``: http(s) only, at most ``max_redirects`` hops.

    ``allow_private=False`` refuses hosts that resolve to loopback, private or
    link-local addresses, at every hop: a URL typed into the desk must not
    reach the machine's own services.
    """

    def __init__(self, transport: Transport | None = None, *, allow_private: bool = True, max_redirects: int = 5,
                 user_agent: str = USER_AGENT):
        self.transport = transport or UrllibTransport()
        self.allow_private = allow_private
        self.max_redirects = max_redirects
        self.user_agent = user_agent

    def get(self, url: str, headers: dict | None = None) -> Response:
        sent = {"User-Agent": self.user_agent, "Accept-Encoding": "gzip", **(headers or {})}
        for _ in range(self.max_redirects + 1):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchError(f"{url}: only http and https addresses can be fetched")
            if not self.allow_private and not _is_public(parts.hostname):
                raise FetchError(f"{url}: refused: the address is on a private or local network")
            response = self.transport.handle(Request("GET", url, dict(sent)))
            if response.status in (301, 302, 303, 307, 308) and response.headers.get("location"):
                url = urljoin(url, response.headers["location"])
                continue
            return response
        raise FetchError(f"{url}: more than {self.max_redirects} redirects")

    def get_ok(self, url: str, headers: dict | None = None) -> Response:
        """Like ``get``, but anything other than 200 is a ``FetchError``."""
        response = self.get(url, headers)
        if response.status != 200:
            raise FetchError(f"{url}: the server answered {response.status}")
        return response

