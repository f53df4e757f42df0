"""The dates editors write: a date that cannot be used is a named problem with its fix, never
"please report this" (an exception the parser did not expect)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from dateutil import tz
from hypothesis import example, given, settings
from hypothesis import strategies as st

from feedsvc.source.dates import DateError, parse_date
from feedsvc.store.store import Store

from .conftest import article

SITE_ZONE = tz.gettz("America/Los_Angeles")


@pytest.mark.parametrize(
    "text",
    [
        "2013-05-02T17:40:00+25:00",
        "2013-05-02 17:40 +25:00",
        "2013-05-02 17:40 -2500",
        "May 2, 2013 5:40 pm +99:00",
        "2013-05-02 17:40 UTC+25",
    ],
)
def test_an_offset_a_day_or_more_is_named_with_its_fix(text):
    with pytest.raises(DateError) as raised:
        parse_date(text, SITE_ZONE)
    message = str(raised.value)
    assert "offset" in message and "-07:00" in message, message


def test_the_widest_real_offsets_are_read():
    assert parse_date("2013-05-02T17:40:00+14:00", SITE_ZONE) == datetime(2013, 5, 2, 3, 40, tzinfo=UTC)
    assert parse_date("2013-05-02T17:40:00-12:00", SITE_ZONE) == datetime(2013, 5, 3, 5, 40, tzinfo=UTC)


def test_an_article_with_such_an_offset_names_the_field_and_the_value(store_dir):
    store_dir.write("world/a.md", article(published="2013-05-02T17:40:00+25:00"))
    store_dir.write(
        "world/b.md", article(title="Another", published="2013-05-02T17:40:00Z", updated="2013-05-03 9:00 +2500")
    )
    store = Store(store_dir.root, media_base_url="https://feeds.example.com/")
    store.refresh()
    found = {p.path.rsplit("/", 1)[1]: (p.field, p.message, p.severity) for p in store.snapshot.problems}
    assert found["a.md"][0] == "published" and found["a.md"][2] == "error"
    assert found["a.md"][1].startswith("'2013-05-02T17:40:00+25:00' has the time-zone offset +25:00"), found
    assert found["b.md"][0] == "updated" and "+25:00" in found["b.md"][1]
    assert not [p for p in store.snapshot.problems if "please report" in p.message]


_DATE_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789-+:TZ ./,apmAPMUTCESDGJanMyOctx", max_size=40),
    st.builds(
        lambda y, m, d, h, mi, sign, oh, om, sep: (
            f"{y:04d}-{m:02d}-{d:02d}{sep}{h:02d}:{mi:02d}{sign}{oh:02d}:{om:02d}"
        ),
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 61),
        st.sampled_from("+-"),
        st.integers(0, 99),
        st.integers(0, 99),
        st.sampled_from(["T", " "]),
    ),
    st.builds(
        lambda date, zone: f"{date} {zone}",
        st.sampled_from(["2013-05-02 17:40", "May 2 2013 5pm", "1900-01-01", "9998-12-31 23:59", "1 Jan 0001"]),
        st.sampled_from(
            [
                "+2500",
                "-2400",
                "+2359",
                "UTC+25",
                "GMT-99",
                "+99:99",
                "-0000",
                "PDT",
                "XYZ",
                "+1:5",
                "Z+3",
                "UTC+0100",
                "+001:00",
            ]
        ),
    ),
)


@pytest.mark.costly
@settings(max_examples=1500, deadline=None)
@given(st.one_of(_DATE_TEXT, st.datetimes(timezones=st.none() | st.timezones()), st.dates()))
@example("2013-05-02T17:40:00+25:00")
@example("0001-01-01T00:00:00+01:00")
@example("9999-12-31T23:59:59-01:00")
@example("9999-12-31 23:59:59 UTC-12")
def test_any_value_is_a_date_or_a_named_date_error(value):
    try:
        moment = parse_date(value, SITE_ZONE)
    except DateError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert moment.tzinfo is UTC and 1900 <= moment.year <= 9998


@pytest.mark.parametrize("zone", ["America", "Europe/" + "x" * 300])
def test_a_site_timezone_that_names_a_folder_or_is_too_long_is_named(store_dir, zone):
    """Zone names are looked up as files: a folder of zones or an overlong name once read as an
    unreadable site file, naming no field."""
    store_dir.write_site(timezone=zone)
    store = Store(store_dir.root, media_base_url="https://feeds.example.com/")
    store.refresh()
    found = [(p.field, p.message) for p in store.snapshot.problems]
    assert ("timezone", f"{zone!r} is not an IANA time zone name (e.g. America/Los_Angeles)") in found, found
