"""Reading files from outside: size limits, wrong encodings, and XML that cannot hurt us.

Every XML document ingest reads goes through ``XMLStream`` or ``parse_bytes``:
lxml (libxml2, in C: a 500 MB export streams in seconds) with entities never
resolved, no network, no DTD loaded, and the default limits on tree size —
and then any document that has a DTD at all is refused. No WordPress export,
feed or NewsML-G2 item needs one, and refusing it closes entity bombs
("billion laughs"), external entities (reading local files) and network
fetches in one rule.

Before the parser sees a byte, ``Transcoder`` turns the input into clean
UTF-8: it honours a BOM or the declared encoding, reads bytes that are not
valid UTF-8 in a "UTF-8" file as Windows-1252 (the usual mix in old
WordPress databases), and drops control characters XML forbids, so one bad
byte does not stop a 100,000-post export.
"""

import codecs
import io
import json
import os
import re
from lxml import etree

from .errors import UnreadableFile, UnsafeXML

MB = 1024 * 1024
MAX_EXPORT_BYTES = 512 * MB  # a WordPress export, streamed
MAX_ITEM_BYTES = 5 * MB  # one page, one wire file, one feed

_PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                       remove_comments=True, remove_pis=True)
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"'][^>]*\?>")
_DECLARATION_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CHAR_REF = re.compile(r"&#(x[0-9a-fA-F]{1,8}|[0-9]{1,10});")
_ESCAPED = re.compile("[\udc80-\udcff]")
# Bytes Windows-1252 leaves undefined; read as their Latin-1 selves.
_CP1252_HOLES = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
# Names under which files declare Latin-1 while they are, in practice, Windows-1252.
_LATIN1_NAMES = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "windows-1252", "cp1252"}


def _legal(codepoint: int) -> bool:
    return codepoint in (0x9, 0xA, 0xD) or 0x20 <= codepoint <= 0xD7FF or 0xE000 <= codepoint <= 0xFFFD or (
        0x10000 <= codepoint <= 0x10FFFF
    )


def _drop_illegal_reference(match):
    ref = match.group(1)
    try:
        codepoint = int(ref[1:], 16) if ref[0] in "xX" else int(ref)
    except ValueError:
        return ""
    return match.group(0) if _legal(codepoint) else ""


def _byte_as_cp1252(byte: int) -> str:
    return bytes([byte]).decode("latin-1" if byte in _CP1252_HOLES else "cp1252")


def check_size(path, limit: int, what: str = "file") -> int:
    """The size of ``path``; a clear error when it is missing, not a file or too large."""
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise UnreadableFile(f"{path}: no such file") from None
    except OSError as exc:
        raise UnreadableFile(f"{path}: cannot be read ({exc.strerror})") from None
    if not os.path.isfile(path):
        raise UnreadableFile(f"{path}: not a file")
    if size > limit:
        raise UnreadableFile(f"{path}: {size / MB:.1f} MB is larger than the {limit // MB} MB allowed for a {what}")
    return size


def read_limited(path, limit: int = MAX_ITEM_BYTES, what: str = "file") -> bytes:
    check_size(path, limit, what)
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise UnreadableFile(f"{path}: cannot be read ({exc.strerror})") from None
    if len(data) > limit:
        raise UnreadableFile(f"{path}: larger than the {limit // MB} MB allowed for a {what}")
    return data


class Transcoder:
    """A binary file-like object that serves ``raw`` as clean UTF-8 XML.

    ``repaired`` counts the bytes that were not valid in the file's encoding
    and were read as Windows-1252 instead.
    """

    CHUNK = 256 * 1024

    def __init__(self, raw, name: str, limit: int):
        self.raw, self.name, self.limit = raw, name, limit
        self.seen = 0
        self.repaired = 0
        self._decoder = None
        self._pending = ""
        self._first = True
        self._done = False

    def _start(self, head: bytes) -> bytes:
        if head.startswith(codecs.BOM_UTF8):
            return self._use("utf-8", head[len(codecs.BOM_UTF8):])
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
            return self._use("utf-16" if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else
                             ("utf-16-le" if head[0] == 0x3C else "utf-16-be"), head)
        declared = _DECLARATION.match(head[:500])
        name = declared.group(1).decode("ascii").lower() if declared else "utf-8"
        if name in _LATIN1_NAMES:
            return self._use("cp1252", head)
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            raise UnreadableFile(f"{self.name}: declares the unknown encoding {name!r}") from None
        return self._use(codec, head)

    def _use(self, codec: str, data: bytes) -> bytes:
        if codec == "cp1252":
            self._decoder = _Cp1252Decoder()
        else:
            # surrogateescape keeps each undecodable byte, to be read as Windows-1252 in _clean.
            self._decoder = codecs.getincrementaldecoder(codec)(errors="surrogateescape")
        return data

    def _clean(self, text: str) -> str:
        if self._first:
            self._first = False
            text = text.lstrip("\ufeff \t\r\n")
            # The bytes are re-encoded as UTF-8, so the declaration must say so.
            text = _DECLARATION_TEXT.sub('<?xml version="1.0" encoding="UTF-8"?>', text, count=1)
        found = _ESCAPED.findall(text)
        if found:
            self.repaired += len(found)
            text = _ESCAPED.sub(lambda m: _byte_as_cp1252(ord(m.group(0)) - 0xDC00), text)
        text = _FORBIDDEN_CHARS.sub("", text)
        return _CHAR_REF.sub(_drop_illegal_reference, text)

    def read(self, size: int = -1) -> bytes:
        while not self._done:
            chunk = self.raw.read(self.CHUNK)
            self.seen += len(chunk)
            if self.seen > self.limit:
                raise UnreadableFile(f"{self.name}: larger than the {self.limit // MB} MB allowed")
            if self._decoder is None:
                chunk = self._start(chunk)
            text = self._pending + self._decoder.decode(chunk, final=not chunk)
            self._pending = ""
            if chunk:
                # A character reference cut in two by the chunk boundary waits for its end.
                amp = text.rfind("&", max(0, len(text) - 16))
                if amp != -1 and ";" not in text[amp:]:
                    text, self._pending = text[:amp], text[amp:]
            else:
                self._done = True
            if text:
                return self._clean(text).encode("utf-8")
        return b""


