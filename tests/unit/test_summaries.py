"""Summaries, row by row against docs/FORMAT.md (`summary`): the opening of the body, cut at the end
of the word that reaches `summary_length` characters, with "…"; the dateline is not repeated in it.
(Flipboard wants at least 300 characters: tests/test_feeds.py checks the sample store's.)"""

from __future__ import annotations

import pytest

from feedsvc.render.html import summarize

TEXT = "The quick brown fox jumps over the lazy dog"  # "The quick br|own": character 12 is inside "brown"


@pytest.mark.parametrize(
    "text, length, summary",
    [
        pytest.param("Short.", 300, "Short.", id="shorter than the length: whole, no ellipsis"),
        pytest.param(TEXT, len(TEXT), TEXT, id="exactly the length: whole, no ellipsis"),
        pytest.param(TEXT, 12, "The quick brown…", id="cut at the end of the word that reaches the length"),
        pytest.param(TEXT, 9, "The quick…", id="a length that ends a word: cut there"),
        pytest.param(TEXT, 10, "The quick brown…", id="at least the length: the space after a word is not enough"),
        pytest.param("The  quick\n\nbrown\tfox", 300, "The quick brown fox", id="runs of whitespace are one space"),
        pytest.param("  Padded text.  ", 300, "Padded text.", id="no leading or trailing space"),
        pytest.param(
            "Intro " + "x" * 200 + " end", 10, "Intro…", id="a word far longer than the length: end before it"
        ),
        pytest.param("x" * 200, 10, "x" * 10 + "…", id="nothing but one enormous word: cut it, never publish nothing"),
    ],
)
def test_the_summary_is_the_opening_cut_at_a_word(text, length, summary):
    assert summarize(text, length) == summary


@pytest.mark.parametrize(
    "text, dateline, summary",
    [
        pytest.param(
            "MEXICO CITY — The president met the press.",
            "MEXICO CITY",
            "The president met the press.",
            id="dateline and dash",
        ),
        pytest.param(
            "MEXICO CITY (AP) — The president met the press.",
            "MEXICO CITY",
            "The president met the press.",
            id="dateline, agency and dash",
        ),
        pytest.param(
            "MEXICO CITY: The president met the press.",
            "MEXICO CITY",
            "The president met the press.",
            id="dateline and colon",
        ),
        pytest.param(
            "Mexico City — The president met the press.",
            "MEXICO CITY",
            "The president met the press.",
            id="dateline in another case",
        ),
        pytest.param(
            "The president met the press in MEXICO CITY.",
            "MEXICO CITY",
            "The president met the press in MEXICO CITY.",
            id="a dateline not at the start stays",
        ),
        pytest.param(
            "MEXICO CITYSCAPES are vast.",
            "MEXICO CITY",
            "MEXICO CITYSCAPES are vast.",
            id="the dateline's words inside another word stay",
        ),
    ],
)
def test_the_dateline_is_not_repeated_in_the_summary(text, dateline, summary):
    assert summarize(text, 300, dateline) == summary


LONG = " ".join(f"word{i}" for i in range(400))


@pytest.mark.parametrize(
    "markdown, dateline",
    [
        pytest.param(f"BOSTON — {LONG}", "BOSTON", id="a long story: made from its opening"),
        pytest.param(f"**BOSTON** (AP) — {LONG}", "BOSTON", id="a dateline with an agency"),
        pytest.param("BOSTON " + "—" * 900 + f" {LONG}", "BOSTON", id="a separator running past the opening"),
        pytest.param(f"Stra<em>ße</em> — {LONG}", "STRASSE", id="a dateline case-folded, across a tag"),
        pytest.param(f"{LONG} and &lt;script&gt; spelled out", "", id="markup spelled out in the text"),
        pytest.param(f"{LONG}[^1]\n\n[^1]: A note.", "", id="footnotes left out"),
        pytest.param("x" * 2000 + " y", "", id="one enormous word"),
        pytest.param(" ".join(["a<em>b</em>c"] * 500), "", id="words split by inline tags"),
    ],
)
def test_a_story_summary_is_the_summary_of_its_whole_text(markdown, dateline):
    """render.html.story_summary reads only a story's opening when that decides the summary: it gives
    the summary of the whole text, as plain text, every time."""
    from feedsvc.render.html import sanitize_html, story_summary, story_text
    from feedsvc.source.markdown import markdown_html
    from feedsvc.source.text import plain_text

    fragment = sanitize_html(markdown_html(markdown), "https://news.example.com/world/story")
    for length in (10, 300, 1000):
        assert story_summary(fragment, length, dateline) == summarize(
            plain_text(story_text(fragment))[0], length, dateline
        )
