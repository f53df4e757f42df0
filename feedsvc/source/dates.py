"""Reading the dates editors write, into aware UTC datetimes.

ISO 8601 first (fast, exact), then python-dateutil for the forms people type. A date with no zone
takes the site's zone; a date missing its year, month or day is refused rather than silently
completed from today's date, so the same file always means the same moment.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dateutil.parser import parser as DateutilParser

# Abbreviations that name one offset wherever they are read. Others ("IST", "CST" in China…) are
# ambiguous, so they are refused with a request for an offset.
_ZONE_ABBREVIATIONS: dict[str, int] = {
    "UTC": 0,
    "UT": 0,
    "GMT": 0,
    "Z": 0,
    "EST": -5 * 3600,
    "EDT": -4 * 3600,
    "CST": -6 * 3600,
    "CDT": -5 * 3600,
    "MST": -7 * 3600,
    "MDT": -6 * 3600,
    "PST": -8 * 3600,
    "PDT": -7 * 3600,
    "AKST": -9 * 3600,
    "AKDT": -8 * 3600,
    "HST": -10 * 3600,
}
MIN_YEAR, MAX_YEAR = 1900, 9998
_DAY = 86_400

_DEFAULT_A = datetime(2001, 1, 1)
_DEFAULT_B = datetime(2002, 2, 2)


class DateError(ValueError):
    """A value that is not a usable date; str() is the reason, for an editor."""


def _offset_text(seconds: int) -> str:
    sign, seconds = ("-", -seconds) if seconds < 0 else ("+", seconds)
    return f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


@functools.cache
def _parser() -> DateutilParser:
    """python-dateutil's parser, imported by the first date that is not ISO 8601 (most stores have none,
    and a one-off rebuild's process start is short on time)."""
    from dateutil import parser as dateutil_parser

    return dateutil_parser.parser()


def _zone_for(name: str | None, offset: int | None) -> tzinfo | None:
    from dateutil import tz as dateutil_tz  # loaded with the parser that calls this

    if offset is not None:
        if not -_DAY < offset < _DAY:  # Python's datetime holds offsets under a day; none is used past ±14 h
            raise DateError(
                f"has the time-zone offset {_offset_text(offset)}; an offset is less than a day "
                "(-12:00 to +14:00 are in use): write the zone's offset, such as -07:00"
            )
        return dateutil_tz.tzoffset(name, offset)
    if name is None:
        return None
    key = name.upper()
    if key in _ZONE_ABBREVIATIONS:
        return dateutil_tz.tzoffset(key, _ZONE_ABBREVIATIONS[key])
    raise DateError(f"unknown or ambiguous time zone {name!r}; write an offset such as -07:00")


def _parse_text(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        first = _parser().parse(text, default=_DEFAULT_A, tzinfos=_zone_for)
        second = _parser().parse(text, default=_DEFAULT_B, tzinfos=_zone_for)
    except DateError:
        raise
    except (ValueError, OverflowError, TypeError, ArithmeticError):
        raise DateError("is not a date") from None
    if first.date() != second.date():
        raise DateError("is not a complete date (it needs a year, a month and a day)")
    return first


# Three numbers with the day, the month and the year in an order the text does not say (04/05/2013).
_NUMERIC_DATE = re.compile(r"(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(?!\d)")


def ambiguity(value: object) -> str | None:
    """How a date that could be read more than one way was read ("04/05/2013": 5 April or 4 May), and
    how to write it so it can't be; None for a date that means one day only (ISO 8601 never doubts).
    Month first, as python-dateutil reads it unless told otherwise: the reading is kept, only said."""
    if not isinstance(value, str) or not _NUMERIC_DATE.search(value):
        return None
    text = value.strip()
    try:
        datetime.fromisoformat(text)
        return None
    except ValueError:
        pass
    try:
        read = _parser().parse(text, default=_DEFAULT_A, tzinfos=_zone_for).date()
        others = {
            _parser().parse(text, default=_DEFAULT_A, tzinfos=_zone_for, dayfirst=True).date(),
            _parser().parse(text, default=_DEFAULT_A, tzinfos=_zone_for, yearfirst=True).date(),
        }
    except (DateError, ValueError, OverflowError, TypeError, ArithmeticError):
        return None
    others.discard(read)
    if not others:
        return None
    return (
        f"could mean {' or '.join(map(_day, sorted(others)))} as well: it was read as {_day(read)} (month "
        f"first); write the date as {read.isoformat()} (ISO 8601, year-month-day) to be sure"
    )


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def parse_date(value: object, site_zone: tzinfo) -> datetime:
    """Return `value` as an aware UTC datetime, or raise DateError saying why it is not one."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 100:
            raise DateError("is not a date")
        moment = _parse_text(text)
    else:
        raise DateError("is not a date")
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=site_zone)
    try:
        moment = moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise DateError(f"is outside the years {MIN_YEAR}–{MAX_YEAR}") from None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise DateError(f"is outside the years {MIN_YEAR}–{MAX_YEAR}")
    return moment.replace(microsecond=0) if moment.microsecond else moment
