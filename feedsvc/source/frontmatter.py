"""YAML front matter as plain data: mappings, lists and text — nothing else, and nothing run.

libyaml (through PyYAML's C parser) reads the document; a small constructor turns its nodes into
dicts, lists and strings. Every scalar stays text, as the editor wrote it: dates for our own date
reader, numbers for the fields that want numbers, "yes" stays "yes" in a headline. A plain `~`, `null`
or nothing at all is None. Any explicit tag other than YAML's own (`!!python/object`, `!custom`) is
refused, and a key given twice is refused (parsers disagree on which one wins). Aliases are shared,
never copied, so an anchor bomb costs what its text costs.

PyYAML's SafeLoader is not used because its Python constructor, not the C parser, was most of the
time to read a large store (figures: docs/PERFORMANCE.md).
"""
from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

YAMLError = yaml.YAMLError
_CORE = "tag:yaml.org,2002:"
_UNTAGGED = {ScalarNode: _CORE + "str", SequenceNode: _CORE + "seq", MappingNode: _CORE + "map"}


class _Loader(yaml.CBaseLoader if hasattr(yaml, "CBaseLoader") else yaml.BaseLoader):
    """libyaml's parser and composer; a node without an explicit tag is simply text, list or mapping."""

    def resolve(self, kind, value, implicit):     # called for every untagged node: keep it trivial
        return _UNTAGGED[kind]
_ALLOWED_TAGS = frozenset(_CORE + name for name in ("str", "int", "float", "bool", "null", "timestamp", "seq",
                                                    "map", "merge", "value"))
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


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


def load(text: str, first_line: int = 1) -> Any:
    """The document's data, or None for an empty one. Raises a YAMLError subclass for anything else.

    `first_line` is the file's line number of the text's first line, for messages.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    return None if node is None else _construct(node, {}, first_line)


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


def _construct(node, built: dict[int, Any], first_line: int) -> Any:
    key = id(node)
    if key in built:                         # an alias: the same object again, not a copy
        return built[key]
    line = node.start_mark.line + first_line
    if node.tag not in _ALLOWED_TAGS:
        raise TagError(node.tag, line)
    if isinstance(node, ScalarNode):
        value = None if node.style is None and node.value in _NULLS else node.value
        built[key] = value
        return value
    if isinstance(node, SequenceNode):
        items: list[Any] = []
        built[key] = items
        items.extend(_construct(child, built, first_line) for child in node.value)
        return items
    if isinstance(node, MappingNode):
        mapping: dict[Any, Any] = {}
        built[key] = mapping
        for key_node, value_node in node.value:
            name = _construct(key_node, built, first_line)
            if not isinstance(name, str):
                raise KeyTypeError(key_node.start_mark.line + first_line)
            if name in mapping:
                raise DuplicateKeyError(name, key_node.start_mark.line + first_line)
            mapping[name] = _construct(value_node, built, first_line)
        return mapping
    raise TagError(node.tag, line)
