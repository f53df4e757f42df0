"""How far a long command has got, phase by phase: a bar with totals and an ETA on a terminal, one line
per phase anywhere else (a cron job's mail, a CI log), nothing when asked to be quiet."""

from __future__ import annotations

import shutil
import sys
import time
from typing import TYPE_CHECKING, Any

import click

from ..words import plural

if TYPE_CHECKING:
    from tqdm import tqdm

_UNITS = {"story": "stories", "document": "documents", "file": "files"}
_DONE = {"reading": "read", "rendering": "rendered", "writing": "wrote", "keeping": "kept"}


class Lines:
    """One line per phase, when it ends: "rendered 3,068 documents in 41.20 s"."""

    def __init__(self) -> None:
        self._phase: tuple[str, int, str, float] | None = None

    def begin(self, phase: str, total: int, unit: str) -> None:
        self.end()
        self._phase = (phase, total, unit, time.perf_counter())

    def advance(self, count: int = 1) -> None:
        pass

    def end(self) -> None:
        if self._phase is None:
            return
        phase, total, unit, started = self._phase
        self._phase = None
        click.echo(
            f"{_DONE.get(phase, phase)} {plural(total, unit, _UNITS.get(unit))} in "
            f"{time.perf_counter() - started:.2f} s",
            err=True,
        )

    def reading(self, done: int, total: int) -> None:
        """The store's read, as `Store.from_config(progress=…)` reports it."""
        if self._phase is None or self._phase[0] != "reading":
            self.begin("reading", total, "story")
        if done >= total:
            self.end()

    def wrote(self, name: str) -> None:
        click.echo(f"wrote {name}", err=True)


class Bars(Lines):
    """On a terminal: a bar per phase, left on the screen when done, with its count, rate and ETA."""

    def __init__(self) -> None:
        super().__init__()
        from tqdm import tqdm

        tqdm.monitor_interval = 0  # no monitor thread: the store is read, and the build renders, in forks
        self._tqdm = tqdm
        self._bar: tqdm[Any] | None = None

    def begin(self, phase: str, total: int, unit: str) -> None:
        self.end()
        self._phase = (phase, total, unit, time.perf_counter())
        self._bar = self._tqdm(
            total=total,
            desc=f"{phase:<9}",
            unit=" " + _UNITS.get(unit, unit + "s"),
            file=sys.stderr,
            ncols=min(shutil.get_terminal_size().columns, 100),
            mininterval=0.2,
            leave=True,
            bar_format="{desc} {percentage:3.0f}%|{bar}| {n:,}/{total:,}{unit} [{elapsed}<{remaining}]",
        )

    def advance(self, count: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(count)

    def end(self) -> None:
        if self._bar is not None:
            self._bar.close()
        self._bar = self._phase = None

    def reading(self, done: int, total: int) -> None:
        if self._phase is None or self._phase[0] != "reading":
            self.begin("reading", total, "story")
        if self._bar is not None:
            self._bar.update(done - self._bar.n)
        if done >= total:
            self.end()

    def wrote(self, name: str) -> None:
        (self._tqdm.write if self._bar is not None else click.echo)(f"wrote {name}", file=sys.stderr)


class Quiet(Lines):
    def begin(self, phase: str, total: int, unit: str) -> None:
        pass

    def end(self) -> None:
        pass

    def reading(self, done: int, total: int) -> None:
        pass

    def wrote(self, name: str) -> None:
        pass


def reporter(quiet: bool = False) -> Lines:
    """Bars on a terminal, lines elsewhere, nothing when quiet."""
    if quiet:
        return Quiet()
    return Bars() if sys.stderr.isatty() else Lines()