class _Cp1252Decoder:
    """Windows-1252 without failing on its five undefined bytes (the stdlib codec refuses them)."""

    def decode(self, data: bytes, final: bool = False) -> str:
        return "".join(_byte_as_cp1252(b) for b in data) if any(b in _CP1252_HOLES for b in data) else data.decode(
            "cp1252"
        )


def _unsafe(name: str) -> UnsafeXML:
    return UnsafeXML(
        f"{name}: refused: the file declares a DTD or entities (<!DOCTYPE …>), which could expand "
        "without limit or read local files; nothing was imported"
    )


def _refuse_dtd(elem, name: str) -> None:
    info = elem.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.system_url:
        raise _unsafe(name)


def _explain(exc: etree.XMLSyntaxError, name: str) -> UnreadableFile:
    reason = (exc.msg or str(exc)).split(", line")[0]
    if re.search(r"amplification|reference loop|entities.*exceed", reason, re.I):
        # libxml2 may stop an entity bomb in the DTD before the first element is seen.
        return _unsafe(name)
    line, column = exc.position if exc.position else (0, 0)
    return UnreadableFile(f"{name}: not well-formed XML at line {line}, column {column} ({reason})")


class XMLStream:
    """``(event, element)`` pairs from the XML file at ``path``, safely and in constant memory.

    ``tag`` limits the events to those elements (lxml's filter, in C; ``{*}name``
    matches any namespace). Iterate once; the caller removes elements it has
    handled. After iterating, ``repaired`` says how many bytes were mended.
    """

    def __init__(self, path, events=("start", "end"), limit: int = MAX_EXPORT_BYTES, what: str = "file", tag=None):
        self.path, self.events, self.limit, self.tag = path, events, limit, tag
        self.repaired = 0
        check_size(path, limit, what)

    def __iter__(self):
        name = str(self.path)
        try:
            raw = open(self.path, "rb")
        except OSError as exc:
            raise UnreadableFile(f"{name}: cannot be read ({exc.strerror})") from None
        with raw:
            source = Transcoder(raw, name, self.limit)
            checked = False
            parser = etree.iterparse(source, events=self.events, tag=self.tag, **_PARSER_OPTIONS)
            try:
                for event, elem in parser:
                    if not checked:  # the DOCTYPE, if any, comes before the first element
                        _refuse_dtd(elem, name)
                        checked = True
                    yield event, elem
                if parser.root is not None:
                    _refuse_dtd(parser.root, name)
            except etree.XMLSyntaxError as exc:
                raise _explain(exc, name) from None
            finally:
                self.repaired = source.repaired


def parse_bytes(data: bytes, name: str, limit: int = MAX_ITEM_BYTES):
    """The root element of a small XML document, parsed under the same rules."""
    if len(data) > limit:
        raise UnreadableFile(f"{name}: larger than the {limit // MB} MB allowed")
    source = Transcoder(io.BytesIO(data), name, limit)
    clean = b"".join(iter(source.read, b""))
    try:
        # fromstring, not the feed interface: libxml2's feed parser reports every error as "no element found".
        root = etree.fromstring(clean, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise _explain(exc, name) from None
    _refuse_dtd(root, name)
    return root


def decode_text(data: bytes) -> str:
    """Bytes of a text or HTML page as str: BOMs honoured, UTF-8 first, stray bytes read as Windows-1252."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            if codec == "utf-8":
                data = data[len(bom):]
                break
            return data.decode(codec, errors="replace")
    text = data.decode("utf-8", errors="surrogateescape")
    return _ESCAPED.sub(lambda m: _byte_as_cp1252(ord(m.group(0)) - 0xDC00), text)


def load_json(data: bytes, name: str):
    """JSON from bytes in whatever encoding they came; a clear error when it is not JSON."""
    if len(data) > MAX_ITEM_BYTES:
        raise UnreadableFile(f"{name}: larger than the {MAX_ITEM_BYTES // MB} MB allowed")
    try:
        return json.loads(decode_text(data))
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"{name}: not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg})") from None
    except RecursionError:
        raise UnreadableFile(f"{name}: JSON nested too deeply") from None
