"""What a GET or HEAD asks of a document: which encoding (RFC 9110 §12.5.3) and which answer its
preconditions call for (§13.2.2), for the Flask view and the warm path alike.

Written out rather than left to Werkzeug's `make_conditional`, which takes `If-Match: *` for a
mismatch, ignores If-Unmodified-Since, and lets a passing If-Match hide If-None-Match.
"""

from __future__ import annotations

from datetime import datetime

from werkzeug.datastructures import Headers
from werkzeug.http import parse_date, parse_etags

OK, NOT_MODIFIED, PRECONDITION_FAILED = 200, 304, 412


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether the client takes gzip: named (or as x-gzip) with a non-zero quality, or covered by `*`.

    Codings are case-insensitive (§8.4.1); x-gzip is gzip (§8.4.1.3); a coding the client does not name
    is acceptable under a `*` of non-zero quality (§12.5.3).
    """
    if not accept_encoding:
        return False
    named: float | None = None
    star: float | None = None
    for member in accept_encoding.split(","):
        coding, _, parameters = member.partition(";")
        coding = coding.strip().lower()
        quality = _quality(parameters)
        if coding in ("gzip", "x-gzip"):
            named = quality if named is None else max(named, quality)
        elif coding == "*":
            star = quality
    if named is not None:
        return named > 0
    return star is not None and star > 0


def _quality(parameters: str) -> float:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value.strip()), 0.0), 1.0)
            except ValueError:
                return 0.0  # a malformed weight counts as "not acceptable"
    return 1.0


def evaluate(headers: Headers, etag: str, last_modified: datetime | None) -> int:
    """OK, NOT_MODIFIED or PRECONDITION_FAILED for a GET or HEAD of the representation whose quoted
    strong `etag` and `last_modified` are given, in the order RFC 9110 §13.2.2 sets out."""
    tag = etag.strip('"')
    if_match = headers.get("If-Match")
    if if_match is not None:
        tags = parse_etags(if_match)
        if not (tags.star_tag or tags.contains(tag)):  # strong comparison (§13.1.1)
            return PRECONDITION_FAILED
    else:
        unmodified_since = _date(headers.get("If-Unmodified-Since"))
        if (
            unmodified_since is not None
            and last_modified is not None
            and last_modified.replace(microsecond=0) > unmodified_since
        ):
            return PRECONDITION_FAILED
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = parse_etags(if_none_match)
        return NOT_MODIFIED if tags.star_tag or tags.contains_weak(tag) else OK  # weak comparison (§13.1.2)
    modified_since = _date(headers.get("If-Modified-Since"))
    if (
        modified_since is not None
        and last_modified is not None
        and last_modified.replace(microsecond=0) <= modified_since
    ):
        return NOT_MODIFIED
    return OK


def _date(value: str | None) -> datetime | None:
    """An HTTP-date, or None for anything else (an invalid date is ignored, never an error)."""
    if not value or "," in value.partition(",")[2]:  # a list of dates is not a date (§13.1.3)
        return None
    try:
        return parse_date(value)
    except (ValueError, OverflowError):
        return None
