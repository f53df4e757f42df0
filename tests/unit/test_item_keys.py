"""render.items.ItemKey: an item's bytes are reused only for an item equal in everything they depend
on — format, site, story, body and resolved links —, compared in full though hashed by a part."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from feedsvc.model import Article, RelatedLink, Section, Site
from feedsvc.render.feedmodel import Item, Prepared
from feedsvc.render.items import ItemKey, ItemTexts

WHEN = datetime(2013, 5, 2, 12, tzinfo=UTC)
SITE = Site("The Daily", "https://daily.example.com/", sections=(Section("world", "World"),))
ARTICLE = Article(
    id="world/a", path="world/a.md", slug="a", title="A", section="world", url="https://daily.example.com/world/a",
    published=WHEN, updated=WHEN, digest="d1", revision="r1",
)  # fmt: skip
ITEM = Item(ARTICLE, Prepared("<p>Body.</p>", "Body."), (RelatedLink("B", "https://daily.example.com/world/b"),))


def _copy(item: Item) -> Item:
    """An equal item made of distinct objects, as each document's selection makes its own."""
    article = replace(item.article, title="".join(item.article.title))
    return Item(article, Prepared(item.prepared.body_html + "", item.prepared.summary), tuple(item.related))


def test_an_equal_item_in_another_document_finds_the_bytes():
    texts = ItemTexts()
    texts.put(ItemKey("rss", SITE, ITEM), b"<item/>")
    same = ItemKey("rss", replace(SITE), _copy(ITEM))
    assert same == ItemKey("rss", SITE, ITEM) and hash(same) == hash(ItemKey("rss", SITE, ITEM))
    assert texts.get(same) == b"<item/>"


@pytest.mark.parametrize(
    "fmt, site, item",
    [
        pytest.param("atom", SITE, ITEM, id="another format"),
        pytest.param("rss", replace(SITE, title="The Evening"), ITEM, id="another site title"),
        pytest.param("rss", SITE, replace(ITEM, article=replace(ARTICLE, title="B")), id="the story, same revision"),
        pytest.param("rss", SITE, replace(ITEM, prepared=Prepared("<p>Abridged.</p>", "Body.")), id="another body"),
        pytest.param("rss", SITE, replace(ITEM, related=()), id="a link not resolved at that moment"),
    ],
)
def test_an_item_that_differs_in_anything_its_bytes_depend_on_misses(fmt, site, item):
    texts = ItemTexts()
    texts.put(ItemKey("rss", SITE, ITEM), b"<item/>")
    assert ItemKey(fmt, site, item) != ItemKey("rss", SITE, ITEM)
    assert texts.get(ItemKey(fmt, site, item)) is None
