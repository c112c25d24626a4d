"""Derived text: sanitising, reading time, excerpts, paragraph positions."""

from dateline.news import text


def test_sanitize_removes_script_handlers_and_javascript_links():
    dirty = (
        '<p onclick="steal()">Hi <script>alert(1)</script><a href="javascript:alert(2)">x</a>'
        '<img src="x.png" onerror="boom()"><style>p{}</style><iframe src="//evil"></iframe></p>'
    )
    clean = text.sanitize(dirty)
    assert "script" not in clean and "onclick" not in clean and "onerror" not in clean
    assert "javascript:" not in clean and "iframe" not in clean and "<style" not in clean
    assert clean.startswith("<p>Hi ")


def test_sanitize_keeps_journalist_markup_and_marks_links():
    clean = text.sanitize('<h2>Sub</h2><p><strong>b</strong> <em>i</em> <a href="https://x.example/">l</a></p>'
                          "<blockquote><p>q</p></blockquote><ul><li>one</li></ul>")
    assert "<h2>Sub</h2>" in clean and "<strong>b</strong>" in clean and "<blockquote>" in clean
    assert 'rel="noopener noreferrer"' in clean


def test_sanitize_repairs_malformed_html():
    assert text.sanitize("<p>open <b>bold") == "<p>open <b>bold</b></p>"


def test_reading_time_is_at_least_one_minute_and_rounds_up():
    assert text.reading_minutes(0) == 1
    assert text.reading_minutes(230) == 1
    assert text.reading_minutes(231) == 2
    assert text.reading_minutes(1000, words_per_minute=200) == 5


def test_excerpt_takes_the_first_paragraph_cut_at_a_word():
    long = "word " * 100
    cut = text.excerpt(long.strip() + "\nsecond paragraph", limit=50)
    assert cut.endswith("…") and len(cut) <= 50 and "second" not in cut
    assert text.excerpt("Short first.\nSecond.") == "Short first."


def test_analyse_finds_top_level_block_ends_and_plain_text():
    body = "<p>One</p><blockquote><p>Two</p></blockquote><p>Three</p>"
    plain, ends = text.analyse(body)
    assert plain.split() == ["One", "Two", "Three"]
    assert len(ends) == 3
    assert body[: ends[0]] == "<p>One</p>"
    assert body[: ends[1]].endswith("<p>Two</p></blockquote>")
    assert ends[2] == len(body)


def test_keywords_skip_stopwords_and_rank_by_frequency():
    words = text.keywords("The harbour, the harbour and the bridge. Harbour works.")
    assert words[0] == "harbour" and "the" not in words and "bridge" in words
