"""The dates editors write, row by row against docs/FORMAT.md ("Dates"): ISO 8601 or anything
python-dateutil reads; no zone means the site's zone; no time means midnight; only the abbreviations
that mean one offset everywhere; years 1900 to 9998; an incomplete date is refused, not completed."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from feedsvc.source.dates import DateError, parse_date

SITE_ZONE = ZoneInfo("America/Los_Angeles")  # PDT (-07:00) in May, PST (-08:00) in January


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "value, moment",
    [
        pytest.param("2013-05-02T17:40:00-07:00", utc(2013, 5, 3, 0, 40), id="ISO 8601 with an offset"),
        pytest.param("2013-05-02T17:40:00Z", utc(2013, 5, 2, 17, 40), id="ISO 8601 in UTC"),
        pytest.param("2013-05-02T17:40:00+05:30", utc(2013, 5, 2, 12, 10), id="a half-hour offset"),
        pytest.param("2013-05-02 17:40", utc(2013, 5, 3, 0, 40), id="no zone: the site's, PDT in May"),
        pytest.param("2013-01-02 17:40", utc(2013, 1, 3, 1, 40), id="no zone: the site's, PST in January"),
        pytest.param("2013-05-02", utc(2013, 5, 2, 7, 0), id="no time: midnight in the site's zone"),
        pytest.param("May 2, 2013 5:40 pm PDT", utc(2013, 5, 3, 0, 40), id="FORMAT.md's example"),
        pytest.param("May 2, 2013 5:40 pm EST", utc(2013, 5, 2, 22, 40), id="EST is -05:00 wherever it is read"),
        pytest.param("2 May 2013 17:40 GMT", utc(2013, 5, 2, 17, 40), id="GMT"),
        pytest.param("2013-05-02 17:40 UTC", utc(2013, 5, 2, 17, 40), id="UTC"),
        pytest.param("Thu, 02 May 2013 17:40:00 +0000", utc(2013, 5, 2, 17, 40), id="RFC 822, as feeds write it"),
        pytest.param("  2013-05-02T17:40:00Z \n", utc(2013, 5, 2, 17, 40), id="surrounding whitespace"),
        pytest.param(dt.date(2013, 5, 2), utc(2013, 5, 2, 7, 0), id="a YAML date: midnight in the site's zone"),
        pytest.param(
            datetime(2013, 5, 2, 17, 40), utc(2013, 5, 3, 0, 40), id="a naive YAML timestamp: the site's zone"
        ),
        pytest.param(datetime(2013, 5, 2, 17, 40, tzinfo=dt.UTC), utc(2013, 5, 2, 17, 40), id="an aware datetime"),
        pytest.param("1900-01-01T00:00:00Z", utc(1900, 1, 1), id="the first moment allowed"),
        pytest.param("9998-12-31T23:59:59Z", utc(9998, 12, 31, 23, 59, 59), id="the last moment allowed"),
    ],
)
def test_a_date_is_read_as_an_aware_utc_moment(value, moment):
    parsed = parse_date(value, SITE_ZONE)
    assert parsed == moment
    assert parsed.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    "value, reason",
    [
        pytest.param("tomorrow-ish", "is not a date", id="not a date"),
        pytest.param("", "is not a date", id="empty"),
        pytest.param("   ", "is not a date", id="blank"),
        pytest.param(20130502, "is not a date", id="a number"),
        pytest.param(["2013-05-02"], "is not a date", id="a list"),
        pytest.param("May 2013", "not a complete date", id="no day: refused, not completed from today"),
        pytest.param("May 2 17:40", "not a complete date", id="no year: refused, not completed from today"),
        pytest.param("2013-05-02 17:40 IST", "write an offset", id="IST names several offsets: ambiguous"),
        pytest.param("2013-05-02 17:40 CEST", "write an offset", id="an abbreviation outside the list"),
        pytest.param("1899-12-31T23:59:59Z", "outside the years", id="before 1900"),
        pytest.param("9999-01-01T00:00:00Z", "outside the years", id="after 9998"),
        pytest.param("2013-02-30", "is not a date", id="February has no 30th"),
        pytest.param("x" * 101, "is not a date", id="too long to be a date"),
    ],
)
def test_what_is_not_a_usable_date_is_refused_with_a_reason(value, reason):
    with pytest.raises(DateError, match=reason):
        parse_date(value, SITE_ZONE)
