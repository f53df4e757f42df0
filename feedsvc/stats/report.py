"""The stored daily figures → what a person asks: per feed, the estimated subscribers (the aggregators'
reported counts plus the direct readers of the latest day with figures), how that changed over 7 and 30
days, and the polls, share of 304s and bytes over the window — as a table, as JSON, or for the page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .db import Database

from ..words import plural

ALL_FEEDS = "all feeds"
DIRECT_READERS = "direct readers"


@dataclass
class FeedFigures:
    feed: str
    day: str | None = None  # the latest day with figures
    aggregators: dict[str, int] = field(default_factory=dict)  # that day: each aggregator's count
    direct: int = 0  # that day: distinct direct readers
    change_7: int | None = None
    change_30: int | None = None
    polls: int = 0  # over the window, like ok, not_modified, bytes
    ok: int = 0
    not_modified: int = 0
    bytes: int = 0
    history: dict[str, int] = field(default_factory=dict)  # day → estimated subscribers, within the window

    @property
    def subscribers(self) -> int:
        return sum(self.aggregators.values()) + self.direct

    @property
    def share_304(self) -> float | None:
        return self.not_modified / self.polls if self.polls else None

    def as_json(self) -> dict[str, Any]:
        return {
            "feed": self.feed,
            "day": self.day,
            "subscribers": self.subscribers,
            "aggregators": dict(sorted(self.aggregators.items())),
            "direct": self.direct,
            "change_7": self.change_7,
            "change_30": self.change_30,
            "polls": self.polls,
            "ok": self.ok,
            "not_modified": self.not_modified,
            "share_304": self.share_304,
            "bytes": self.bytes,
            "history": [{"day": day, "subscribers": count} for day, count in sorted(self.history.items())],
        }


@dataclass
class Report:
    first: str  # the window's first and last days (UTC)
    last: str
    days: int
    feeds: list[FeedFigures]
    total: FeedFigures

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.first,
            "to": self.last,
            "days": self.days,
            "feeds": [feed.as_json() for feed in self.feeds],
            "total": self.total.as_json(),
        }

    def shares(self) -> dict[str, int]:
        """Who the estimated subscribers of the latest day read through: each aggregator, and direct readers."""
        shares = dict(self.total.aggregators)
        if self.total.direct:
            shares[DIRECT_READERS] = self.total.direct
        return dict(sorted(shares.items(), key=lambda item: (-item[1], item[0])))

    def table(self) -> str:
        header = ["feed", "subscribers", "7 days", "30 days", "polls", "304s", "bytes"]
        rows = [row_cells(figures) for figures in [*self.feeds, self.total]]
        widths = [max(len(str(cells[i])) for cells in [header, *rows]) for i in range(len(header))]
        lines = [
            f"subscriber statistics, {self.first} to {self.last} (UTC, {plural(self.days, 'day')}); subscribers = "
            "the aggregators' reported counts + distinct direct readers, on each feed's latest day"
        ]
        for index, cells in enumerate([header, *rows]):
            if index == len(rows):  # the total, under a rule
                lines.append("  ".join("-" * width for width in widths))
            lines.append(
                "  ".join(
                    str(cell).ljust(width) if column == 0 else str(cell).rjust(width)
                    for column, (cell, width) in enumerate(zip(cells, widths, strict=True))
                ).rstrip()
            )
        return "\n".join(lines)


def row_cells(figures: FeedFigures) -> list[str]:
    share = figures.share_304
    return [
        figures.feed,
        f"{figures.subscribers:,}",
        _change(figures.change_7),
        _change(figures.change_30),
        f"{figures.polls:,}",
        "—" if share is None else f"{share:.0%}",
        human_bytes(figures.bytes),
    ]


def _change(value: int | None) -> str:
    return "—" if value is None else f"{value:+,}"


def human_bytes(count: int) -> str:
    size = float(count)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1000
    return f"{count} B"


def report(database: Database, today: date, days: int = 30, feed: str | None = None) -> Report:
    """The figures of the `days` days up to `today` (and the 30 before them, for the changes)."""
    first = today - timedelta(days=days - 1)
    stored = database.figures((first - timedelta(days=30)).isoformat(), today.isoformat(), feed)
    direct: dict[str, dict[str, int]] = defaultdict(dict)  # feed → day → readers
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))  # feed → day → agg
    feeds: dict[str, FeedFigures] = {}
    total = FeedFigures(ALL_FEEDS)
    for day, name, polls, ok, not_modified, nbytes, readers in stored["daily"]:
        direct[name][day] = readers
        if day >= first.isoformat():
            for figures in (feeds.setdefault(name, FeedFigures(name)), total):
                figures.polls += polls
                figures.ok += ok
                figures.not_modified += not_modified
                figures.bytes += nbytes
    for day, name, aggregator, count in stored["reported"]:
        counts[name][day][aggregator] = count
    every_day: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))  # for the total
    for name in sorted(set(direct) | set(counts)):
        estimate = {
            day: sum(counts[name][day].values()) + direct[name].get(day, 0)
            for day in set(direct[name]) | set(counts[name])
        }
        for day, value in estimate.items():
            every_day[day]["subscribers"] += value
        figures = feeds.setdefault(name, FeedFigures(name))
        _fill(figures, estimate, first)
        if figures.day is not None:
            figures.aggregators = dict(counts[name].get(figures.day, {}))
            figures.direct = direct[name].get(figures.day, 0)
    total_estimate = {day: values["subscribers"] for day, values in every_day.items()}
    _fill(total, total_estimate, first)
    if total.day is not None:  # the latest day's subscribers, by whom they read through
        for name in feeds:
            for aggregator, count in counts[name].get(total.day, {}).items():
                total.aggregators[aggregator] = total.aggregators.get(aggregator, 0) + count
            total.direct += direct[name].get(total.day, 0)
    shown = [feeds[name] for name in sorted(feeds) if feeds[name].day is not None or feeds[name].polls]
    return Report(first.isoformat(), today.isoformat(), days, shown, total)


def _fill(figures: FeedFigures, estimate: dict[str, int], first: date) -> None:
    """The latest day, the changes over 7 and 30 days from it, and the history within the window."""
    in_window = {day: value for day, value in estimate.items() if day >= first.isoformat()}
    figures.history = dict(sorted(in_window.items()))
    if not in_window:
        return
    figures.day = max(in_window)
    latest = date.fromisoformat(figures.day)
    for span in (7, 30):
        before = estimate.get((latest - timedelta(days=span)).isoformat())
        setattr(figures, f"change_{span}", None if before is None else estimate[figures.day] - before)
