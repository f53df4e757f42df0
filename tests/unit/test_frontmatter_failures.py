"""What `load` says of a plain document (no anchor, no tag) it refuses: which error, for which field,
in which words — the same whichever walk finds it, and the same as for the document with an anchor
or a tag, which only the counted walk reads."""

from __future__ import annotations

import pytest

from feedsvc.source import frontmatter
from feedsvc.source.frontmatter import MAX_CHARACTERS, MAX_VALUES, DuplicateKeyError, KeyTypeError, TooLargeError

WORD = "x" * 1000
LINES = MAX_CHARACTERS // len(WORD) + 1  # of WORD: one more than the bound allows


def too_many_characters(text: str, field: str, line: int, name: str) -> object:
    """A row for a document whose text under `field` is over MAX_CHARACTERS (counted from `line`)."""
    message = (
        f"has more than {MAX_CHARACTERS:,} characters of text (the value at line {line}; an alias counts as what "
        "it stands for); shorten it"
    )
    return pytest.param(text, TooLargeError, field, message, id=name)


ROWS = [
    pytest.param("title: a\ntitle: b", DuplicateKeyError, None, "the key 'title' is given twice (line 2)", id="dup"),
    pytest.param("a:\n  b: 1\n  b: 2", DuplicateKeyError, None, "the key 'b' is given twice (line 3)", id="dup-nested"),
    pytest.param(
        "null: a\n'null': b", DuplicateKeyError, None, "the key 'null' is given twice (line 2)", id="dup-null"
    ),
    pytest.param("[a]: b", KeyTypeError, None, "a key that is not text (line 1)", id="list key"),
    pytest.param("a:\n  {b: c}: d", KeyTypeError, None, "a key that is not text (line 2)", id="mapping key"),
    pytest.param(
        "title: t\ntags: [" + ", ".join(["x"] * MAX_VALUES) + "]",
        TooLargeError,
        "tags",
        f"has more than {MAX_VALUES:,} values (the one at line 2; an alias counts as what it stands for); shorten it",
        id="values",
    ),
    too_many_characters(
        "title: t\nsummary: |\n" + f"  {WORD}\n" * LINES, "summary", 1, "one long text: found at the root"
    ),
    too_many_characters("title: t\nparts:\n" + f"  - {WORD}\n" * LINES, "parts", 3, "characters"),
]


@pytest.mark.parametrize("text, error, field, message", ROWS)
@pytest.mark.parametrize("way", ["plain", "counted"])
def test_a_refused_document_is_named_the_same_whichever_walk_reads_it(text, error, field, message, way):
    with pytest.raises(error) as caught:
        frontmatter.load(text + ("\n# & !" if way == "counted" else ""))
    assert str(caught.value) == message
    assert getattr(caught.value, "field", None) == field


@pytest.mark.parametrize("way", ["plain", "counted"])
def test_nesting_too_deep_for_python_is_a_recursion_error_at_the_same_depth(way):
    """libyaml nests up to 1,000 levels; building that deep stops at Python's recursion limit."""
    deep = "a: " + "[" * 990 + "]" * 990 + ("\n# & !" if way == "counted" else "")
    with pytest.raises(RecursionError):
        frontmatter.load(deep)
    shallow = "a: " + "[" * 400 + "x" + "]" * 400 + ("\n# & !" if way == "counted" else "")
    data = frontmatter.load(shallow)["a"]
    for _ in range(400):
        (data,) = data
    assert data == "x"


def test_a_document_just_within_the_bounds_is_read():
    items = MAX_VALUES - 3  # the root mapping, its key and the list count too
    data = frontmatter.load("tags: [" + ", ".join(["x"] * items) + "]")
    assert len(data["tags"]) == items
