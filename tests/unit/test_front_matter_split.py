"""Where front matter ends: the first line after the opening one that is `---` or `...`, spaces after
it allowed (any that str.strip() strips), and nothing else: not ` ---`, `----` or `--- x`."""

from __future__ import annotations

import pytest

from feedsvc.source.article import split_front_matter


@pytest.mark.parametrize(
    "text, parts",
    [
        ("---\na: b\n---\nbody\n", ("a: b\n", "body\n")),
        ("---\na: b\n...\nbody", ("a: b\n", "body")),
        ("---\n---\nbody", ("", "body")),  # nothing between the lines
        ("---\na: b\n---", ("a: b\n", "")),  # the closing line ends the file
        ("--- \na: b\n--- \t\u3000\x0c\r\nbody", ("a: b\n", "body")),  # spaces after either line
        ("---\na: b\n ---\n----\n--- x\n---x\n...x\n---\nbody", ("a: b\n ---\n----\n--- x\n---x\n...x\n", "body")),
        ("---\na: b\n---\n---\nbody", ("a: b\n", "---\nbody")),  # the first closing line
        ("---\na: b\n--\u2028-\nbody", None),  # a line separator is not a newline here
        ("---\na: b\n", None),
        ("---", None),
        ("--- x\na: b\n---\n", None),
        ("a: b\n---\n", None),
    ],
)
def test_split_front_matter(text, parts):
    assert split_front_matter(text) == parts
