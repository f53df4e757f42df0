"""`FieldReader.text` gives text that needs no cleaning back as it is, without cleaning it: for every
character, that shortcut must agree with the long way (`cleaned`), or a field would be published
with a space, a direction mark or a control that the long way takes out."""

from __future__ import annotations

import sys

import pytest

from feedsvc.source import fieldreader
from feedsvc.source.fieldreader import FieldReader


def _every_character() -> list[str]:
    """Every BMP character (surrogates too: YAML escapes can make them), and the edges of the others."""
    astral = [chr(c) for plane in range(1, 17) for c in (plane << 16, (plane << 16) | 0xFFFD, (plane << 16) | 0xFFFF)]
    return [chr(c) for c in range(sys.maxunicode + 1) if c <= 0xFFFF] + astral


@pytest.mark.parametrize("plain", [True, False])
def test_the_shortcut_agrees_with_the_long_way_for_every_character(plain):
    reader = FieldReader("x.md")
    reader.escapes = True  # the long way then removes what XML forbids too
    shortcut = 0
    for char in _every_character():
        for value in (f"a{char}", f"{char} b"):
            said = len(reader.problems)
            long_way = reader.cleaned(value, "title", False, plain, 300)
            if fieldreader._ALREADY_CLEAN.fullmatch(value):
                shortcut += 1
                assert long_way == value, (hex(ord(char)), value)
                assert reader.problems[said:] == [], (hex(ord(char)), value)  # and nothing to say of it
                assert reader.text(value, "title", plain=plain, limit=300) == value
    assert shortcut > 2 * 60_000  # nearly every character takes it


def test_what_the_long_way_changes_takes_the_long_way():
    reader = FieldReader("x.md")
    assert reader.text("a  b", "title") == "a b"
    assert reader.text("a\u00a0b", "title") == "a b"  # a no-break space is a space
    assert reader.text("Q&amp;A", "title") == "Q&A"
    assert reader.text("a <b>bold</b> title", "title") == "a bold title"
    assert reader.text("\u202eevil", "title") == "\u202eevil\u202c"
    cut = reader.text("word " * 100, "title", limit=50)
    assert cut is not None and cut.endswith("word…") and len(cut) <= 50
    assert [p.field for p in reader.problems] == ["title", "title"]  # markup removed, cut at a word
