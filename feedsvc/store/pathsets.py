"""Tables of key → the store paths that hold it, as claims and references keep them: one path as the
string itself, several as a set. Most keys have one path, and a set for one path would hold about
200 bytes (20 MB at 100,000 stories)."""

from __future__ import annotations

PathTable = dict[str, str | set[str]]


def add(table: PathTable, key: str, relpath: str) -> None:
    held = table.get(key)
    if held is None:
        table[key] = relpath
    elif isinstance(held, set):
        held.add(relpath)
    elif held != relpath:
        table[key] = {held, relpath}


def discard(table: PathTable, key: str, relpath: str) -> None:
    held = table.get(key)
    if held == relpath:
        del table[key]
    elif isinstance(held, set):
        held.discard(relpath)
        if len(held) == 1:
            table[key] = held.pop()


def paths(held: str | set[str] | None) -> set[str]:
    """The paths of a table's entry (`table.get(key)`)."""
    return set() if held is None else {held} if isinstance(held, str) else held
