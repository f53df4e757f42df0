"""A plain `~`, `null` (`Null`, `NULL`) or nothing in front matter is None, "not given" (docs/FORMAT.md);
quoted, or spelt any other way, it is the text written. Row by row, in each way `load` builds a
document: the plain walk (no anchor, no tag) and the counted one (an anchor or a tag anywhere)."""

from __future__ import annotations

import pytest

from feedsvc.source.frontmatter import load

ROWS = [
    pytest.param("a: ~", {"a": None}, id="~"),
    pytest.param("a: null", {"a": None}, id="null"),
    pytest.param("a: Null", {"a": None}, id="Null"),
    pytest.param("a: NULL", {"a": None}, id="NULL"),
    pytest.param("a:", {"a": None}, id="nothing"),
    pytest.param("a:   # a comment", {"a": None}, id="nothing but a comment"),
    pytest.param("a: '~'", {"a": "~"}, id="'~' quoted: text"),
    pytest.param('a: "null"', {"a": "null"}, id='"null" quoted: text'),
    pytest.param("a: ''", {"a": ""}, id="'' quoted: empty text"),
    pytest.param("a: nULL", {"a": "nULL"}, id="another spelling: text"),
    pytest.param("a: ~x", {"a": "~x"}, id="~ and more: text"),
    pytest.param("a: null and void", {"a": "null and void"}, id="null and more: text"),
    pytest.param("a: |-\n  ~", {"a": "~"}, id="a literal block: text"),
    pytest.param("a: [~, null, x, '~', '']", {"a": [None, None, "x", "~", ""]}, id="flow list items"),
    pytest.param("a:\n  - ~\n  -\n  - x\n  - 'null'", {"a": [None, None, "x", "null"]}, id="block list items"),
    pytest.param("a: {b: ~, c: null, d: '~'}", {"a": {"b": None, "c": None, "d": "~"}}, id="flow mapping values"),
    pytest.param(
        "photo:\n  src: ~\n  caption: null\n  credit:\n  alt: x",
        {"photo": {"src": None, "caption": None, "credit": None, "alt": "x"}},
        id="a nested mapping's values",
    ),
    pytest.param(
        "related:\n  - title: ~\n    url: null\n  - ~",
        {"related": [{"title": None, "url": None}, None]},
        id="mappings in a list",
    ),
    pytest.param("null: x\n~: y", {"null": "x", "~": "y"}, id="a key is a name as written, never None"),
    pytest.param(
        "title: x\nsummary: null\nauthors: ~\ntags:\ndateline: ~\nphoto: ~",
        {"title": "x", "summary": None, "authors": None, "tags": None, "dateline": None, "photo": None},
        id="a story's optional fields",
    ),
]

# A comment holding "&" and "!" changes no data but sends the document the counted way.
COUNTED = "\n# & !"


@pytest.mark.parametrize("way", ["plain", "counted"])
@pytest.mark.parametrize("text, data", ROWS)
def test_plain_nulls_are_none_and_quoted_ones_text(text, data, way):
    assert load(text + (COUNTED if way == "counted" else "")) == data


@pytest.mark.parametrize(
    "text, data",
    [
        pytest.param("a: &n ~\nb: *n\nc: [*n]", {"a": None, "b": None, "c": [None]}, id="an alias to a null"),
        pytest.param("a: !!null ~\nb: !!null", {"a": None, "b": None}, id="!!null"),
        pytest.param("a: !!str ~\nb: !!str null\nc: !!str", {"a": "~", "b": "null", "c": ""}, id="!!str: text"),
        pytest.param("a: ! ~", {"a": None}, id="the non-specific tag ! on a plain ~ (as PyYAML reads it)"),
    ],
)
def test_anchors_and_tags(text, data):
    assert load(text) == data


@pytest.mark.parametrize("text", ["~", "null", "", "# only a comment"])
def test_a_document_that_is_null_is_none(text):
    assert load(text) is None


def test_the_case_reported():
    assert load("a: ~\nb: null\nc:\n") == {"a": None, "b": None, "c": None}
