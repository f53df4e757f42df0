"""Plain-text fields, row by row: direction marks an editor typed are kept and closed, never left open
to reverse the text after a title on a page or in a reader's list."""

from __future__ import annotations

import pytest

from feedsvc.source.text import balanced_bidi, plain_text, shorten

LRE, RLE, PDF, LRO, RLO = "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"


@pytest.mark.parametrize(
    "text, shown",
    [
        ("Plain title", "Plain title"),
        (f"{RLO}evil title", f"{RLO}evil title{PDF}"),  # closed at the end
        (f"a {RLE}b{PDF} c", f"a {RLE}b{PDF} c"),  # balanced: as typed
        (f"a {RLI}ﺏ{PDI} c", f"a {RLI}ﺏ{PDI} c"),
        (f"{PDF}{PDI}stray closers", "stray closers"),  # close nothing: dropped
        (f"{RLI}{LRO}x{PDI}y", f"{RLI}{LRO}x{PDF}{PDI}y"),  # an isolate's end closes inside it
        (f"{LRO}{RLI}x{PDF}y", f"{LRO}{RLI}xy{PDI}{PDF}"),  # a PDF cannot cross an isolate
        (f"{FSI}{LRE}{RLO}deep", f"{FSI}{LRE}{RLO}deep{PDF}{PDF}{PDI}"),
    ],
)
def test_direction_marks_are_closed(text, shown):
    assert balanced_bidi(text) == shown


@pytest.mark.parametrize("text", [f"{RLO}<b>title</b>", f"{RLO}title"])
def test_plain_text_fields_come_out_balanced_whether_or_not_markup_was_removed(text):
    assert plain_text(text)[0] == f"{RLO}title{PDF}"


def test_a_title_cut_to_its_limit_keeps_its_marks_closed():
    assert shorten(f"{RLO}{'word ' * 40}", 50).endswith(f"…{PDF}")
