"""`feedsvc stats --import LOGFILE`: the same figures for feeds that nginx, Apache or a CDN served from
the static build, read from an access log in the combined format —

    $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"

(nginx's predefined `combined`; Apache's `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`).
Every GET or HEAD of a subscription feed answered 200 or 304 is counted as the service counts it.

A file is known by a digest of its first line, with how many of its lines were imported: importing a
log again, or after it has grown, or once rotated (access.log → access.log.1, even gzipped), adds only
lines not imported before. The lines themselves, their addresses and User-Agents are not kept.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import itertools
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from ..paths import local_path
from ..words import plural
from .counter import COUNTED_STATUSES, DailySalt, Tally, counted

if TYPE_CHECKING:
    from .db import Database

_QUOTED = r'"((?:[^"\\]|\\.)*)"'
_LINE = re.compile(rf"^(\S+) \S+ \S+ \[([^\]]+)\] {_QUOTED} (\d{{3}}) (\d+|-) {_QUOTED} {_QUOTED}")
_TIME = re.compile(r"^(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$")
_ESCAPE = re.compile(r"\\x([0-9A-Fa-f]{2})|\\(.)")
MONTHS = {
    name: index
    for index, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1
    )
}


@dataclass(frozen=True)
class Request:
    when: float
    address: str
    method: str
    path: str  # as requested, decoded, without the query
    status: int
    nbytes: int
    user_agent: str


@dataclass
class Imported:
    source: str  # the file's name, for people
    lines: int = 0  # read in this run
    skipped: int = 0  # imported by an earlier run
    counted: int = 0  # feed requests added to the figures
    unreadable: int = 0  # not in the combined format

    def summary(self) -> str:
        return (
            f"{self.source}: {plural(self.counted, 'feed request')} counted from "
            f"{plural(self.lines, 'new line')}"
            + (f" ({self.skipped:,} imported before)" if self.skipped else "")
            + (f"; {plural(self.unreadable, 'line')} not in the combined format" if self.unreadable else "")
        )


def parse_line(line: str) -> Request | None:
    """One combined-format line, or None if it is not one."""
    match = _LINE.match(line)
    if match is None:
        return None
    address, stamp, request, status, nbytes, _, agent = match.groups()
    when = _timestamp(stamp)
    method, _, rest = _unescape(request).partition(" ")
    target = rest.rpartition(" ")[0] if rest.count(" ") else rest
    if when is None:
        return None
    if target.startswith(("http://", "https://")):  # absolute-form request target
        target = urlsplit(target).path or "/"
    path = unquote(target.partition("?")[0], errors="surrogateescape")
    return Request(when, address, method, path, int(status), 0 if nbytes == "-" else int(nbytes), _unescape(agent))


def _timestamp(stamp: str) -> float | None:
    """nginx's $time_local / Apache's %t ("10/Oct/2000:13:55:36 -0700"), read without the locale."""
    match = _TIME.match(stamp)
    if match is None or match.group(2) not in MONTHS:
        return None
    day, month, year, hour, minute, second, sign, off_hours, off_minutes = match.groups()
    offset = timedelta(hours=int(off_hours), minutes=int(off_minutes)) * (1 if sign == "+" else -1)
    try:
        moment = datetime(
            int(year), MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=timezone(offset)
        )
    except ValueError:
        return None
    return moment.timestamp()


def _unescape(text: str) -> str:
    """nginx writes a quote or control byte as \\xHH, Apache as \\" and \\\\: back to the header's text
    (one character per byte, as WSGI hands the service a header)."""
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), text)


def open_log(name: str) -> IO[str]:
    """A log file by name ("-": standard input), gunzipped if it is compressed, decoded byte for byte."""
    if name == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="latin-1", newline="")
    with Path(name).open("rb") as sniff:
        compressed = sniff.read(2) == b"\x1f\x8b"
    if compressed:
        return gzip.open(name, "rt", encoding="latin-1", newline="")
    return Path(name).open(encoding="latin-1", newline="")


def import_log(lines: Iterable[str], database: Database, prefix: str = "", name: str = "log") -> Imported:
    """Count the feed requests of a combined log (lines not imported before) into `database`.

    `prefix` is the base URL's path ("feeds/"): requests may carry it or not, as they reach the service.
    """
    result = Imported(name)
    tally = Tally(DailySalt())  # a salt of this run's own: the hashes mean nothing anywhere else
    lines = iter(lines)
    first = next(lines, None)
    if first is None:
        return result
    source = hashlib.sha256(first.rstrip("\r\n").encode("latin-1")).hexdigest()
    done = database.imported_lines(source)
    position = 0
    for line in itertools.chain([first], lines):
        position += 1
        if position <= done:
            result.skipped += 1
            continue
        result.lines += 1
        request = parse_line(line.rstrip("\r\n"))
        if request is None:
            result.unreadable += 1
            continue
        if request.method not in ("GET", "HEAD") or request.status not in COUNTED_STATUSES:
            continue
        path = local_path(request.path[1:], prefix) if request.path.startswith("/") else ""
        if not counted(path):
            continue
        tally.add(
            request.when,
            path,
            request.status,
            request.nbytes if request.method == "GET" else 0,
            request.user_agent,
            request.address,
        )
        result.counted += 1
    if result.lines:
        database.write(tally, imported=(source, position))
    return result
