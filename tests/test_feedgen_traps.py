"""feedgen 1.0.0's known traps, each pinned by a test that fails when upstream changes the behaviour
(so the workaround in feedsvc/render.py can be reconsidered) — beside a test that our feeds avoid it."""

from __future__ import annotations

import locale
from datetime import UTC, datetime, timedelta

import pytest
from feedgen.feed import FeedGenerator

from feedsvc.render import feedmodel
from feedsvc.render import feeds as render

from .feeds import NS, xml

WHEN = datetime(2013, 5, 3, 0, 40, tzinfo=UTC)


def generator(n_entries=1, **entry_fields):
    fg = FeedGenerator()
    fg.id("tag:example.com,2013:feed")
    fg.title("t")
    fg.link(href="https://example.com/", rel="alternate")
    fg.description("d")
    entries = []
    for i in range(n_entries):
        fe = fg.add_entry()
        fe.id(f"tag:example.com,2013:{i}")
        fe.title(f"entry {i}")
        fe.link(href=f"https://example.com/{i}")
        entries.append(fe)
    return fg, entries


def test_upstream_atom_entry_links_still_lose_rel_type_and_length():
    """python-feedgen#135. When this fails, FeedEntry.link may be usable for enclosures again."""
    fg, (fe,) = generator()
    fe.link(href="https://example.com/a.jpg", rel="enclosure", type="image/jpeg", length="123")
    links = xml(fg.atom_str()).findall("atom:entry/atom:link", NS)
    assert [link.get("rel") for link in links] == [None, None]
    assert all(link.get("type") is None and link.get("length") is None for link in links)


def test_upstream_times_still_default_to_now():
    fg, (fe,) = generator()
    updated = xml(fg.atom_str()).findtext("atom:updated", namespaces=NS)
    assert abs(datetime.fromisoformat(updated) - datetime.now(UTC)) < timedelta(minutes=5)


def test_upstream_add_entry_still_prepends():
    fg, _ = generator(n_entries=3)
    ids = [e.findtext("atom:id", namespaces=NS) for e in xml(fg.atom_str()).findall("atom:entry", NS)]
    assert ids == ["tag:example.com,2013:2", "tag:example.com,2013:1", "tag:example.com,2013:0"]


def test_upstream_rss_date_formatting_still_calls_setlocale(monkeypatch):
    """If this fails, feedgen stopped flipping the process locale and render._SERIALISE can go."""
    calls = []
    real = locale.setlocale
    monkeypatch.setattr(locale, "setlocale", lambda *args: calls.append(args) or real(*args))
    fg, (fe,) = generator()
    fe.published(WHEN)
    fg.rss_str()
    assert calls


def test_our_rss_is_serialised_under_a_lock_while_feedgen_touches_the_locale(monkeypatch):
    held = []
    real = locale.setlocale
    monkeypatch.setattr(locale, "setlocale", lambda *args: held.append(render._SERIALISE.locked()) or real(*args))
    render.render_feed(_info("rss"), [_item()])
    assert held and all(held)


def test_upstream_rss_author_still_needs_an_email_and_related_links_still_vanish():
    fg, (fe,) = generator()
    fe.author(name="A. Byline")
    fe.link(href="https://example.com/related", rel="related")
    item = xml(fg.rss_str()).find("channel/item")
    assert item.find("author") is None
    assert item.find("atom:link", NS) is None


def test_upstream_rss_channel_link_is_still_the_last_link_added():
    fg, _ = generator()
    fg.link(href="https://example.com/feed.xml", rel="self")
    assert xml(fg.rss_str()).findtext("channel/link") == "https://example.com/feed.xml"


def test_upstream_generator_still_names_feedgen_by_default():
    fg, _ = generator()
    assert xml(fg.rss_str()).findtext("channel/generator") == "python-feedgen"


def test_upstream_media_extension_still_groups_and_refuses_integers():
    fg, (fe,) = generator()
    fg.load_extension("media")
    fe.media.content(url="https://example.com/a.jpg", type="image/jpeg")
    assert xml(fg.rss_str()).find("channel/item/media:group/media:content", NS) is not None
    with pytest.raises(TypeError):
        fe.media.content(url="https://example.com/b.jpg", width=100)
        fg.rss_str()


