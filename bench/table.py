"""Plain-text tables for benchmark results, headed by where and when they were measured: a figure is
only comparable with another taken on the same machine, code and peers."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def table(title: str, header: list[str], rows: list[list], notes: list[str] = ()) -> str:
    """Columns padded to their widest cell; the first column left-aligned, the others right-aligned."""
    cells = [list(map(str, header))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    out = [title, line(cells[0]), line(["-" * w for w in widths])] + [line(r) for r in cells[1:]]
    return "\n".join(out + [f"  {note}" for note in notes]) + "\n"


def context(peers: dict[str, str] | None = None) -> str:
    """One line: date, machine, Python, feedsvc's commit (and whether feedsvc/ had uncommitted changes)."""

    def git(*args: str) -> str:
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--", "feedsvc", "wsgi.py")
    dirty = ""
    if changed:  # name the uncommitted state, so two runs can tell whether they measured the same code
        digest = hashlib.blake2b((changed + git("diff", "HEAD", "--", "feedsvc", "wsgi.py")).encode(), digest_size=4)
        dirty = f" + uncommitted changes to feedsvc/ (diff {digest.hexdigest()})"
    line = (
        f"measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, feedsvc {commit}{dirty}"
    )
    if peers:
        line += "; " + "; ".join(f"{name} {version}" for name, version in peers.items())
    return line


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f} s" if value >= 1 else f"{value * 1e3:.1f} ms" if value >= 1e-3 else f"{value * 1e6:.0f} µs"


def mb(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} MB"


def ratio(numerator: float | None, denominator: float | None) -> str:
    if not numerator or not denominator:
        return "—"
    return f"{numerator / denominator:.2f}"


def verdict(value: float | None, limit: float) -> str:
    """'ok' under a target, 'MISSED' over it."""
    return "—" if value is None else "ok" if value < limit else "MISSED"
