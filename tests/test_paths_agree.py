"""Every path to a feed publishes the same bytes, whatever edits came before.

feedsvc reaches a published document by several paths, each with caches of its own: a one-off
`feedsvc build` into the previous output (its build record, the parse cache, prepared.sqlite3), a cold
build (a fresh folder, a fresh cache), the service that lived through the edits (its refresher
re-reads the paths its watcher names, or scans the store: Hypothesis chooses which), and a freshly
started one. Hypothesis plays a newsroom on a small store (tests/newsroom.py) — stories added,
edited, redated across a month's end or into the future, moved, retagged, deleted, renamed, saved
again, saved in place with their old mtime put back; photos replaced and deleted; related links to
stories then deleted; time passing — and now and then (when Hypothesis says, and at least every few
steps, so that a build sees several edits at once: A→B→A, a delete then the same name again) the
one-off build must equal the cold build file for file, byte for byte, and the living service must
answer every path as a fresh one does (tests/pathcompare.py).

How many newsrooms is the Hypothesis profile's to say (tests/conftest.py): three short ones by
default, hundreds of longer ones under `--hypothesis-profile=long` (`make test-long`).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from feedsvc.config import load_config
from feedsvc.serve.app import create_app
from feedsvc.static.build import build
from feedsvc.store.folder import photos_named

from .cli import build_watching
from .conftest import BASE_URL, StoreDir
from .newsroom import AUTHORS, COLORS, PAST_DATES, PHOTOS, SECTIONS, TAGS, Newsroom, start_of_clock
from .pathcompare import outputs_differ, services_differ

pytestmark = pytest.mark.costly  # seconds each: started first under xdist

ITEMS_PER_FEED = 2  # so that a dozen stories fill archives, and a redated story moves between them

WORDS = st.lists(
    st.sampled_from(["harbor", "council", "Budget", "late", "vote", "schools", "rain", "bridge", "café"]),
    min_size=1,
    max_size=6,
).map(" ".join)
BODY = st.lists(WORDS, min_size=1, max_size=4).map(lambda lines: "\n\n".join(p.capitalize() + "." for p in lines))
INDEX = st.integers(0, 1000)  # which story, modulo how many there are
PHOTO = st.sampled_from(PHOTOS)
PIXELS = st.sampled_from([(64, 48), (48, 64), (40, 30)])
COLOR = st.sampled_from(COLORS)


def or_none(values: list[str]) -> list[str] | None:
    return values or None


@st.composite
def story(draw: Any) -> dict[str, Any]:
    """One story's front matter and body, as tests/conftest.py's `article` writes them."""
    photo = draw(st.none() | PHOTO)
    return {
        "title": draw(WORDS),
        "section": draw(st.sampled_from(SECTIONS)),
        "published": draw(st.sampled_from(PAST_DATES)),
        "summary": draw(st.none() | WORDS),
        "authors": or_none(draw(st.lists(st.sampled_from(AUTHORS), max_size=2, unique=True))),
        "tags": or_none(draw(st.lists(st.sampled_from(TAGS), max_size=2, unique=True))),
        "photo": None if photo is None else {"src": photo, "caption": draw(WORDS), "credit": draw(WORDS)},
        "body": draw(BODY),
    }


def has_stories(machine: PathsAgree) -> bool:
    return bool(machine.newsroom.stories)


class PathsAgree(RuleBasedStateMachine):
    """A newsroom at work, and every path compared now and then (several edits apart, maybe)."""

    def __init__(self) -> None:
        super().__init__()
        self.workdir = Path(tempfile.mkdtemp(prefix="paths-agree-"))
        self.newsroom = Newsroom(self.workdir / "store", start_of_clock())
        self.cache = self.workdir / "cache"  # shared by the one-off builds and both services, as on one host
        self.out = self.workdir / "public"
        self.asked: set[str] = set()
        self.checks = 0
        self.living: Any = None
        self.named = False  # the living service is told the paths the watcher names, or scans
        self.every = 1  # compared at least every so many steps (edits reach the builds that many at once)
        self.unchecked = 0  # steps since the last comparison

    def settings(self, cache: Path) -> dict[str, Any]:
        return {
            "store": self.newsroom.root,
            "base_url": BASE_URL,
            "items_per_feed": ITEMS_PER_FEED,
            "cache_dir": str(cache),
        }

    def app(self, cache: Path | None = None) -> Any:
        app = create_app(self.settings(cache or self.cache), auto_refresh=False, clock=lambda: self.newsroom.now)
        app.testing = True
        return app

    @initialize(stories=st.lists(story(), min_size=3, max_size=12), named=st.booleans(), every=st.integers(1, 4))
    def start(self, stories: list[dict[str, Any]], named: bool, every: int) -> None:
        StoreDir(self.newsroom.root).write_site()
        self.newsroom.start(stories)
        build(load_config(overrides=self.settings(self.cache)), self.out, now=self.newsroom.now)
        self.living = self.app()
        self.newsroom.take_touched()  # read by the living service as it started
        self.named = named
        self.every = every

    # ---- the newsroom's edits ------------------------------------------------------------------

    @rule(fields=story())
    def add_story(self, fields: dict[str, Any]) -> None:
        self.newsroom.add(fields)

    @precondition(has_stories)
    @rule(index=INDEX, body=BODY)
    def edit_body(self, index: int, body: str) -> None:
        self.newsroom.edit(index, body=body)

    @precondition(has_stories)
    @rule(index=INDEX, field=st.sampled_from(["title", "summary", "caption", "credit"]), words=WORDS)
    def edit_words(self, index: int, field: str, words: str) -> None:
        if field in ("title", "summary"):
            self.newsroom.edit(index, **{field: words})
            return
        photo = dict(self.newsroom.stories[self.newsroom.pick(index)]["photo"] or {"src": PHOTOS[0]})
        self.newsroom.edit(index, photo={**photo, field: words})

    @precondition(has_stories)
    @rule(index=INDEX, date=st.sampled_from(PAST_DATES) | st.integers(1, 3))
    def redate(self, index: int, date: str | int) -> None:
        """Another day, maybe another month's archives; or some hours ahead (held back until then)."""
        self.newsroom.edit(index, published=self.newsroom.later(date) if isinstance(date, int) else date)

    @rule(hours=st.integers(1, 3))
    def time_passes(self, hours: int) -> None:
        self.newsroom.pass_time(hours)

    @precondition(has_stories)
    @rule(index=INDEX, section=st.sampled_from(SECTIONS))
    def move_to_section(self, index: int, section: str) -> None:
        self.newsroom.edit(index, section=section)

    @precondition(has_stories)
    @rule(
        index=INDEX,
        authors=st.lists(st.sampled_from(AUTHORS), max_size=2, unique=True),
        tags=st.lists(st.sampled_from(TAGS), max_size=3, unique=True),
    )
    def byline_and_tags(self, index: int, authors: list[str], tags: list[str]) -> None:
        self.newsroom.edit(index, authors=authors or None, tags=tags or None)

    @precondition(has_stories)
    @rule(index=INDEX, other=INDEX)
    def relate(self, index: int, other: int) -> None:
        """A related link to another story (deleted, renamed or held back later, maybe)."""
        self.newsroom.edit(index, related=[self.newsroom.pick(other).removesuffix(".md")])

    @precondition(has_stories)
    @rule(index=INDEX)
    def delete(self, index: int) -> None:
        self.newsroom.delete(index)

    @precondition(lambda machine: bool(machine.newsroom.deleted))
    @rule(index=INDEX)
    def undelete(self, index: int) -> None:
        self.newsroom.undelete(index)

    @precondition(has_stories)
    @rule(index=INDEX)
    def rename(self, index: int) -> None:
        self.newsroom.rename(index)

    @precondition(has_stories)
    @rule(index=INDEX)
    def save_again(self, index: int) -> None:
        self.newsroom.save_again(index)

    @precondition(has_stories)
    @rule(index=INDEX)
    def edit_in_place_keeping_stat(self, index: int) -> None:
        self.newsroom.edit_in_place_keeping_stat(index)

    @rule(photo=PHOTO, pixels=PIXELS, color=COLOR)
    def replace_photo(self, photo: str, pixels: tuple[int, int], color: tuple[int, int, int]) -> None:
        self.newsroom.put_photo(photo, pixels, color)

    @rule(photo=PHOTO, pixels=PIXELS, color=COLOR)
    def replace_photo_keeping_stat(self, photo: str, pixels: tuple[int, int], color: tuple[int, int, int]) -> None:
        self.newsroom.replace_photo_keeping_stat(photo, pixels, color)

    @rule(photo=PHOTO)
    def delete_photo(self, photo: str) -> None:
        self.newsroom.delete_photo(photo)

    # ---- every path compared -------------------------------------------------------------------

    def living_looks(self, named: bool) -> None:
        """The living service's refresher looks, as its watcher would: at the paths the file-system
        events named (Folder.look_at: renames, photos by name, `changes.media`), or by a full scan,
        with the photos the events named added (feedsvc/store/watch.py)."""
        service = self.living.extensions["feedsvc"]
        touched = self.newsroom.take_touched()
        if named:
            changes = service.store.refresh(touched)
        else:
            changes = service.store.refresh()
            changes.media |= photos_named(touched)  # the store's scan skips media/
        if changes:
            service.on_change(changes)

    @rule(named=st.booleans(), fresh_cache=st.booleans())
    def compare_every_path(self, named: bool, fresh_cache: bool) -> None:
        """The builds and services look now, at whatever edits came since they last did."""
        self.every_path_agrees(named, fresh_cache)

    @invariant()
    def compared_every_few_steps(self) -> None:
        """A newsroom that Hypothesis never compares in is compared at least every `self.every` steps."""
        if self.living is None:  # before `start`
            return
        self.unchecked += 1
        if self.unchecked >= self.every:
            self.every_path_agrees(self.named, fresh_cache=False)

    def every_path_agrees(self, named: bool, fresh_cache: bool) -> None:
        """The one-off build equals a cold one, and the living service answers as a fresh one does, and
        as the cold build's `_headers` says. The fresh service shares the living one's cache folder (as on
        one host), or has one of its own: a stale cache read by both would not show otherwise."""
        self.unchecked = 0
        self.living_looks(named)
        now = self.newsroom.now
        build(load_config(overrides=self.settings(self.cache)), self.out, now=now)
        self.checks += 1
        cold = self.workdir / f"cold-{self.checks}"  # a fresh folder, a fresh cache
        build(load_config(overrides=self.settings(cold / "cache")), cold / "public", now=now)
        differ = outputs_differ(self.out, cold / "public")
        assert differ == [], "the one-off build differs from a cold one:\n" + "\n".join(differ)
        fresh = self.app(cold / "fresh-cache" if fresh_cache else None)
        differ = services_differ(self.living.test_client(), fresh.test_client(), cold / "public", self.asked)
        assert differ == [], "the service that lived through it differs from a fresh one:\n" + "\n".join(differ)
        shutil.rmtree(cold)

    def teardown(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


_PROFILE = settings()  # the profile loaded (tests/conftest.py): `long` under make test-long
_LONG = _PROFILE.max_examples > 50
TestPathsAgree = pytest.mark.fuzz(PathsAgree.TestCase)  # `make test-long` runs it again, longer
TestPathsAgree.settings = settings(
    _PROFILE, max_examples=max(5, _PROFILE.max_examples // 10), stateful_step_count=24 if _LONG else 10
)


# ---- `feedsvc build --watch` -------------------------------------------------------------------


def agreed(out: Path, cold: Path, seconds: float) -> list[str]:
    """Wait for the watching build's output to equal the cold build's; what still differs then."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            differ = outputs_differ(out, cold)
        except (OSError, ValueError, KeyError):  # caught in the middle of its swap
            differ = ["being written"]
        if not differ or time.monotonic() > deadline:
            return differ
        time.sleep(0.1)


def test_build_watch_living_through_edits_writes_what_a_cold_build_writes(tmp_path):
    newsroom = Newsroom(tmp_path / "store", start_of_clock())
    StoreDir(newsroom.root).write_site()
    first = {"summary": None, "tags": ["harbor"], "authors": ["Ana Ruiz"], "photo": None, "body": "A first body."}
    newsroom.start(
        [
            {**first, "title": f"Story {n}", "section": SECTIONS[n % 2], "published": PAST_DATES[n % len(PAST_DATES)]}
            for n in range(6)
        ]
    )
    linked = newsroom.pick(4)  # deleted below
    newsroom.edit(0, photo={"src": PHOTOS[0], "caption": "Boats", "credit": "Us"}, related=[linked[:-3]])
    out = tmp_path / "public"
    settings = {"FEEDSVC_BASE_URL": BASE_URL, "FEEDSVC_ITEMS_PER_FEED": str(ITEMS_PER_FEED)}
    edits = [
        lambda: newsroom.edit(1, body="An edited body."),
        lambda: newsroom.edit(2, published="2013-06-01 06:00"),  # into another month's archives
        lambda: newsroom.edit_in_place_keeping_stat(0),
        lambda: newsroom.replace_photo_keeping_stat(PHOTOS[0], (64, 48), COLORS[2]),
        lambda: newsroom.delete(4),  # the story linked to
        lambda: newsroom.rename(4),
        lambda: newsroom.edit(5, tags=["budget"], authors=["Ben Okafor"], section="business"),
    ]
    with build_watching(out, newsroom.root, {**settings, "FEEDSVC_CACHE_DIR": str(tmp_path / "cache")}):
        for number, edit in enumerate([lambda: None, *edits]):
            edit()
            cold = tmp_path / f"cold-{number}"
            overrides = {"store": newsroom.root, "base_url": BASE_URL, "items_per_feed": ITEMS_PER_FEED}
            build(load_config(overrides={**overrides, "cache_dir": str(cold / "cache")}), cold / "public")
            differ = agreed(out, cold / "public", 30 if number == 0 else 10)
            assert differ == [], f"after edit {number}: " + "\n".join(differ)
