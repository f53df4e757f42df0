"""Load over HTTP for the serving benchmarks: wrk against a feed on 127.0.0.1 (its requests/s and
latencies, checked against the bytes a probe saw), and the request variants (plain, gzip, 304)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field

from . import peers, proc

BASE_URL = "https://feeds.news.example.com/"
SECTION = "section-00"
FEED = f"/sections/{SECTION}/rss.xml"
UNITS = {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}


def probe(port: int) -> dict:
    """Fetch the feed three ways and check the service answers as README says, before loading it."""
    status, headers, body = proc.get(port, FEED)
    gz_status, gz_headers, gz_body = proc.get(port, FEED, {"Accept-Encoding": "gzip"})
    etag = headers.get("etag", "")
    not_modified, nm_headers, nm_body = proc.get(port, FEED, {"If-None-Match": etag})
    problems = [
        what
        for what, bad in (
            (f"plain GET answered {status}", status != 200),
            (
                f"gzip GET answered {gz_status} with Content-Encoding {gz_headers.get('content-encoding')}",
                gz_status != 200 or gz_headers.get("content-encoding") != "gzip",
            ),
            (f"If-None-Match {etag} answered {not_modified} with {len(nm_body)} bytes", not_modified != 304 or nm_body),
            (f"feed has {body.count(b'<item>')} items, not 50", body.count(b"<item>") != 50 and status == 200),
        )
        if bad
    ]
    if problems:
        raise RuntimeError("feed check failed: " + "; ".join(problems))
    return {
        "body": body,
        "gzip_body": gz_body,
        "content-type": headers["content-type"],
        "etag": etag,
        "gzip_etag": gz_headers["etag"],
        "cache-control": headers["cache-control"],
    }


def wrk(port: int, headers: dict[str, str], duration: int, threads: int, connections: int, path: str = FEED) -> dict:
    """One bounded wrk run against one path; requests/s, latency percentiles and bytes per response."""
    command = [peers.wrk(), f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        command + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, timeout=duration + 60, check=True
    ).stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+), ([\d.]+)(\w+) read", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad_status = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(total.group(1))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": requests,
        "p50": _latency(out, "50%"),
        "p99": _latency(out, "99%"),
        "bytes": float(total.group(4)) * UNITS[total.group(5)] / max(1, requests),
        "errors": sum(map(int, errors.groups()[:3])) if errors else 0,
        "timeouts": int(errors.group(4)) if errors else 0,
        "bad_status": int(bad_status.group(1)) if bad_status else 0,
    }


def _latency(out: str, percentile: str) -> float:
    value, unit = re.search(rf"^\s+{percentile}\s+([\d.]+)(\w+)", out, re.M).groups()
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


@dataclass
class Load:
    """One kind of request to one server: what wrk sends, and the body size every answer must have."""

    server: str
    request: str
    port: int
    headers: dict[str, str] = field(default_factory=dict)
    body: int | None = None  # bytes of the body each answer carries (None: any non-empty body)
    path: str = FEED


def check_load(load: Load, result: dict) -> None:
    """wrk counts 304s as successes: the bytes per response tell which representation was really sent
    (within 1%: wrk prints the total read with three significant figures). A peer slow enough to time
    out is reported (timeouts column), not failed."""
    size = result["bytes"]
    expected = (0.99 * load.body <= size < 1.01 * load.body + 2048) if load.body is not None else size > 1024
    if result["errors"] or result["bad_status"] or not expected or not result["requests"]:
        raise RuntimeError(
            f"{load.server} {load.request} load: {result['errors']} socket errors, "
            f"{result['bad_status']} bad statuses, {result['requests']} requests, "
            f"{size:,.0f} bytes per response"
        )


def variants(feed: dict) -> dict[str, dict[str, str]]:
    return {"plain": {}, "gzip": {"Accept-Encoding": "gzip"}, "304": {"If-None-Match": feed["etag"]}}


def load_all(loads: list[Load], duration: int, threads: int, connections: int, rounds: int) -> dict:
    """Each load in turn, `rounds` times, keeping each one's best run: the two sides of a ratio are
    measured seconds apart, and a burst of other load on a shared machine has to hit every round to show."""
    best: dict[tuple[str, str], dict] = {}
    for _ in range(rounds):
        for load in loads:
            result = wrk(load.port, load.headers, duration, threads, connections, load.path)
            check_load(load, result)
            key = (load.server, load.request)
            if key not in best or result["rps"] > best[key]["rps"]:
                best[key] = result
    return best
