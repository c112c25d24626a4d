"""What a reader typed, turned into words the search backends can trust.

Nothing a reader types reaches a full-text engine as syntax. The text is cut
into words (letters and digits only), "quoted phrases" and word* prefixes;
every other character, including the engines' own operators (AND, OR, NOT,
NEAR, -, :, parentheses, ^, *), is either a plain word or a separator. Each
backend then writes its own query from these parts, quoting every word.
"""

import re
from dataclasses import dataclass

MAX_LENGTH = 1000
# Enough for any real query; bounds the work one request can ask of the engine.
MAX_PARTS = 32
# Shorter prefixes expand to a large part of the vocabulary.
MIN_PREFIX = 3

# Words too common to say anything about a story. PostgreSQL's English
# configuration drops words like these itself; dropping them here too keeps
# both backends answering the same question.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other ought our ours ourselves out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves""".split()
)

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})
# A word may hold apostrophes or hyphens ("council's", "e-mail"); its parts then form a phrase.
_WORD = r"[^\W_]+(?:['\-][^\W_]+)*"
_PART = re.compile(rf'"(?P<phrase>[^"]*)"|(?P<word>{_WORD})(?P<star>\*)?')
_PIECE = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    """One word, or a prefix when ``prefix`` is set (``harb*``)."""

    word: str
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    """Words that must appear together, in this order."""

    words: tuple[str, ...]


@dataclass(frozen=True)
class Query:
    text: str  # what the reader typed, cut to MAX_LENGTH: shown back to them
    parts: tuple  # Term and Phrase, all of which a story must match

    def __bool__(self):
        return bool(self.parts)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean(text) -> str:
    """The reader's text without control characters, single-spaced, at most MAX_LENGTH characters."""
    return " ".join(_CONTROL.sub(" ", str(text or "")).split())[:MAX_LENGTH]


def parse(text) -> Query:
    """The Query a reader meant by ``text``; its ``parts`` are empty if nothing is searchable."""
    text = clean(text)
    # An unmatched quote opens no phrase: the words after it are plain words.
    normalised = text.translate(_QUOTES)
    if normalised.count('"') % 2:
        head, _, tail = normalised.rpartition('"')
        normalised = f"{head} {tail}"
    parts, seen = [], set()
    for match in _PART.finditer(normalised):
        if match["phrase"] is not None:
            words = tuple(w.lower() for w in _PIECE.findall(match["phrase"]))
            part = _single(words) if len(words) == 1 else _phrase(words)
        else:
            words = tuple(w.lower() for w in _PIECE.findall(match["word"]))
            if len(words) > 1:
                part = _phrase(words)
            elif match["star"] and len(words[0]) >= MIN_PREFIX:
                part = Term(words[0], prefix=True)
            else:
                part = _single(words)
        if part is not None and part not in seen:
            seen.add(part)
            parts.append(part)
    return Query(text=text, parts=tuple(parts[:MAX_PARTS]))


def _single(words):
    word = words[0]
    return None if word in STOPWORDS else Term(word)


def _phrase(words):
    return None if all(w in STOPWORDS for w in words) else Phrase(words)
