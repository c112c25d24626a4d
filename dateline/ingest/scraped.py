"""Reading a news page that was scraped as plain text, site chrome and all.

A scraped page reads top to bottom as: navigation, a date line, a reading
time ("1 min read"), the headline, perhaps a byline, the body, then the
site's chrome: "Previous Story"/"Next Story" with a headline each, "Latest
from …" and "Don't Miss" with their teasers, "Go to Top", share buttons.
Inside the body sit lines that are chrome too ("ALSO READ: …").

The rules, line by line:

- the date line is the first line near the top that is a date and little
  else ("January 27, 2022", "Published 27 Jan 2022, 10:30 IST");
- the headline is the first substantial line after it (or, when what follows
  the date is already a long paragraph, the substantial line before it);
- the body runs from after the headline to the first end marker, without
  the chrome lines in between;
- a byline ("By Jane Doe") near the headline is the author.

The same filters clean the text trafilatura extracts from HTML pages
(``pages.extract_html``), which keeps reading times and "ALSO READ" lines.
"""

import re
from dataclasses import dataclass, field
from datetime import date as Date

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|" \
         r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DATES = [
    (re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", re.I), ("m", "d", "y")),
    (re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(\d{4})", re.I), ("d", "m", "y")),
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), ("y", "mn", "d")),
]
# What may stand beside a date on a date line.
_DATE_FILLER = re.compile(
    r"\b(published|posted|updated|last updated|on|at|date|(mon|tues|wednes|thurs|fri|satur|sun)day|mon|tue|wed|"
    r"thu|fri|sat|sun|am|pm|a\.m\.|p\.m\.|ist|gmt|utc|bst|cet|cest|est|edt|pst|pdt|pkt|gst)\b|\d{1,2}[:.]\d{2}|"
    r"[|•·,:–—\-/()]", re.I)

READING_TIME = re.compile(r"^(?:reading time:?\s*)?\d+\s*(?:min|mins|minute|minutes)\.?(?:\s+(?:read|reading))?$", re.I)
BYLINE = re.compile(r"^(?:by|written by|words by|reporting by|author:?)\s+(.{2,80})$", re.I)

# Lines that end the body: what follows them is the site's, not the story's.
END_MARKERS = re.compile(
    r"^(?:(?:previous|next|prev)\s+(?:story|post|article)|latest\s+(?:from|in|news|stories)\b.*|"
    r"don['’`]?t\s+miss(?:\s+it)?|go\s*to\s*top|back\s+to\s+top|related(?:\s+(?:stories|posts|articles|news))?|"
    r"more\s+(?:from|in|on|stories|news)\b.*|you\s+(?:may|might)\s+also\s+like|recommended(?:\s+for\s+you)?|"
    r"most\s+(?:read|popular|viewed|shared)|trending(?:\s+now)?|read\s+next|leave\s+a\s+(?:reply|comment)|"
    r"\d*\s*comments?|about\s+the\s+author|filed\s+under:?.*|tags?:.*|share\s+this(?:\s+(?:article|story|post))?:?|"
    r"subscribe\s+to\s+our\s+newsletter.*|sign\s+up\s+for\s+our\s+newsletter.*)$",
    re.I,
)
# Lines removed wherever they are.
_SHARE_WORD = r"(?:share|tweet|pin(?:\s+it)?|e-?mail|print|whatsapp|facebook|twitter|x|linkedin|telegram|reddit|" \
              r"copy\s+link|share\s+on\s+\w+|share\s+via\s+\w+)"
CHROME_LINES = [
    READING_TIME,
    re.compile(r"^(?:also\s+read|read\s+also|read\s+more|see\s+also|also\s+see|must\s+read|related|recommended|"
               r"watch|listen|also\s+watch)\s*[:：|–—-]\s*\S.*$", re.I),
    re.compile(rf"^{_SHARE_WORD}(?:\s*[|,•·/]?\s*{_SHARE_WORD})*$", re.I),
    re.compile(r"^(?:home|menu|search|skip\s+to\s+(?:main\s+)?content|log\s*in|sign\s*in|subscribe|close|"
               r"advertisement|advert|sponsored(?:\s+content)?|scroll\s+to\s+continue(?:\s+with\s+content)?|"
               r"go\s*to\s*top|back\s+to\s+top|top)$", re.I),
    re.compile(r"^home\s*[»›>/|].*$", re.I),  # a breadcrumb
    re.compile(r"^click\s+here\b.*$", re.I),
]
_REPORTS = re.compile(r"(?:…|\.\.\.|—|–|-)\s*reports\s+((?:[A-Z][\w&.'’-]*\s?){1,6})\s*\.?$")


def clean(line: str) -> str:
    return " ".join(line.replace("\u00a0", " ").replace("\u200b", "").split())


