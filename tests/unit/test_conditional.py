"""Conditional requests and content negotiation, row by row against RFC 9110: which coding a client
takes (§12.5.3) and which answer a GET's preconditions call for (§13.2.2). Pure functions, no app."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import Headers

from feedsvc.serve.conditional import NOT_MODIFIED, OK, PRECONDITION_FAILED, accepts_gzip, evaluate


@pytest.mark.parametrize(
    "accept_encoding, gzip",
    [
        pytest.param(None, False, id="absent: no preference, identity is always fine (12.5.3)"),
        pytest.param("", False, id="empty: no content coding wanted (12.5.3)"),
        pytest.param("gzip", True, id="gzip"),
        pytest.param("GZip", True, id="codings are case-insensitive (8.4.1)"),
        pytest.param("x-gzip", True, id="x-gzip is gzip (8.4.1.3)"),
        pytest.param("deflate, br", False, id="gzip not named, no star"),
        pytest.param("identity", False, id="identity only"),
        pytest.param("compress, gzip", True, id="one of a list"),
        pytest.param("br;q=1.0, gzip;q=0.8, *;q=0.1", True, id="named with a lower weight"),
        pytest.param("gzip;q=0", False, id="q=0 means not acceptable (12.4.2)"),
        pytest.param("gzip;q=0.000", False, id="q=0.000 is zero (12.4.2)"),
        pytest.param("gzip;q=0.001", True, id="the smallest non-zero weight (12.4.2)"),
        pytest.param("gzip ; q=0.5", True, id="whitespace around the semicolon (12.4.2 weight = OWS ; OWS)"),
        pytest.param("gzip;Q=0", False, id="parameter names are case-insensitive (5.6.6)"),
        pytest.param("*", True, id="star covers any coding not named (12.5.3)"),
        pytest.param("*;q=0", False, id="star with q=0"),
        pytest.param("*, gzip;q=0", False, id="a named q=0 wins over star (12.5.3)"),
        pytest.param("gzip;q=0, *", False, id="a named q=0 wins over star, in either order"),
        pytest.param("deflate;q=0, *", True, id="star covers gzip when another coding is refused"),
        pytest.param("gzip;q=nonsense", False, id="a malformed weight is not taken as acceptance"),
    ],
)
def test_accepts_gzip(accept_encoding, gzip):
    assert accepts_gzip(accept_encoding) is gzip


ETAG = '"abc"'
MODIFIED = datetime(2013, 5, 2, 17, 40, 0, tzinfo=UTC)
SAME_SECOND = "Thu, 02 May 2013 17:40:00 GMT"
SECOND_BEFORE = "Thu, 02 May 2013 17:39:59 GMT"
DAY_AFTER = "Fri, 03 May 2013 17:40:00 GMT"


@pytest.mark.parametrize(
    "headers, outcome",
    [
        pytest.param({}, OK, id="no preconditions"),
        # If-None-Match: weak comparison; a match is 304 for GET and HEAD (13.1.2)
        pytest.param({"If-None-Match": '"abc"'}, NOT_MODIFIED, id="INM same tag"),
        pytest.param({"If-None-Match": 'W/"abc"'}, NOT_MODIFIED, id="INM weak tag matches weakly (8.8.3.2)"),
        pytest.param({"If-None-Match": '"xyz"'}, OK, id="INM other tag"),
        pytest.param({"If-None-Match": '"xyz", "abc"'}, NOT_MODIFIED, id="INM one of a list"),
        pytest.param({"If-None-Match": "*"}, NOT_MODIFIED, id="INM star: a representation exists"),
        # If-Match: strong comparison; a failure is 412 (13.1.1)
        pytest.param({"If-Match": '"abc"'}, OK, id="IM same tag"),
        pytest.param({"If-Match": 'W/"abc"'}, PRECONDITION_FAILED, id="IM weak tag never matches strongly (8.8.3.2)"),
        pytest.param({"If-Match": '"xyz"'}, PRECONDITION_FAILED, id="IM other tag"),
        pytest.param({"If-Match": "*"}, OK, id="IM star: a representation exists"),
        # If-Modified-Since: HTTP-dates have one-second resolution (5.6.7)
        pytest.param({"If-Modified-Since": SAME_SECOND}, NOT_MODIFIED, id="IMS the Last-Modified itself"),
        pytest.param({"If-Modified-Since": DAY_AFTER}, NOT_MODIFIED, id="IMS later"),
        pytest.param({"If-Modified-Since": SECOND_BEFORE}, OK, id="IMS a second earlier"),
        pytest.param(
            {"If-Modified-Since": "Thursday, 02-May-13 17:40:00 GMT"},
            NOT_MODIFIED,
            id="IMS in the obsolete RFC 850 form must be read (5.6.7)",
        ),
        pytest.param(
            {"If-Modified-Since": "Thu May  2 17:40:00 2013"},
            NOT_MODIFIED,
            id="IMS in asctime form must be read (5.6.7)",
        ),
        pytest.param({"If-Modified-Since": "yesterday"}, OK, id="IMS not a date: ignored (13.1.3)"),
        pytest.param(
            {"If-Modified-Since": f"{SAME_SECOND}, {DAY_AFTER}"}, OK, id="IMS a list of dates: ignored (13.1.3)"
        ),
        # If-Unmodified-Since (13.1.4)
        pytest.param({"If-Unmodified-Since": SECOND_BEFORE}, PRECONDITION_FAILED, id="IUS earlier"),
        pytest.param({"If-Unmodified-Since": SAME_SECOND}, OK, id="IUS the Last-Modified itself"),
        pytest.param({"If-Unmodified-Since": "not a date"}, OK, id="IUS not a date: ignored (13.1.4)"),
        # The order of evaluation (13.2.2)
        pytest.param(
            {"If-Match": '"xyz"', "If-None-Match": '"abc"'},
            PRECONDITION_FAILED,
            id="IM is evaluated before INM (step 1)",
        ),
        pytest.param(
            {"If-Match": '"abc"', "If-None-Match": '"abc"'},
            NOT_MODIFIED,
            id="a passing IM still lets INM answer 304 (steps 1 and 3)",
        ),
        pytest.param(
            {"If-Match": '"abc"', "If-Unmodified-Since": SECOND_BEFORE},
            OK,
            id="IUS is ignored when IM is present (13.1.4)",
        ),
        pytest.param(
            {"If-None-Match": '"xyz"', "If-Modified-Since": DAY_AFTER},
            OK,
            id="IMS is ignored when INM is present (13.1.3)",
        ),
        pytest.param(
            {"If-None-Match": '"abc"', "If-Modified-Since": SECOND_BEFORE},
            NOT_MODIFIED,
            id="INM decides, whatever IMS says (step 3)",
        ),
        pytest.param(
            {"If-Unmodified-Since": SECOND_BEFORE, "If-None-Match": '"abc"'},
            PRECONDITION_FAILED,
            id="IUS is evaluated before INM (step 2)",
        ),
    ],
)
def test_evaluate(headers, outcome):
    assert evaluate(Headers(headers), ETAG, MODIFIED) == outcome


@pytest.mark.parametrize("header", ["If-Modified-Since", "If-Unmodified-Since"])
def test_the_fraction_of_a_second_that_last_modified_cannot_carry_is_not_held_against_the_client(header):
    """Last-Modified is sent in whole seconds (5.6.7), so a client echoing it back has the current
    version, however many microseconds the store's clock had."""
    modified = MODIFIED.replace(microsecond=500_000)
    expected = NOT_MODIFIED if header == "If-Modified-Since" else OK
    assert evaluate(Headers({header: SAME_SECOND}), ETAG, modified) == expected


def test_without_a_last_modified_date_the_date_preconditions_do_not_apply():
    headers = Headers({"If-Modified-Since": DAY_AFTER, "If-Unmodified-Since": SECOND_BEFORE})
    assert evaluate(headers, ETAG, None) == OK
