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


def analyse(body_html: str) -> tuple[str, list[int]]:
    """(plain text, offsets just after each top-level block) of sanitised HTML."""
    parser = _TextAndBlocks()
    parser.feed_source(body_html)
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r"\s*\n\s*", "\n", text).strip()
    return text, parser.block_ends


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
    counts = Counter(
        word for word in _WORD.findall(text)
        if len(word) > 2 and word not in STOPWORDS and not word.isdigit()
    )
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, _ in ranked[:limit]]


def paragraphs_to_html(paragraphs: list[str]) -> str:
    """Plain-text paragraphs as HTML paragraphs (escaped)."""
    return "".join(f"<p>{html.escape(p.strip(), quote=False)}</p>" for p in paragraphs if p.strip())
