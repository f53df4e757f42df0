"""YAML front matter as plain data: mappings, lists and text — nothing else, and nothing run.

libyaml (through PyYAML's C parser) reads the document; a small constructor turns its nodes into
dicts, lists and strings. Every scalar stays text, as the editor wrote it: dates for our own date
reader, numbers for the fields that want numbers, "yes" stays "yes" in a headline. A plain `~`, `null`
or nothing at all is None, "not given" (as a key, it is the name written); quoted, it is text. Any
explicit tag other than YAML's own (`!!python/object`, `!custom`) is refused, and a key given twice
is refused (parsers disagree on which one wins). Aliases are shared, never copied, but what one
stands for counts as if written out: readers of the data walk every list item, so `[*t, *t, …]` over
a long `&t` would cost its expanded size, not its text's. The data, so counted, is bounded
(MAX_VALUES, MAX_CHARACTERS), and an alias to a value that contains it is refused.

PyYAML's SafeLoader is not used because its Python constructor, not the C parser, was most of the
time to read a large store (figures: docs/PERFORMANCE.md).
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

YAMLError = yaml.YAMLError
_CORE = "tag:yaml.org,2002:"
_UNTAGGED = {ScalarNode: _CORE + "str", SequenceNode: _CORE + "seq", MappingNode: _CORE + "map"}
_NULL = _CORE + "null"
# YAML 1.2's core schema (and 1.1's): a plain scalar spelt so is null, `""` or `"~"` is text.
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


if TYPE_CHECKING:
    _BaseLoader = yaml.BaseLoader
else:
    try:  # libyaml's parser and composer alone, where PyYAML was built with it: no constructor, no resolver
        from yaml._yaml import CParser as _BaseLoader
    except ImportError:
        _BaseLoader = yaml.BaseLoader


class _Loader(_BaseLoader):
    """libyaml's parser and composer; a node without an explicit tag is simply text, list or mapping,
    or null for a plain `~`, `null` or nothing."""

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:  # every untagged node: keep it trivial
        # Only here is "plain" known: `implicit[0]` (a collection's `value` is None, never in _NULLS). The
        # node's style cannot say it: libyaml's composer gives a plain scalar the style "", PyYAML's own None.
        if value in _NULLS and implicit[0]:
            return _NULL
        return _UNTAGGED[kind]

    if not TYPE_CHECKING:
        # The composer calls these around every node, for path resolvers, which nothing here registers:
        # built-ins that take the same arguments and do nothing, not Python methods (a sixth of the
        # composing, measured; docs/PERFORMANCE.md).
        descend_resolver = staticmethod(operator.is_)  # (parent, index)
        ascend_resolver = staticmethod(tuple)  # ()


_ALLOWED_TAGS = frozenset(
    _CORE + name for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge", "value")
)


class TagError(YAMLError):
    """An explicit YAML tag we will not construct (`!!python/object/apply:os.system`, …)."""

    def __init__(self, tag: str, line: int) -> None:
        super().__init__(f"the tag {tag!r} (line {line}) is not allowed; only plain YAML is read")
        self.tag = tag


class DuplicateKeyError(YAMLError):
    def __init__(self, key: str, line: int) -> None:
        super().__init__(f"the key {key!r} is given twice (line {line})")


class KeyTypeError(YAMLError):
    def __init__(self, line: int) -> None:
        super().__init__(f"a key that is not text (line {line})")


MAX_VALUES = 10_000  # texts, list items and fields: a story needs a few dozen
MAX_CHARACTERS = 1 << 20  # as much text as a whole article file may hold by default (1 MiB)


class TooLargeError(YAMLError):
    """The data, each alias counted as what it stands for, is over a bound (or has no end)."""

    def __init__(self, field: str | None, problem: str) -> None:
        super().__init__(problem)
        self.field = field


def load(text: str, first_line: int = 1) -> Any:
    """The document's data, or None for an empty one. Raises a YAMLError subclass for anything else.

    `first_line` is the file's line number of the text's first line, for messages.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is None:
        return None
    builder = _Builder(node, first_line)
    # Without "&" there is no anchor, so no node is reached twice; without "!", no explicit tag: the
    # plain walk skips the bookkeeping of both (most front matter; a third of a load, measured).
    return builder.build_plain() if "&" not in text and "!" not in text else builder.build()


def describe(value: Any) -> str:
    """Name a front-matter value for an editor's message without walking it (aliases can make it huge)."""
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, (int, float)):
        text = repr(value)
        return text if len(text) <= 30 else "a very large number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else type(value).__name__


