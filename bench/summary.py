"""The one table of `python -m bench all`: each benchmark adds the figures that issues 6 and 17 set a target for
(a ratio measured in the same run, or an absolute limit), and the table says met or not met. Printed
after every detailed table, so a reader finds the verdicts in one place and the evidence above them.
"""

from __future__ import annotations

from .table import table

_rows: list[list[str]] = []


def add(
    figure: str, measured: str, against: str = "", ratio: str = "", target: str = "", met: bool | None = None
) -> None:
    """One row: what, feedsvc's figure, what it is compared with, the ratio, the target, the verdict
    (None: no target, or not measured)."""
    verdict = "" if met is None and not target else "—" if met is None else "met" if met else "NOT MET"
    _rows.append([figure, measured, against, ratio, target, verdict])


def at_least(value: float | None, reference: float | None, target: float) -> tuple[str, bool | None]:
    """value/reference formatted, and whether it reaches `target`."""
    if not value or not reference:
        return "—", None
    return f"{value / reference:.2f}", value / reference >= target


def at_most(value: float | None, reference: float | None, target: float) -> tuple[str, bool | None]:
    if value is None or not reference:
        return "—", None
    return f"{value / reference:.2f}", value / reference <= target


def render(header_line: str) -> str:
    if not _rows:
        return ""
    return table(
        f"summary: feedsvc against the targets of issues 6 and 17 ({header_line})",
        ["figure", "feedsvc", "compared with", "ratio", "target", "verdict"],
        _rows,
        [
            "ratios are feedsvc ÷ the figure it is compared with, both measured in this run; "
            "the detailed tables above say how each was measured"
        ],
    )


def clear() -> None:
    _rows.clear()
