"""The faster text functions give exactly what the plain versions they replaced gave.

The plain versions are kept here as the reference: ``analyse`` through the
HTML parser for every body and tidying white space with two regular
expressions, ``keywords`` testing each occurrence of a word. They are compared
on bodies the importers really produce and on many random ones, raw and
sanitised, with the odd characters the fast paths must notice.
"""

import random
import re
from collections import Counter
from pathlib import Path

import pytest

from dateline.ingest import wordpress
from dateline.news import text

FIXTURES = Path(__file__).resolve().parents[2] / "ingest" / "tests" / "fixtures"


# -- the reference versions ---------------------------------------------------------------------


def reference_analyse(body_html):
    parser = text._TextAndBlocks()
    parser.feed_source(body_html)
    plain = "".join(parser.parts)
    plain = re.sub(r"[ \t\r\f\v]+", " ", plain)
    plain = re.sub(r"\s*\n\s*", "\n", plain).strip()
    return plain, parser.block_ends


def reference_keywords(value, limit=40):
    value = text._POSSESSIVE.sub("", value.lower().replace("’", "'"))
    counts = Counter(
        word for word in text._WORD.findall(value)
        if len(word) > 2 and word not in text.STOPWORDS and not word.isdigit()
    )
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, _ in ranked[:limit]]


# -- inputs ---------------------------------------------------------------------------------------

WORDS = ("harbour Harbour's council’s budget 2024 of the and Café naïve Ελλάδα Straße İstanbul 北京 ПОРТ "
         "x ab it's don’t 12th 1,000 e-mail co-op A.B.C ﬁre ǅemal 3.5 ½ ٣٤ mid‑year").split()
PIECES = [
    "<p>", "</p>", "<h2>", "</h2>", "<h3 id=\"x\">", "</h3>", "<ul>", "<li>", "</li>", "</ul>", "<ol start=\"2\">",
    "</ol>", "<blockquote cite=\"https://a.example/?a=1&amp;b=2\">", "</blockquote>", "<figure>", "</figure>",
    "<figcaption>", "</figcaption>", "<table>", "<tr>", "<td colspan=\"2\">", "</td>", "</tr>", "</table>",
    "<pre>", "</pre>", "<hr>", "<hr/>", "<hr />", "</hr>", "<br>", "<br/>", "</br>", "<strong>", "</strong>",
    "<em>", "</em>", "<a href=\"https://b.example/x\" title=\"a > b < c\">", "<a href='single'>", "</a>",
    "<img src=\"/i.jpg\" alt=\"A &quot;quote&quot;\">", "<span class=x>", "</span>", "<P>", "</P>", "<Br>",
    "<div>", "</div>", "<section>", "</section>", "<script>if (a < b) {}</script>", "<style>p{}</style>",
    "<!-- a comment -->", "<!doctype html>", "<?php echo 1 ?>", "<![CDATA[x]]>", "< not a tag", "a<b", "<3",
    "&amp;", "&lt;", "&gt;", "&nbsp;", "&#39;", "&#x2019;", "&hellip;", "&bogus;", "&amp", "&", "&#", "&#x;",
    "\n", "\n\n", "\r\n", "\r", "\t", "\u2028", "\u2029", "\x0b", "\x0c", "\x85", "\x1c", "  ", "’s", "'s",
    "\xa0", "\u3000", "\u200a", " \t ", "\v", "\x1f", " \n \u3000\n\xa0",
    "<textarea>", "</textarea>", "<title>x</title>", "<p class=\"a\" data-x=\"1\">", "<P CLASS=A>",
]


def random_html(rnd):
    out = []
    for _ in range(rnd.randint(0, 60)):
        roll = rnd.random()
        if roll < 0.45:
            out.append(" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(1, 12))))
        elif roll < 0.95:
            out.append(rnd.choice(PIECES))
        else:
            out.append(rnd.choice(WORDS)[:3])
    return "".join(out)


def wordpress_bodies():
    bodies = []
    for name in ("wordpress-export.xml", "wordpress-bad-items.xml"):
        site = wordpress.scan(FIXTURES / name)
        for post in wordpress.posts(FIXTURES / name):
            bodies.append(wordpress.wordpress_html(post.content, [], site))
    return bodies


@pytest.fixture(scope="module")
def bodies():
    rnd = random.Random(20261127)
    raw = wordpress_bodies() + [random_html(rnd) for _ in range(3000)] + [
        "", "plain text only", "<p>one</p>", "<p>a</p>\n<hr>\n<p>b</p>", "<p>x</p><hr/><p>y</p>",
        "<ul><li>a<ul><li>b</li></ul></li></ul><p>c</p>", "</p></p><p>unbalanced", "<p>a\u2028b</p><p>c</p>",
        "<p>line\r\nbreak</p><p>two</p>", "<p>&amp;&lt;p&gt;</p>",
    ]
    return raw + [text.sanitize(body) for body in raw]


# -- the comparisons ------------------------------------------------------------------------------


def test_analyse_gives_the_html_parsers_text_and_block_ends_for_every_body(bodies):
    for body in bodies:
        assert text.analyse(body) == reference_analyse(body), body


def test_the_fast_reading_is_what_sanitised_bodies_take(bodies):
    # Every sanitised body, unless it has line breaks that the parser counts its own way.
    for body in map(text.sanitize, bodies):
        assert (text._analyse_regular(body) is None) == bool(text._OTHER_LINE_BREAKS.search(body)), body
    # And it declines what it cannot read the parser's way.
    for odd in ("<p>a<!-- c --></p>", "<P>a</P>", "<p>a</p><hr/>", "<p>a<br/></p>", "<p>a\u2028b</p>", "a < b",
                "<script>x</script>", "<p class=a>x</p>", "<p>x</br></p>", "<div>x</div>"):
        assert text._analyse_regular(odd) is None, odd


def test_keywords_are_the_same_words_in_the_same_order(bodies):
    rnd = random.Random(5)
    samples = [reference_analyse(body)[0] for body in bodies[::3]]
    samples += [" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(0, 400))) for _ in range(500)]
    for sample in samples:
        for limit in (40, 3):
            assert text.keywords(sample, limit) == reference_keywords(sample, limit), sample
