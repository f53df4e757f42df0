"""Front matter is read in bounded work (issue 13, case 8): an alias stands for what it repeats, so
`tags: [*t, *t, …]` over a long `&t` costs its expanded size; that size, and the number of values,
are capped, and a file over a cap is a named problem while the rest of the store keeps moving."""

from __future__ import annotations

import time

import pytest

from feedsvc.serve.app import create_app
from feedsvc.source import frontmatter, limits

from .conftest import BASE_URL, article
from .feeds import parsed

HEAD = "---\ntitle: {title}\nsection: world\npublished: 2013-05-02 17:40\n"


def alias_bomb(title="An alias bomb in the tags") -> str:
    """The issue's file: 800 KB, a 400 KB single-spaced text under an anchor, then 100,000 aliases to it."""
    anchored = " ".join(["word"] * 80_000)
    return HEAD.format(title=title) + f"tags: [&t {anchored}, " + ", ".join(["*t"] * 100_000) + "]\n---\nBody.\n"


def many_tags(count=80_000, title="Eighty thousand distinct tags") -> str:
    """The issue's other file: about 1 MB of distinct tags (de-duplicating them took a minute)."""
    return HEAD.format(title=title) + "tags: [" + ", ".join(f"tag {i:06d}" for i in range(count)) + "]\n---\nBody.\n"


def problems_of(app, name):
    return [p for p in app.extensions["feedsvc"].store.snapshot.problems if p.path.endswith(name)]


def test_aliases_count_as_what_they_stand_for():
    data = frontmatter.load("a: &a [x, y]\nb: [*a, *a, *a]\n")
    assert data == {"a": ["x", "y"], "b": [["x", "y"]] * 3}
    assert data["b"][0] is data["a"]  # shared, not copied
    bomb = "t: &t " + "x" * 1000 + "\ntags: [" + ", ".join(["*t"] * 2000) + "]\n"
    with pytest.raises(frontmatter.TooLargeError) as caught:
        frontmatter.load(bomb)
    assert caught.value.field == "tags" and "1,048,576 characters" in str(caught.value)
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(6)
    )
    with pytest.raises(frontmatter.TooLargeError, match="10,000 values"):
        frontmatter.load(laughs)
    with pytest.raises(frontmatter.TooLargeError, match="refers to a value that contains it"):
        frontmatter.load("title: &r [x, *r]\n")


@pytest.mark.parametrize(
    "text, field, words",
    [
        (alias_bomb(), "tags", "1,048,576 characters"),
        (many_tags(), "tags", "10,000 values"),
    ],
)
def test_a_file_over_a_bound_is_a_named_problem_found_at_once(store_dir, text, field, words):
    store_dir.write("world/big.md", text)
    started = time.monotonic()
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    assert time.monotonic() - started < 5  # 190 s and 60 s before
    [problem] = problems_of(app, "world/big.md")
    assert (problem.field, problem.severity) == (field, "error")
    assert words in problem.message and "shorten it" in problem.message


def test_thousands_of_tags_under_the_bound_keep_their_order_once_each(store_dir):
    """Up to the tags limit (docs/FORMAT.md, "Limits"): the first 50 different tags, in order."""
    tags = [f"tag {i}" for i in range(4_000)]
    store_dir.write("world/tags.md", article(tags=tags + tags[::-1]))
    repeated = [tag for tag in tags[: limits.TAGS] for _ in range(80)]  # 4,000 items, 50 different
    store_dir.write("world/repeated.md", article(title="Repeated tags", tags=repeated))
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    snapshot = app.extensions["feedsvc"].store.snapshot
    assert snapshot.by_id["world/tags"].tags == tuple(tags[: limits.TAGS])
    assert snapshot.by_id["world/repeated"].tags == tuple(tags[: limits.TAGS])
    assert [p.field for p in snapshot.problems] == ["tags"]  # the first file is over the limit


@pytest.mark.serial  # the two seconds are the promise: measured with no other test beside it
def test_other_edits_appear_within_two_seconds_while_such_files_sit_in_the_store(store_dir):
    store_dir.write("world/ordinary.md", article(title="An ordinary story as first written"))
    app = create_app({"store": store_dir.root, "base_url": BASE_URL, "refresh_seconds": 0.1})
    service = app.extensions["feedsvc"]
    client = app.test_client()

    def titles():
        response = client.get("/rss.xml")
        return {e.title for e in parsed(response.data, BASE_URL + "rss.xml", response.headers["Content-Type"]).entries}

    try:
        store_dir.write("world/bomb.md", alias_bomb())
        store_dir.write("world/tags.md", many_tags())
        time.sleep(0.3)  # the refresher is at them
        store_dir.write("world/ordinary.md", article(title="An ordinary story as corrected"))
        started = time.monotonic()
        while "An ordinary story as corrected" not in titles() and time.monotonic() - started < 2:
            time.sleep(0.05)
        print(f"the edit appeared after {time.monotonic() - started:.2f} s")
        assert titles() == {"An ordinary story as corrected"}, "the edit did not appear within 2 s"
        assert problems_of(app, "world/bomb.md") and problems_of(app, "world/tags.md")
    finally:
        service.refresher.stop()