class _Builder:
    """Nodes → data, each node built once; its size as if every alias were written out, counted too."""

    def __init__(self, root: Node, first_line: int) -> None:
        self.root = root
        self.first_line = first_line
        self.built: dict[int, Any] = {}
        self.sizes: dict[int, tuple[int, int]] = {}  # node → (values, characters), aliases expanded
        self.field: str | None = None  # the top-level field being built, for messages
        self.values = self.characters = 0  # build_plain's count of the whole document

    def build(self) -> Any:
        return self._construct(self.root)[0]

    def build_plain(self) -> Any:
        """`build` for a document with no anchor and no explicit tag: every node is met once and is a
        core type, so neither is looked up. The same data, bounds and messages.

        Most front matter is far within the bounds, so the data is built with a plain count first;
        only a document over them, or with a key or depth problem, is walked again by `build`, which
        stops at the first value past a bound and says which (each running count is at most the
        whole document's, so a document within the bounds never stops there)."""
        self.values = self.characters = 0
        try:
            data = self._lean(self.root)
        except (YAMLError, RecursionError):
            return self.build()
        if self.values > MAX_VALUES or self.characters > MAX_CHARACTERS:
            return self.build()
        return data

    def _lean(self, node: Node) -> Any:
        self.values += 1
        if isinstance(node, ScalarNode):
            text = node.value
            self.characters += len(text)
            return None if node.tag is _NULL else text
        if isinstance(node, SequenceNode):
            items = []
            for child in node.value:  # a loop, not a comprehension: one frame a level, as in _construct
                items.append(self._lean(child))
            return items
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            name = self._lean(key_node)
            if name is None:  # `null:` names a field as written (one the reader does not know), not "none"
                name = key_node.value
            if name.__class__ is not str or name in mapping:
                raise YAMLError()  # build() says which, and where
            mapping[name] = self._lean(value_node)
        return mapping

    def _construct(self, node: Node) -> tuple[Any, tuple[int, int]]:
        key = id(node)
        if key in self.built:  # an alias: the same object again, not a copy
            size = self.sizes.get(key)
            if size is None:  # still being built: the alias is inside its own anchor
                raise TooLargeError(
                    self.field,
                    f"an alias (line {self._line(node)}) refers to a value that "
                    "contains it, which never ends; write the value out",
                )
            return self.built[key], size
        if node.tag not in _ALLOWED_TAGS:
            raise TagError(node.tag, self._line(node))
        if isinstance(node, ScalarNode):
            value = None if node.tag == _NULL else node.value  # `!!null` written out too
            self.built[key] = value
            size = self.sizes[key] = (1, len(node.value))
            return value, size
        values, characters = 1, 0
        if isinstance(node, SequenceNode):
            items: list[Any] = []
            self.built[key] = items
            for child in node.value:
                item, (v, c) = self._construct(child)
                items.append(item)
                values, characters = self._add(values + v, characters + c, node)
            self.sizes[key] = (values, characters)
            return items, self.sizes[key]
        if isinstance(node, MappingNode):
            mapping: dict[Any, Any] = {}
            self.built[key] = mapping
            for key_node, value_node in node.value:
                name, (v, c) = self._construct(key_node)
                if name is None:
                    name = key_node.value
                if not isinstance(name, str):
                    raise KeyTypeError(self._line(key_node))
                if name in mapping:
                    raise DuplicateKeyError(name, self._line(key_node))
                if node is self.root:
                    self.field = name
                mapping[name], (v2, c2) = self._construct(value_node)
                values, characters = self._add(values + v + v2, characters + c + c2, node)
            self.sizes[key] = (values, characters)
            return mapping, self.sizes[key]
        raise TagError(node.tag, self._line(node))

    def _add(self, values: int, characters: int, node: Node) -> tuple[int, int]:
        """A running size, refused as soon as it passes a bound (the whole document's size is its root's)."""
        if values > MAX_VALUES:
            raise TooLargeError(
                self.field,
                f"has more than {MAX_VALUES:,} values (the one at line {self._line(node)}; "
                "an alias counts as what it stands for); shorten it",
            )
        if characters > MAX_CHARACTERS:
            raise TooLargeError(
                self.field,
                f"has more than {MAX_CHARACTERS:,} characters of text (the value at line "
                f"{self._line(node)}; an alias counts as what it stands for); shorten it",
            )
        return values, characters

    def _line(self, node: Node) -> int:
        line: int = node.start_mark.line
        return line + self.first_line
