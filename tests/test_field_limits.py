"""One oversized story must not empty its feeds. Every plain-text field has a limit (cut at a word, with
"…", and a warning naming the field and the limit); lists keep their first N; a URL or id too long to be
one is a named problem. Limits are in feedsvc.source.limits and docs/FORMAT.md."""

from __future__ import annotations

import pytest

from feedsvc.serve.app import create_app
from feedsvc.source import limits
from feedsvc.store.store import Store

from .cli import feedsvc
from .conftest import BASE_URL, article
from .feeds import NS, parsed, xml
from .hostile import feed_paths, read_feed

WORDS = "Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore".split()


def words(characters: int) -> str:
    """Words and spaces, at least `characters` long."""
    text, length = [], -1
    while length < characters:
        text.append(WORDS[len(text) % len(WORDS)])
        length += len(text[-1]) + 1
    return " ".join(text)


def good_stories(store_dir, count: int = 4) -> list[str]:
    titles = []
    for i in range(count):
        titles.append(f"Good story number {i}")
        store_dir.write(f"world/good-{i}.md", article(title=titles[-1], published=f"2013-05-0{i + 1} 09:00"))
    return titles


def read(store_dir) -> Store:
    store = Store(store_dir.root, media_base_url="https://feeds.example.com/")
    store.refresh()
    return store


def story(store: Store, name: str):
    return next(a for a in store.snapshot.by_id.values() if a.path == f"world/{name}.md")


def warning(store: Store, name: str, field: str) -> str:
    found = [
        p.message
        for p in store.snapshot.problems
        if p.path.endswith(f"/world/{name}.md") and p.field == field and p.severity == "warning"
    ]
    assert len(found) == 1, [str(p) for p in store.snapshot.problems]
    return found[0]


def test_a_700_kb_caption_no_longer_empties_the_feeds(store_dir):
    """The issue's case: the caption alone made every feed it is in answer 200 with zero items."""
    good = good_stories(store_dir)
    caption = words(700_000)
    store_dir.write(
        "world/huge-caption.md",
        article(  # the caption written as one line: PyYAML's emitter is slow
            title="The story with a 700 KB caption",
            published="2013-05-09 09:00",
            photo={"src": "https://cdn.example.com/p.jpg", "length": 1234, "caption": "CAPTION", "credit": "Us"},
        ).replace("CAPTION", caption),
    )
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    client = app.test_client()
    expected = ["The story with a 700 KB caption", *reversed(good)]
    for path in ("rss.xml", "atom.xml", "sections/world/rss.xml", "sections/world/atom.xml"):
        response = client.get("/" + path)
        feed = parsed(response.data, BASE_URL + path, response.content_type)
        assert [e.title for e in feed.entries] == expected, path
        assert len(response.data) < 100_000, path
    json_feed = client.get("/sections/world/feed.json").get_json()
    assert [i["title"] for i in json_feed["items"]] == expected
    published = xml(client.get("/rss.xml").data).findtext("channel/item/media:content/media:description", namespaces=NS)
    assert len(published) <= limits.CAPTION and published.endswith("…") and caption.startswith(published[:-1])
    result = feedsvc("check", str(store_dir.root))
    assert result.returncode == 0
    assert (
        f"{store_dir.root}/world/huge-caption.md: photo.caption: warning: is {len(caption):,} characters, over the "
        f"{limits.CAPTION:,}-character limit; it is cut at a word"
    ) in result.stdout.splitlines(), result.stdout