def test_upstream_still_raises_on_forbidden_xml_characters():
    fg, (fe,) = generator()
    with pytest.raises(ValueError):
        fe.title("bell\x07")
        fg.rss_str()


def test_upstream_cdata_content_still_makes_an_invalid_atom_type():
    fg, (fe,) = generator()
    fe.content("<p>x</p>", type="CDATA")
    assert xml(fg.atom_str()).find("atom:entry/atom:content", NS).get("type") == "CDATA"


# ---- our side: the same traps, avoided --------------------------------------------------------------


def _info(fmt):
    from feedsvc.model import SECTION, Scope, Section, Site
    from feedsvc.paths import FeedKey
    from feedsvc.render.subject import Subject

    site = Site(title="T", url="https://news.example.com/", sections=(Section("world", "World"),), tag_date="2013")
    world = Scope(SECTION, "world")
    return feedmodel.FeedInfo(
        FeedKey(world, fmt),
        site,
        Subject(world, "World", "World from T", "https://news.example.com/world/"),
        f"https://feeds.example.com/{fmt}.xml",
        "https://feeds.example.com/",
        5,
    )


def _item(n=0, when=WHEN):
    from feedsvc.model import Article

    article = Article(
        id=f"world/{n}",
        path=f"world/{n}.md",
        slug=str(n),
        title=f"Story {n}",
        section="world",
        url=f"https://news.example.com/world/{n}",
        published=when,
        updated=when,
        digest=str(n),
        revision=str(n),
    )
    return feedmodel.Item(article, feedmodel.prepare(article, "Body.", 300), ())


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_our_feeds_keep_order_take_times_from_content_and_name_feedsvc(fmt):
    items = [_item(n, WHEN - timedelta(hours=n)) for n in range(3)]
    first = render.render_feed(_info(fmt), items)
    assert render.render_feed(_info(fmt), items) == first
    root = xml(first)
    if fmt == "rss":
        assert [i.findtext("title") for i in root.findall("channel/item")] == ["Story 0", "Story 1", "Story 2"]
        assert root.findtext("channel/lastBuildDate") == "Fri, 03 May 2013 00:40:00 +0000"
        assert root.findtext("channel/generator") == "feedsvc"
        assert root.findtext("channel/link") == "https://news.example.com/world/"
    else:
        assert [e.findtext("atom:title", namespaces=NS) for e in root.findall("atom:entry", NS)] == [
            "Story 0",
            "Story 1",
            "Story 2",
        ]
        updated = root.findtext("atom:updated", namespaces=NS)  # the newest entry's, not the clock's
        assert updated[:19] == "2013-05-03T00:40:00" and updated == root.findtext(
            "atom:entry/atom:updated", namespaces=NS
        )
        assert root.findtext("atom:generator", namespaces=NS) == "feedsvc"


def test_items_written_once_and_spliced_make_the_bytes_feedgen_writes():
    """render.items: an item feedgen wrote in one document is reused in the next (a story is in many
    feeds and archives). Every RSS and Atom document of the sample store, rendered that way with items
    met in other documents first, is byte for byte the document feedgen writes whole."""
    from feedsvc.config import load_config
    from feedsvc.publish import documents
    from feedsvc.publish.publisher import Publisher
    from feedsvc.store.store import Store

    from .conftest import SAMPLE_STORE

    config = load_config(overrides={"store": SAMPLE_STORE, "base_url": "https://feeds.example.com/"})
    store = Store.open(config.store, limits=config.read)
    paths = [
        p
        for p in Publisher(store, config.feeds).document_paths(WHEN + timedelta(days=4000))
        if p.endswith(("rss.xml", "atom.xml"))
    ]
    render._ITEMS.clear()
    spliced = {path: Publisher(store, config.feeds).render(path, WHEN + timedelta(days=4000)).body for path in paths}
    assert render._ITEMS.get(next(iter(render._ITEMS._texts))) is not None, "no item was kept"

    def whole(info, items):
        return render._render(
            info, items, max((feedmodel.entry_updated(i.article) for i in items), default=info.site.founded)
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(documents.RENDERERS, "rss", whole)
        patch.setitem(documents.RENDERERS, "atom", whole)
        for path in paths:
            assert Publisher(store, config.feeds).render(path, WHEN + timedelta(days=4000)).body == spliced[path], path
    assert len(paths) > 10
