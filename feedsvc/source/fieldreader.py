"""Reading a story's front matter field by field, each problem recorded against the file and the field.

A problem in what a story needs keeps the story out (an error); a problem in an optional part — its
photo, a byline, a link — leaves that part out (a warning). Either way the reading goes on with the
next field, so one `check` names every problem of a file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any, Literal, TypeGuard, TypeVar, overload

from ..model import Problem
from .frontmatter import describe
from .text import balanced_bidi, decode_references, forbidden_removed, plain_text, shorten, xml_clean

_SINGLE_SPACED = re.compile(r"\S+(?: \S+)*")
# Text that `text` gives back as it is, whatever the field: words of characters that are not spaces,
# "&" or "<", direction marks, or what `xml_clean` removes, one space apart (astral characters, rare,
# take the long way). Checked over every character in tests/unit/test_fieldreader.py.
_WORD_CHAR = (
    "!-%'-;=-~\xa1-\u167f\u1681-\u1fff\u200b-\u2027\u2030-\u205e\u2060-\u2065\u206a-\u2fff"
    "\u3001-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd"
)
_ALREADY_CLEAN = re.compile(f"[{_WORD_CHAR}]+(?: [{_WORD_CHAR}]+)*")


def already_clean(value: Any, limit: int | None) -> TypeGuard[str]:
    """Is `value` text that `FieldReader.text` gives back as it is, with nothing to say of it?"""
    return (
        value.__class__ is str
        and _ALREADY_CLEAN.fullmatch(value) is not None
        and (limit is None or len(value) <= limit)
    )


class Reject(Exception):
    """Stops parsing one file; the problem is already recorded."""


class _LeftOut(Exception):
    """Stops reading one optional part of a story (its photo, a link…); the warning is already recorded."""


T = TypeVar("T")


class FieldReader:
    """Reads fields off the front matter, recording problems against the editor's file name."""

    def __init__(self, display_path: str) -> None:
        self.display_path = display_path
        self.escapes = True  # whether YAML escapes may have produced characters XML forbids
        self.problems: list[Problem] = []
        self.photo_path: str | None = None  # recorded even when the photo is bad, so its arrival is noticed
        self._left_out: str | None = None  # while reading an optional part: what a problem in it costs
        self.related_ids: tuple[tuple[int, str], ...] = ()

    def error(self, field_name: str | None, message: str) -> None:
        self.problems.append(Problem(self.display_path, field_name, message, "error"))

    def warn(self, field_name: str | None, message: str) -> None:
        self.problems.append(Problem(self.display_path, field_name, message, "warning"))

    def fail(self, field_name: str | None, message: str) -> Exception:
        """The exception to raise for a problem: in an optional part, a warning that leaves that part
        out; anywhere else, an error that keeps the story out."""
        if self._left_out is not None:
            self.warn(field_name, f"{message}; {self._left_out}")
            return _LeftOut()
        self.error(field_name, message)
        return Reject()

    def collect(self, read: Callable[[], T]) -> T | None:
        """`read()`, or None when what it reads has an error: the error is recorded and the parse goes on
        with the next field, so one `check` names every problem of a file, not the first alone (the
        story is left out once every field has been read)."""
        try:
            return read()
        except Reject:
            return None

    def optional(self, consequence: str, read: Callable[[], T]) -> T | None:
        """`read()`, or None when a problem in what it reads leaves that part out (`consequence` says
        so in the warning): a newsroom publishes a story without its photo rather than hold it."""
        outer, self._left_out = self._left_out, consequence
        try:
            return read()
        except _LeftOut:
            return None
        finally:
            self._left_out = outer

    @overload
    def text(
        self, value: Any, name: str, *, required: Literal[True], plain: bool = ..., limit: int | None = ...
    ) -> str: ...
    @overload
    def text(
        self, value: Any, name: str, *, required: bool = ..., plain: bool = ..., limit: int | None = ...
    ) -> str | None: ...

    def text(
        self, value: Any, name: str, *, required: bool = False, plain: bool = True, limit: int | None = None
    ) -> str | None:
        """The field as clean text (None if not given): plain text loses markup, and one over `limit`
        characters is cut at a word; text that is not plain (URLs, ids) over `limit` is a problem."""
        if already_clean(value, limit):
            return value  # most fields: `cleaned` would give them back as they are (one pass, not five)
        return self.cleaned(value, name, required, plain, limit)

    def cleaned(self, value: Any, name: str, required: bool, plain: bool, limit: int | None) -> str | None:
        """`text` the long way, for any value."""
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(name, "is required and missing" if value is None else "is empty")
            return None
        if value.__class__ is not str:
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise self.fail(name, f"must be text, not {describe(value)}")
            value = str(value)
        text: str = value
        if self.escapes:
            text, removed = xml_clean(text)
            if removed:
                self.warn(name, forbidden_removed(removed))
        if plain and "&" in text:
            text = decode_references(text)
        stripped = False
        if plain and "<" in text:
            text, stripped = plain_text(text)
        elif plain:
            text = balanced_bidi(text)
        if not _SINGLE_SPACED.fullmatch(text):
            text = " ".join(text.split())
        if not text:
            if not stripped and required:
                raise self.fail(name, "is empty")
            if stripped:
                message = "is only markup, and this field is plain text"
                if required:
                    raise self.fail(name, message)
                self.warn(name, f"{message}; it is left out")
            return None
        if stripped:
            self.warn(name, "HTML markup was removed (this field is plain text)")
        if limit is not None and len(text) > limit:
            message = f"is {len(text):,} characters, over the {limit:,}-character limit"
            if not plain:  # a URL or an id cut short would be another one
                raise self.fail(name, message)
            self.warn(name, f"{message}; it is cut at a word")
            text = shorten(text, limit)
        return text

    def empty_item(self, item: Any, where: str, consequence: str) -> bool:
        """Is this list item empty (`- ~`, `- null`, a bare `-`, `''`)? Then it is left out with a warning
        saying so: a list that is null is simply not given, but an empty item in one is a slip."""
        if item is None or (item.__class__ is str and not item.strip()):
            self.warn(where, f"is empty; {consequence}")
            return True
        return False

    def items(self, value: Any, name: str, limit: int) -> list[Any]:
        """A list field's items (one value is a list of one), the first `limit` of them."""
        items = value if isinstance(value, list) else [value]
        if len(items) > limit:
            self.warn(name, f"has {len(items):,} items, over the limit of {limit}; the first {limit} are kept")
        return items[:limit]


def did_you_mean(name: Any, known: frozenset[str], prefix: str = "") -> str:
    """ "; did you mean 'authors'?" for a misspelt field name (difflib's closest), else the names known."""
    close = difflib.get_close_matches(str(name).lower(), sorted(known), n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{prefix}{close[0]}'?"
    return "; the fields are " + ", ".join(prefix + field for field in sorted(known))