FIELDS = {  # field name in problems → (front matter, the limit)
    "title": (lambda text: {"title": text}, limits.TITLE),
    "summary": (lambda text: {"summary": text}, limits.SUMMARY),
    "dateline": (lambda text: {"dateline": text}, limits.DATELINE),
    "photo.caption": (
        lambda text: {"photo": {"src": "https://cdn.example.com/p.jpg", "caption": text}},
        limits.CAPTION,
    ),
    "photo.credit": (lambda text: {"photo": {"src": "https://cdn.example.com/p.jpg", "credit": text}}, limits.CREDIT),
    "photo.alt": (lambda text: {"photo": {"src": "https://cdn.example.com/p.jpg", "alt": text}}, limits.CAPTION),
    "tags[1]": (lambda text: {"tags": ["short", text]}, limits.TAG),
    "authors[0]": (lambda text: {"authors": [text]}, limits.AUTHOR),
    "authors[0].name": (lambda text: {"authors": [{"name": text}]}, limits.AUTHOR),
    "related[0].title": (lambda text: {"related": [{"title": text, "url": "https://x.example.com/"}]}, limits.TITLE),
}


def value_of(article_, field: str) -> str:
    return {
        "title": lambda a: a.title,
        "summary": lambda a: a.summary,
        "dateline": lambda a: a.dateline,
        "photo.caption": lambda a: a.photo.caption,
        "photo.credit": lambda a: a.photo.credit,
        "photo.alt": lambda a: a.photo.alt,
        "tags[1]": lambda a: a.tags[1],
        "authors[0]": lambda a: a.authors[0].name,
        "authors[0].name": lambda a: a.authors[0].name,
        "related[0].title": lambda a: a.related[0].title,
    }[field](article_)


@pytest.mark.parametrize("field", FIELDS)
def test_each_plain_text_field_is_cut_at_a_word_with_a_warning(store_dir, field):
    make, limit = FIELDS[field]
    long_text = words(limit * 3)
    fields = make(long_text)
    fields.setdefault("title", "A story with one field far too long")
    store_dir.write("world/long.md", article(**fields))
    store = read(store_dir)
    value = value_of(story(store, "long"), field)
    assert limit - 20 <= len(value) <= limit and value.endswith("…"), (len(value), value[-20:])
    assert long_text.startswith(value[:-1]) and long_text[len(value) - 1] == " ", "cut mid-word"
    assert warning(store, "long", field) == (
        f"is {len(long_text):,} characters, over the {limit:,}-character limit; it is cut at a word"
    )


def test_a_field_at_its_limit_is_kept_whole(store_dir):
    title = words(limits.TITLE)[: limits.TITLE].rstrip()
    store_dir.write("world/exact.md", article(title=title))
    store = read(store_dir)
    assert story(store, "exact").title == title
    assert not store.snapshot.problems


def test_one_enormous_word_is_cut_too(store_dir):
    store_dir.write("world/word.md", article(title="x" * 5_000))
    assert story(read(store_dir), "word").title == "x" * (limits.TITLE - 1) + "…"


@pytest.mark.parametrize(
    "field, make, limit, kept",
    [
        ("tags", lambda n: {"tags": [f"tag {i}" for i in range(n)]}, limits.TAGS, lambda a: len(a.tags)),
        (
            "authors",
            lambda n: {"authors": [f"Reporter {i}" for i in range(n)]},
            limits.AUTHORS,
            lambda a: len(a.authors),
        ),
        (
            "related",
            lambda n: {"related": [{"title": f"Link {i}", "url": f"https://x.example.com/{i}"} for i in range(n)]},
            limits.RELATED,
            lambda a: len(a.related),
        ),
    ],
)
def test_long_lists_keep_their_first_items_with_a_warning(store_dir, field, make, limit, kept):
    store_dir.write("world/list.md", article(**make(1_000)))  # well inside the front matter's 10,000 values
    store = read(store_dir)
    assert kept(story(store, "list")) == limit
    assert warning(store, "list", field) == f"has 1,000 items, over the limit of {limit}; the first {limit} are kept"


def test_tags_are_counted_once_each(store_dir):
    store_dir.write("world/tags.md", article(tags=["same"] * 500 + [f"tag {i}" for i in range(limits.TAGS - 1)]))
    store = read(store_dir)
    assert len(story(store, "tags").tags) == limits.TAGS
    assert not store.snapshot.problems


