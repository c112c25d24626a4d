"""Plain functions that turn a story's body into what readers are shown.

All of them run at write time (see ``Story.derive``); reads use the stored
results.
"""

import html
import math
import re
from collections import Counter
from html.parser import HTMLParser

import nh3

# What a writer may put in a story body. Everything else (script, style,
# event-handler attributes, iframes, forms) is dropped on save.
ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "a", "ul", "ol", "li", "blockquote", "figure", "figcaption", "img", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "abbr", "cite", "q",
    "code", "pre", "mark", "small", "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start", "reversed"},
    "blockquote": {"cite"},
    "q": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Top-level blocks that count as paragraphs when placing "Also read".
BLOCKS = {"p", "h2", "h3", "h4", "ul", "ol", "blockquote", "figure", "table", "pre", "hr"}

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own said same says she should so some such than that the
    their theirs them themselves then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves new one two three year years last week told mr ms per cent
    percent would could like since many much may might must still even well back first""".split()
)

_POSSESSIVE = re.compile(r"'s\b")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


def sanitize(body: str) -> str:
    """The allow-listed form of ``body``; safe to show to readers as is."""
    return nh3.clean(
        body or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


class _TextAndBlocks(HTMLParser):
    """Collects the text of an HTML fragment and where its top-level blocks end."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.depth = 0
        self.block_ends: list[int] = []  # character offsets into the source
        self._line_offsets = [0]

    def feed_source(self, source: str):
        offset = 0
        for line in source.splitlines(keepends=True):
            offset += len(line)
            self._line_offsets.append(offset)
        self.feed(source)
        self.close()

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_offsets[line - 1] + col

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS and tag != "hr":
            self.depth += 1
        if tag in BLOCKS or tag == "br":
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag == "hr" and self.depth == 0:
            self.block_ends.append(self._offset() + len(self.get_starttag_text() or ""))

    def handle_endtag(self, tag):
        if tag in BLOCKS and tag != "hr":
            self.depth = max(0, self.depth - 1)
            self.parts.append("\n")
            if self.depth == 0:
                self.block_ends.append(self._offset() + len(f"</{tag}>"))

    def handle_data(self, data):
        self.parts.append(data)


# Sanitised bodies (nh3's serialisation) are regular: lower-case allow-listed tags, every attribute
# written name="value", no comments, every "<" of the text escaped. Such a body is read with one
# regular expression, several times faster than the HTML parser, and gives the same result; any body
# outside that form (or with line breaks other than "\n", where the parser's line-and-column
# positions differ from the offsets) goes through _TextAndBlocks.
_REGULAR_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)((?: [a-z][-a-z0-9_:.]*="[^"]*")*)>')
_OTHER_LINE_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_VOID = frozenset({"br", "hr", "img"})
_SPACES = re.compile(r"[ \t\r\f\v]{2,}|[\t\r\f\v]")


def _analyse_regular(body_html: str):
    """``_TextAndBlocks``'s parts and block ends for a body in the regular form; None for any other."""
    if _OTHER_LINE_BREAKS.search(body_html):
        return None
    unescape = html.unescape
    parts, ends, depth, at = [], [], 0, 0
    for match in _REGULAR_TAG.finditer(body_html):
        start = match.start()
        if start > at:
            chunk = body_html[at:start]
            if "<" in chunk:
                return None
            parts.append(unescape(chunk) if "&" in chunk else chunk)
        closing, tag, attrs = match.groups()
        if tag not in ALLOWED_TAGS:
            return None
        if closing:
            if attrs or tag in _VOID:
                return None
            if tag in BLOCKS:
                depth = max(0, depth - 1)
                parts.append("\n")
                if depth == 0:
                    ends.append(match.end())
        elif tag in BLOCKS:
            if tag != "hr":  # <hr> opens nothing; only <hr/>, never written by nh3, ends a block
                depth += 1
            parts.append("\n")
        elif tag == "br":
            parts.append("\n")
        at = match.end()
    chunk = body_html[at:]
    if "<" in chunk:
        return None
    parts.append(unescape(chunk) if "&" in chunk else chunk)
    return parts, ends


def analyse(body_html: str) -> tuple[str, list[int]]:
    """(plain text, offsets just after each top-level block) of sanitised HTML."""
    found = _analyse_regular(body_html)
    if found is None:
        parser = _TextAndBlocks()
        parser.feed_source(body_html)
        found = parser.parts, parser.block_ends
    parts, block_ends = found
    # Each run of spaces and tabs is one space (a lone space, most of them, is left as it is), and
    # each run of white space that holds a line break is one line break, with no white space at
    # either end: what re.sub(r"[ \t\r\f\v]+", " ") and then re.sub(r"\s*\n\s*", "\n").strip()
    # make, in a tenth of the time.
    text = _SPACES.sub(" ", "".join(parts))
    return "\n".join(filter(None, map(str.strip, text.split("\n")))), block_ends


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def reading_minutes(word_count: int, words_per_minute: int = 230) -> int:
    """Whole minutes to read ``word_count`` words; never less than one."""
    return max(1, math.ceil(word_count / words_per_minute))


def excerpt(text: str, limit: int = 200) -> str:
    """The opening of ``text`` cut at a word boundary, at most ``limit`` characters."""
    first = next((line for line in text.split("\n") if line.strip()), "").strip()
    if len(first) <= limit:
        return first
    cut = first[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(",;:–—- ") + "…"


def keywords(text: str, limit: int = 40) -> list[str]:
    """The most frequent meaningful words of ``text``, most frequent first."""
    text = _POSSESSIVE.sub("", text.lower().replace("’", "'"))
    counts = Counter(_WORD.findall(text))
    # Each distinct word is tested once, not each occurrence.
    for word in [w for w in counts if len(w) <= 2 or w in STOPWORDS or w.isdigit()]:
        del counts[word]
    # Alphabetical, then by count, highest first: a stable sort keeps ties alphabetical.
    return sorted(sorted(counts), key=counts.__getitem__, reverse=True)[:limit]


def paragraphs_to_html(paragraphs: list[str]) -> str:
    """Plain-text paragraphs as HTML paragraphs (escaped)."""
    return "".join(f"<p>{html.escape(p.strip(), quote=False)}</p>" for p in paragraphs if p.strip())
