"""One rule for store photos, in the three places that decide: the parser accepts exactly the photos
/media/ serves and the static build copies. A photo reached through a link, a `.jfif` or a file with no
extension was once accepted by `check` and the feeds, then refused by /media/ and the build: feeds
pointed at files nobody served, and the build gave up."""

from __future__ import annotations

import os

import pytest

from feedsvc.serve.app import create_app
from feedsvc.static.build import build

from .conftest import BASE_URL, article, make_jpeg
from .feeds import NS, xml
from .test_build import config_for

CASES = {  # what the story names → how the store holds it
    "media/linked.jpg": lambda root: os.symlink("real/photo.jpg", root / "media/linked.jpg"),
    "media/linked-folder/photo.jpg": lambda root: os.symlink("real", root / "media/linked-folder"),
    "media/photo.jfif": lambda root: make_jpeg(root / "media/photo.jfif", size=(800, 600)),
    "media/photo": lambda root: make_jpeg(root / "media/photo", size=(800, 600)),
}
FEEDS = ("rss.xml", "atom.xml", "sections/world/rss.xml", "sections/world/atom.xml")


@pytest.fixture(params=CASES)
def store(request, store_dir):
    make_jpeg(store_dir.root / "media/real/photo.jpg", size=(800, 600))
    CASES[request.param](store_dir.root)
    store_dir.write(
        "world/odd.md",
        article(
            title="A story whose photo no host would serve", photo={"src": request.param, "caption": "c", "credit": "c"}
        ),
    )
    store_dir.write(
        "world/fine.md",
        article(
            title="A story with a plain photo",
            published="2013-05-01",
            photo={"src": "media/real/photo.jpg", "caption": "c", "credit": "c"},
        ),
    )
    return store_dir, request.param


def photo_urls(body: bytes) -> set[str]:
    document = xml(body)
    return set(
        document.xpath("//enclosure/@url | //atom:link[@rel='enclosure']/@href | //media:content/@url", namespaces=NS)
    )


def test_check_and_the_feeds_refuse_what_media_would_not_serve(store):
    store_dir, src = store
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    client = app.test_client()
    problems = [
        (p.field, p.severity, p.message)
        for p in app.extensions["feedsvc"].store.snapshot.problems
        if p.path.endswith("world/odd.md")
    ]
    assert [(f, s) for f, s, _ in problems] == [("photo.src", "warning")], problems
    assert problems[0][2].startswith(f"{src}: ") and "published without its photo" in problems[0][2]
    assert client.get("/" + src).status_code == 404
    for path in FEEDS:
        urls = photo_urls(client.get("/" + path).data)
        assert urls == {BASE_URL + "media/real/photo.jpg"}, (path, urls)
        for url in urls:  # every photo a feed names is served, as described
            assert client.get("/" + url.removeprefix(BASE_URL)).status_code == 200


def test_the_build_copies_every_photo_its_feeds_name_and_nothing_they_refuse(store, tmp_path):
    store_dir, src = store
    out = tmp_path / "public"
    build(config_for(store_dir.root), out)
    for path in FEEDS:
        urls = photo_urls((out / path).read_bytes())
        assert urls == {BASE_URL + "media/real/photo.jpg"}, (path, urls)
    assert (out / "media/real/photo.jpg").is_file()
    assert not (out / src).exists()
