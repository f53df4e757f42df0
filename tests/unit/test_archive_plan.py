"""Archive planning, row by row against README ("RFC 5005 monthly archives") and the rules written at
the top of feedsvc/publish/archives.py: a feed that holds every visible story is complete and has no
archives; otherwise every month that is over gets archive pages, oldest first, a new page whenever one
would pass `items_per_feed` or the byte budget (`2013-05`, `2013-05-2`, …); the month under way waits
for its end; archive months are UTC months. Each row is a tiny store read by the real Store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feedsvc.publish.archives import FEED_OVERHEAD, Plan, estimated_bytes, plan
from feedsvc.store.store import Store
from feedsvc.store.timeline import month_bounds

from ..conftest import StoreDir, article

NOW = datetime(2013, 7, 15, 12, 0, tzinfo=UTC)
UNLIMITED = 10**9


def snapshot_of(root, published: list[str]):
    """A store whose `world` section holds one story per date (ISO 8601, UTC), read once."""
    store_dir = StoreDir(root)
    store_dir.write_site()
    for n, moment in enumerate(published):
        store_dir.write(
            f"world/story-{n:02d}.md", article(title=f"Story number {n:02d} of the section", published=moment)
        )
    store = Store(root, media_base_url="https://feeds.example.com/")
    store.refresh()
    assert not store.snapshot.problems, store.snapshot.problems
    return store.snapshot


def plan_world(snapshot, items_per_feed: int, max_bytes: int = UNLIMITED, archives: bool = True) -> Plan:
    return plan(snapshot.timeline("world"), NOW, items_per_feed, max_bytes, archives)


@pytest.mark.parametrize(
    "published, items_per_feed, archives, expected",
    [
        pytest.param(
            ["2013-05-10T12:00:00Z", "2013-05-20T12:00:00Z"],
            2,
            True,
            Plan(True),
            id="every story fits: complete, no archives",
        ),
        pytest.param(
            ["2013-05-10T12:00:00Z", "2013-05-20T12:00:00Z", "2013-06-05T12:00:00Z"],
            2,
            True,
            Plan(False, ("2013-05", "2013-06"), ((0, 2), (0, 1))),
            id="one story too many: every month that is over gets a page",
        ),
        pytest.param(
            [f"2013-05-{day:02d}T12:00:00Z" for day in (3, 9, 14, 21, 28)],
            2,
            True,
            Plan(False, ("2013-05", "2013-05-2", "2013-05-3"), ((0, 2), (2, 4), (4, 5))),
            id="a busy month: pages of items_per_feed stories, oldest first",
        ),
        pytest.param(
            ["2013-05-10T12:00:00Z", "2013-05-20T12:00:00Z", "2013-07-01T12:00:00Z", "2013-07-10T12:00:00Z"],
            2,
            True,
            Plan(False, ("2013-05",), ((0, 2),)),
            id="the month under way waits for its end",
        ),
        pytest.param(
            ["2013-05-10T12:00:00Z", "2013-05-20T12:00:00Z", "2013-08-01T12:00:00Z"],
            2,
            True,
            Plan(True),
            id="a scheduled story is not counted until its time",
        ),
        pytest.param(
            ["2013-05-10T12:00:00Z", "2013-05-20T12:00:00Z", "2013-06-05T12:00:00Z"],
            2,
            False,
            Plan(False),
            id="archives off: incomplete, and no pages",
        ),
        pytest.param(
            ["2013-05-31T23:30:00Z", "2013-06-01T00:30:00Z", "2013-06-10T12:00:00Z"],
            2,
            True,
            Plan(False, ("2013-05", "2013-06"), ((0, 1), (0, 2))),
            id="months are UTC months (the site's zone is still in May at 00:30 UTC)",
        ),
    ],
)
def test_the_plan(tmp_path, published, items_per_feed, archives, expected):
    assert plan_world(snapshot_of(tmp_path / "store", published), items_per_feed, archives=archives) == expected


def test_a_page_ends_where_the_next_story_would_pass_the_byte_budget(tmp_path):
    snapshot = snapshot_of(tmp_path / "store", [f"2013-05-{day:02d}T12:00:00Z" for day in (3, 9, 14)])
    sizes = {estimated_bytes(a) for a in snapshot.by_id.values()}
    assert len(sizes) == 1  # three stories of one size: two fit, not three
    two_stories = FEED_OVERHEAD + 2 * sizes.pop()
    assert plan_world(snapshot, 10, two_stories) == Plan(False, ("2013-05", "2013-05-2"), ((0, 2), (2, 3)))
    assert plan_world(snapshot, 10) == Plan(True)  # the same stories, no byte limit


def utc(*args) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    "archive, bounds",
    [
        pytest.param("2013-05", (utc(2013, 5, 1), utc(2013, 6, 1)), id="a month"),
        pytest.param("2013-05-2", (utc(2013, 5, 1), utc(2013, 6, 1)), id="a later page of the month"),
        pytest.param("2013-12", (utc(2013, 12, 1), utc(2014, 1, 1)), id="December ends in the next year"),
        pytest.param("2016-02", (utc(2016, 2, 1), utc(2016, 3, 1)), id="a leap February"),
    ],
)
def test_month_bounds(archive, bounds):
    assert month_bounds(archive) == bounds


@pytest.mark.parametrize("archive, days", [("2013-02", 28), ("2016-02", 29), ("2013-04", 30), ("2013-05", 31)])
def test_a_month_is_as_long_as_the_calendar_says(archive, days):
    start, end = month_bounds(archive)
    assert end - start == days * 86_400
