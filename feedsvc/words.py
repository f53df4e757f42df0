"""Counts in words, for what people read: "1 problem", "2 problems", "12,000 files"."""

from __future__ import annotations

_IRREGULAR = {"story": "stories", "entry": "entries", "day": "days", "is": "are", "was": "were"}


def plural(count: int, singular: str, many: str | None = None) -> str:
    """`count` and the noun that agrees with it; `many` when the plural is not the singular + "s"."""
    if count == 1:
        return f"1 {singular}"
    return f"{count:,} {many or _IRREGULAR.get(singular) or singular + 's'}"
