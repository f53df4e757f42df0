"""Which files the process opens, for the tests that promise a file is never read: PEP 578 audit
events (open(), io.open, os.open), recorded while a test looks."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

_watch_lock = threading.Lock()
_watchers: list[list[str]] = []


def _audit(event: str, args) -> None:
    if event == "open" and _watchers:
        target = args[0]
        if isinstance(target, (str, bytes, os.PathLike)):
            name = os.fsdecode(target)
            for opened in list(_watchers):
                opened.append(name)


_installed = False


@contextlib.contextmanager
def files_opened() -> Iterator[list[str]]:
    """Record every path this process opens meanwhile (PEP 578 audit events: open(), io.open, os.open)."""
    global _installed
    with _watch_lock:
        if not _installed:
            sys.addaudithook(_audit)
            _installed = True
    opened: list[str] = []
    _watchers.append(opened)
    try:
        yield opened
    finally:
        _watchers.remove(opened)


def opened_under(opened: list[str], *roots: Path) -> list[str]:
    """The recorded paths that lie under any of `roots` (resolved, so links and '..' count)."""
    resolved_roots = [Path(os.path.realpath(r)) for r in roots]
    hits = []
    for name in opened:
        real = Path(os.path.realpath(name))
        if any(real == r or r in real.parents for r in resolved_roots):
            hits.append(name)
    return hits
