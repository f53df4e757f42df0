"""The statistics page for people at /_stats/: a Report drawn as server-side SVG — subscribers of all
feeds per day, the share of each aggregator and of direct readers, and a table of every feed with its
own small chart. No script and nothing loaded from elsewhere: one self-contained HTML document.

Pure: a Report in, text out; serving it (and who may see it) is the service's business.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from .report import ALL_FEEDS, FeedFigures, Report, human_bytes, row_cells

STYLE = """
body { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0;
       color: #1a1a1a; background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; margin: .5rem 0; } h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
.note { color: #444; margin: 0 0 1rem; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 12px system-ui, "DejaVu Sans", sans-serif; fill: #333; }
.line { fill: none; stroke: #0b5cad; stroke-width: 2.5; }
.point { fill: #0b5cad; } .axis { stroke: #999; stroke-width: 1; }
.bar { fill: #0b5cad; } .bar.direct { fill: #2e7d32; }
.spark { fill: none; stroke: #0b5cad; stroke-width: 1.5; }
.wide { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: .35rem .5rem; border-bottom: 1px solid #ddd; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
tr.total td { font-weight: 600; border-top: 2px solid #999; }
"""
CHART_WIDTH, CHART_HEIGHT, MARGIN = 640, 240, 44


def render(report: Report, generated: str) -> str:
    """The whole page; `generated` says when (the figures are the stored ones at that moment)."""
    rows = "\n".join(_table_row(figures, report) for figures in report.feeds)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Subscribers — feed statistics</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<h1>Subscribers</h1>
<p class="note">{escape(report.first)} to {escape(report.last)} (UTC days), as of {escape(generated)}.
Estimated subscribers are the counts the aggregators report plus the distinct direct readers of a feed's
latest day; a direct reader is counted once a day, by a hash that cannot be traced back to it.</p>
<section aria-labelledby="over-time">
<h2 id="over-time">All feeds: estimated subscribers per day</h2>
{line_chart(report.total, report.first, report.last)}
</section>
<section aria-labelledby="through">
<h2 id="through">Who they read through, {escape(report.total.day or report.last)}</h2>
{share_chart(report.shares())}
</section>
<section aria-labelledby="feeds">
<h2 id="feeds">Feeds</h2>
<div class="wide"><table>
<thead><tr><th scope="col">feed</th><th scope="col">subscribers</th><th scope="col">7 days</th>
<th scope="col">30 days</th><th scope="col">polls</th><th scope="col">304s</th><th scope="col">bytes</th>
<th scope="col">per day</th></tr></thead>
<tbody>
{rows}
{_table_row(report.total, report, css="total")}
</tbody>
</table></div>
</section>
</main>
</body>
</html>
"""


def _days(first: str, last: str) -> list[str]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=offset)).isoformat() for offset in range((end - start).days + 1)]


def line_chart(figures: FeedFigures, first: str, last: str) -> str:
    """Subscribers per day: a line through the days that have figures, a dot with its number on each."""
    days = _days(first, last)
    values = [(index, day, figures.history[day]) for index, day in enumerate(days) if day in figures.history]
    top = _nice_top(max((value for _, _, value in values), default=0))
    inner_w, inner_h = CHART_WIDTH - 2 * MARGIN, CHART_HEIGHT - 2 * MARGIN

    def x(index: int) -> float:
        return MARGIN + (inner_w * index / (len(days) - 1) if len(days) > 1 else inner_w / 2)

    def y(value: int) -> float:
        return CHART_HEIGHT - MARGIN - inner_h * value / top

    points = " ".join(f"{x(index):.1f},{y(value):.1f}" for index, _, value in values)
    dots = "\n".join(
        f'<circle class="point" cx="{x(index):.1f}" cy="{y(value):.1f}" r="4" data-day="{day}" '
        f'data-value="{value}"><title>{day}: {value:,} subscribers</title></circle>'
        for index, day, value in values
    )
    label = f"Estimated subscribers of {escape(figures.feed)} per day, {first} to {last}" + (
        f": {values[-1][2]:,} on {values[-1][1]}" if values else ": no figures yet"
    )
    bottom = CHART_HEIGHT - MARGIN
    return f"""<svg class="chart over-time" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" width="{CHART_WIDTH}" \
height="{CHART_HEIGHT}" role="img" aria-label="{label}">
<line class="axis" x1="{MARGIN}" y1="{bottom}" x2="{CHART_WIDTH - MARGIN}" y2="{bottom}"/>
<line class="axis" x1="{MARGIN}" y1="{MARGIN}" x2="{MARGIN}" y2="{bottom}"/>
<text x="{MARGIN - 6}" y="{MARGIN + 4}" text-anchor="end">{top:,}</text>
<text x="{MARGIN - 6}" y="{bottom + 4}" text-anchor="end">0</text>
<text x="{MARGIN}" y="{bottom + 18}">{first}</text>
<text x="{CHART_WIDTH - MARGIN}" y="{bottom + 18}" text-anchor="end">{last}</text>
{f'<polyline class="line" points="{points}"/>' if len(values) > 1 else ""}
{dots}
</svg>"""


def share_chart(shares: dict[str, int]) -> str:
    """One bar per aggregator (and one for direct readers), with its count and share of the whole."""
    if not shares:
        return '<p class="note">No subscribers counted yet.</p>'
    whole, widest = sum(shares.values()), max(shares.values())
    row_h, label_w, bar_w = 28, 170, CHART_WIDTH - 170 - 130
    bars = []
    for row, (name, count) in enumerate(shares.items()):
        top = 8 + row * row_h
        width = max(2.0, bar_w * count / widest)
        css = "bar direct" if name == "direct readers" else "bar"
        bars.append(
            f'<text x="{label_w - 8}" y="{top + 15}" text-anchor="end">{escape(name)}</text>'
            f'<rect class="{css}" x="{label_w}" y="{top}" width="{width:.1f}" height="{row_h - 8}" '
            f'data-name="{escape(name)}" data-value="{count}"><title>{escape(name)}: {count:,}</title></rect>'
            f'<text x="{label_w + width + 6:.1f}" y="{top + 15}">{count:,} ({count / whole:.0%})</text>'
        )
    height = 16 + len(shares) * row_h
    label = "; ".join(f"{name} {count:,}" for name, count in shares.items())
    return (
        f'<svg class="chart shares" viewBox="0 0 {CHART_WIDTH} {height}" width="{CHART_WIDTH}" height="{height}" '
        f'role="img" aria-label="Estimated subscribers by aggregator: {escape(label)}">\n'
        + "\n".join(bars)
        + "\n</svg>"
    )


def sparkline(figures: FeedFigures, first: str, last: str, width: int = 120, height: int = 28) -> str:
    days = _days(first, last)
    values = [(index, figures.history[day]) for index, day in enumerate(days) if day in figures.history]
    top = max((value for _, value in values), default=0) or 1
    step = (width - 4) / max(1, len(days) - 1)
    points = " ".join(
        f"{2 + index * step:.1f},{height - 2 - (height - 4) * value / top:.1f}" for index, value in values
    )
    shape = (
        f'<polyline class="spark" points="{points}"/>'
        if len(values) > 1
        else "".join(
            f'<circle class="point" cx="{2 + index * step:.1f}" cy="{height / 2}" r="2.5"/>' for index, _ in values
        )
    )
    return (
        f'<svg class="chart spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(figures.feed)}: subscribers per day">{shape}</svg>'
    )


def _table_row(figures: FeedFigures, report: Report, css: str = "") -> str:
    cells = row_cells(figures)
    name = "all feeds" if figures.feed == ALL_FEEDS else figures.feed
    title = f' title="{human_bytes(figures.bytes)} = {figures.bytes:,} bytes"'
    return (
        f'<tr class="{css or "feed"}" data-feed="{escape(figures.feed)}">'
        f"<td>{escape(name)}</td>"
        + "".join(f"<td>{escape(cell)}</td>" for cell in cells[1:-1])
        + f"<td{title}>{escape(cells[-1])}</td><td>{sparkline(figures, report.first, report.last)}</td></tr>"
    )


def _nice_top(value: int) -> int:
    """The chart's top: the smallest 1, 2 or 5 × 10ⁿ at or above the highest value (at least 1)."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= value:
                return max(1, step * magnitude)
        magnitude *= 10