def test_urls_too_long_to_be_one_are_named(store_dir):
    long_url = "https://news.example.com/" + "a" * limits.URL
    store_dir.write("world/story-url.md", article(title="Its own URL too long", url=long_url))
    store_dir.write(
        "world/related-url.md",
        article(
            title="A related URL too long",
            related=[{"title": "far too long", "url": long_url}, {"title": "fine", "url": "https://x.example.com/"}],
        ),
    )
    store_dir.write("world/photo-url.md", article(title="A photo URL too long", photo={"src": long_url + ".jpg"}))
    store = read(store_dir)
    own = [p for p in store.snapshot.problems if p.path.endswith("story-url.md")]
    assert [(p.field, p.severity) for p in own] == [("url", "error")]
    assert f"over the {limits.URL:,}-character limit" in own[0].message
    assert [r.url for r in story(store, "related-url").related] == ["https://x.example.com/"]
    assert "that link is left out" in warning(store, "related-url", "related[0].url")
    assert story(store, "photo-url").photo is None
    assert "published without its photo" in warning(store, "photo-url", "photo.src")


# ---- max_feed_bytes: the offending story only --------------------------------------------------


def largest_story(text: str) -> dict:
    """Front matter with every field and list at its limit: within the limits, and still far too large
    for a small feed even without its body."""
    return {
        "title": text[: limits.TITLE],
        "summary": text[: limits.SUMMARY],
        "dateline": text[: limits.DATELINE],
        "authors": [f"{i} {text[: limits.AUTHOR - 4]}" for i in range(limits.AUTHORS)],
        "tags": [f"{i} {text[: limits.TAG - 4]}" for i in range(limits.TAGS)],
        "photo": {
            "src": "https://cdn.example.com/p.jpg",
            "length": 1234,
            "caption": text[: limits.CAPTION],
            "credit": text[: limits.CREDIT],
            "alt": text[: limits.CAPTION],
        },
        "related": [
            {"title": text[: limits.TITLE], "url": f"https://news.example.com/{i}/" + "r" * 1_900}
            for i in range(limits.RELATED)
        ],
    }


def feeds_of(store_dir, limit: int) -> dict:
    app = create_app({"store": store_dir.root, "base_url": BASE_URL, "max_feed_bytes": limit}, auto_refresh=False)
    client = app.test_client()
    return {
        path: client.get("/" + path).data
        for path in feed_paths(["world"], formats=("rss.xml", "atom.xml", "feed.json"))
    }


def test_one_oversized_story_is_abridged_and_the_good_ones_around_it_stay(store_dir):
    """The cap once kept whole items from the start: a story too large for the feed, second newest,
    took every story after it out of the feed. Only it is abridged now: its summary, photo, first
    author and a link; the four good stories around it keep their bodies."""
    good = good_stories(store_dir)
    store_dir.write(
        "world/huge.md", article(published="2013-05-03 12:00", body=words(60_000), **largest_story(words(3_000)))
    )
    limit = 60_000
    for path, body in feeds_of(store_dir, limit).items():
        assert len(body) <= limit, (path, len(body))
        entries = read_feed(path, body).entries
        titles = [e.title for e in entries]
        assert len(titles) == 5 and [t for t in titles if t in good] == list(reversed(good)), (path, titles)
        huge = entries[1]
        content = huge.content[0].value
        assert "Read the whole story" in content and "https://news.example.com/world/huge" in content, path
        assert "Lorem" in content and len(content) < 4 * limits.SUMMARY, path
        for entry in entries[:1] + entries[2:]:
            assert "Read the whole story" not in entry.content[0].value, path
            assert "A second paragraph" in entry.content[0].value, path


def test_a_story_too_large_even_abridged_is_the_only_one_left_out(store_dir):
    good = good_stories(store_dir)
    store_dir.write("world/huge.md", article(published="2013-05-09 12:00", **largest_story(words(3_000))))
    limit = 12_000
    for path, body in feeds_of(store_dir, limit).items():
        assert len(body) <= limit, (path, len(body))
        assert [e.title for e in read_feed(path, body).entries] == list(reversed(good)), path
