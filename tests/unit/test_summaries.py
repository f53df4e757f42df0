"""Summaries, row by row against docs/FORMAT.md (`summary`): the opening of the body, cut at the end
of the word that reaches `summary_length` characters, with "…"; the dateline is not repeated in it.
(Flipboard wants at least 300 characters: tests/test_feeds.py checks the sample store's.)"""
from __future__ import annotations

import pytest

from feedsvc.render.html import summarize

TEXT = "The quick brown fox jumps over the lazy dog"     # "The quick br|own": character 12 is inside "brown"


@pytest.mark.parametrize("text, length, summary", [
    pytest.param("Short.", 300, "Short.", id="shorter than the length: whole, no ellipsis"),
    pytest.param(TEXT, len(TEXT), TEXT, id="exactly the length: whole, no ellipsis"),
    pytest.param(TEXT, 12, "The quick brown…", id="cut at the end of the word that reaches the length"),
    pytest.param(TEXT, 9, "The quick…", id="a length that ends a word: cut there"),
    pytest.param(TEXT, 10, "The quick brown…", id="at least the length: the space after a word is not enough"),
    pytest.param("The  quick\n\nbrown\tfox", 300, "The quick brown fox", id="runs of whitespace are one space"),
    pytest.param("  Padded text.  ", 300, "Padded text.", id="no leading or trailing space"),
    pytest.param("Intro " + "x" * 200 + " end", 10, "Intro…",
                 id="a word far longer than the length: end before it"),
    pytest.param("x" * 200, 10, "x" * 10 + "…", id="nothing but one enormous word: cut it, never publish nothing"),
])
def test_the_summary_is_the_opening_cut_at_a_word(text, length, summary):
    assert summarize(text, length) == summary


@pytest.mark.parametrize("text, dateline, summary", [
    pytest.param("MEXICO CITY — The president met the press.", "MEXICO CITY", "The president met the press.",
                 id="dateline and dash"),
    pytest.param("MEXICO CITY (AP) — The president met the press.", "MEXICO CITY", "The president met the press.",
                 id="dateline, agency and dash"),
    pytest.param("MEXICO CITY: The president met the press.", "MEXICO CITY", "The president met the press.",
                 id="dateline and colon"),
    pytest.param("Mexico City — The president met the press.", "MEXICO CITY", "The president met the press.",
                 id="dateline in another case"),
    pytest.param("The president met the press in MEXICO CITY.", "MEXICO CITY",
                 "The president met the press in MEXICO CITY.", id="a dateline not at the start stays"),
    pytest.param("MEXICO CITYSCAPES are vast.", "MEXICO CITY", "MEXICO CITYSCAPES are vast.",
                 id="the dateline's words inside another word stay"),
])
def test_the_dateline_is_not_repeated_in_the_summary(text, dateline, summary):
    assert summarize(text, 300, dateline) == summary
