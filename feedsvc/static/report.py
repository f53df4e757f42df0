"""What a build tells its caller: the report of what it did (`BuildReport`), and how far it has got,
phase by phase, to whoever listens (`Phases`: the command line draws a bar, or prints a line)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from ..model import Problem
from ..words import plural


@dataclass
class BuildReport:
    """What a build did. `changed_feeds` are the URLs (WebSub topics) of the subscription feeds whose
    bytes it changed, for the caller to announce."""

    out_dir: Path
    articles: int = 0
    feeds: int = 0
    files: int = 0
    written: list[str] = field(default_factory=list)
    reused: int = 0
    bytes: int = 0
    seconds: float = 0.0
    problems: int = 0
    errors: int = 0
    changed: bool = False
    processes: int = 1  # how many processes rendered documents
    next_change: datetime | None = None
    changed_feeds: list[str] = field(default_factory=list)
    unread: list[Problem] = field(default_factory=list)  # stories left out: their files could not be read back

    def summary(self) -> str:
        state = (
            f"{len(self.written)} written, {self.reused} unchanged"
            if self.changed
            else "nothing changed, output left as it was"
        )
        line = (
            f"built {self.out_dir}: {plural(self.articles, 'article')}, {plural(self.feeds, 'feed')}, "
            f"{plural(self.files, 'file')} ({state}), {plural(self.bytes, 'byte')}, {self.seconds:.2f} s, "
            f"{plural(self.problems, 'problem')}"
        )
        if self.unread:
            line += f" ({plural(len(self.unread), 'story')} could not be read back: left out until the next build)"
        if self.next_change is not None:
            line += f"; next scheduled story at {self.next_change.isoformat()} (rebuild then)"
        return line


class Phases(Protocol):
    """Who hears how far a build has got, phase by phase (the command line draws a bar, or prints a line)."""

    def begin(self, phase: str, total: int, unit: str) -> None:
        """A phase starts: "rendering", 3,068, "document"."""

    def advance(self, count: int = 1) -> None:
        """`count` more of the phase's units are done."""

    def end(self) -> None:
        """The phase is over."""


class Quiet:
    """Phases nobody hears."""

    def begin(self, phase: str, total: int, unit: str) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def end(self) -> None:
        pass