def parse_date(line: str) -> Date | None:
    """The date in ``line``, if the line has one."""
    for pattern, order in _DATES:
        match = pattern.search(line)
        if not match:
            continue
        parts = dict(zip(order, match.groups()))
        month = int(parts["mn"]) if "mn" in parts else MONTHS.get(parts["m"][:3].lower())
        try:
            return Date(int(parts["y"]), month, int(parts["d"]))
        except (TypeError, ValueError):
            continue
    return None


def date_line(line: str) -> Date | None:
    """The date, when ``line`` is a date line: a date with nothing much else around it."""
    found = parse_date(line)
    if found is None or len(line) > 80:
        return None
    rest = line
    for pattern, _ in _DATES:
        rest = pattern.sub(" ", rest)
    rest = _DATE_FILLER.sub(" ", rest)
    return found if len(rest.split()) <= 1 else None


def byline(line: str) -> str | None:
    match = BYLINE.match(line)
    if not match:
        return None
    name = re.split(r"\s*[|•·]\s*|,\s*(?=\w+\s+\d)|\s+(?:on|at)\s+(?=\w+\s+\d)", match.group(1))[0].strip()
    words = name.split()
    if not 1 <= len(words) <= 6 or not all(w[0].isupper() or w.lower() in ("and", "de", "van", "von", "al")
                                           for w in words):
        return None
    return name


def is_chrome(line: str) -> bool:
    return any(p.match(line) for p in CHROME_LINES)


def is_end(line: str) -> bool:
    return bool(END_MARKERS.match(line))


def substantial(line: str) -> bool:
    return len(line.split()) >= 3 and len(line) >= 15 and not is_chrome(line) and not is_end(line)


def headline_like(line: str) -> bool:
    return len(line.split()) <= 30 and not (line.endswith(".") and len(line.split()) > 20)


@dataclass
class Scraped:
    title: str = ""
    date: Date | None = None
    author: str | None = None
    paragraphs: list = field(default_factory=list)
    publication: str = ""


def _paragraphs(lines: list) -> list:
    """Lines (blank ones included) as paragraphs: a blank line ends one; hard-wrapped lines are joined."""
    blocks, current = [], []
    for line in lines + [""]:
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    out = []
    for block in blocks:
        wrapped = len(block) > 1 and all(40 <= len(line) <= 100 and not line.endswith((".", "!", "?", "”", '"', ":"))
                                         for line in block[:-1])
        out += [" ".join(block)] if wrapped else block
    return out


def body_lines(lines: list, title: str = "") -> tuple[list, dict]:
    """The story's lines out of ``lines`` (which start just after the headline), and what was found on the way.

    Stops at the first end marker once the body has begun; drops chrome lines;
    a byline, date line or reading time just under the headline is taken, not kept.
    """
    found, kept, started, seen = {}, [], False, 0
    for line in lines:
        if not line:
            kept.append("")
            continue
        seen += 1
        if is_end(line):
            if started:
                break
            continue
        if is_chrome(line):
            continue
        if not started and seen <= 4:
            if "author" not in found and byline(line):
                found["author"] = byline(line)
                continue
            if "date" not in found and date_line(line):
                found["date"] = date_line(line)
                continue
            if title and line.casefold() == title.casefold():
                continue
        started = True
        kept.append(line)
    return kept, found


def read(text: str) -> Scraped:
    """Headline, date, author and body paragraphs of a scraped page."""
    lines = [clean(line) for line in (text or "").splitlines()]
    numbered = [(i, line) for i, line in enumerate(lines) if line]
    top = numbered[:30]
    result = Scraped()
    date_at = None
    for i, line in top:
        when = date_line(line)
        if when:
            result.date, date_at = when, i
            break

    def candidates(items):
        for i, line in items:
            if date_line(line) or READING_TIME.match(line):
                continue
            if byline(line):
                result.author = result.author or byline(line)
                continue
            if substantial(line):
                yield i, line

    title_at = None
    if date_at is not None:
        after = next(candidates((i, line) for i, line in numbered if i > date_at), None)
        before = [c for c in candidates((i, line) for i, line in top if i < date_at)]
        if after and headline_like(after[1]):
            title_at, result.title = after
        elif before and headline_like(before[-1][1]):
            title_at, result.title = before[-1]
        elif after:
            title_at, result.title = after
    if title_at is None:
        first = next(candidates(top), None)
        if first:
            title_at, result.title = first
    if title_at is None:
        return result
    kept, found = body_lines(lines[title_at + 1:], result.title)
    result.author = result.author or found.get("author")
    result.date = result.date or found.get("date")
    result.paragraphs = _paragraphs(kept)
    if result.paragraphs:
        match = _REPORTS.search(result.paragraphs[0])
        if match:
            result.publication = match.group(1).strip()
    return result
