"""The header rules the build writes for static hosts stay literal, whatever the photos are called."""

from __future__ import annotations

import re
import shutil

from PIL import Image

from feedsvc.render.document import CachePolicy
from feedsvc.serve.app import create_app
from feedsvc.source import photos
from feedsvc.static.build import HEADERS_FILE, build
from feedsvc.static.hostrules import nginx_snippet

from .conftest import BASE_URL, SAMPLE_STORE
from .test_build import config_for, read_headers_file

# Netlify and Cloudflare Pages read `*` in a rule's path as "anything" and a segment starting with
# `:` as a placeholder; a line break would end the rule. Such names are served, but cannot be named there.
PATTERNED = ["2013/*.jpg", "2013/:day/photo.jpg", "2013/two\nlines.jpg"]
PLAIN = ["2013/a photo: with words.jpg", "2013/café.jpg"]


def test_a_photo_whose_name_would_read_as_a_pattern_gets_no_rule(tmp_path):
    store = tmp_path / "newsroom"
    shutil.copytree(SAMPLE_STORE, store)
    for name in PATTERNED + PLAIN:
        (store / "media" / name).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (40, 30)).save(store / "media" / name, "JPEG")
    out = tmp_path / "public"
    build(config_for(store), out)
    assert all((out / "media" / name).is_file() for name in PATTERNED + PLAIN)  # all published
    text = (out / HEADERS_FILE).read_text()
    rules = read_headers_file(out)
    for path in rules:
        assert "*" not in path and not any(part.startswith(":") for part in path.split("/")), path
        assert (out / path.lstrip("/")).is_file() or (out / path.lstrip("/") / "index.html").is_file(), path
    assert all(f"/media/{name}" in rules for name in PLAIN)
    assert "lines.jpg" not in text
    assert rules["/media/2013/café.jpg"]["Content-Type"] == "image/jpeg"


def nginx_photo_types(snippet: str) -> dict[str, str]:
    """The `types { … }` of the snippet's media/ location: name ending → the type nginx gives it."""
    [block] = re.findall(r'location "/media/" \{\s*types \{([^}]*)\}', snippet)
    types = {}
    for rule in filter(None, (part.strip() for part in block.split(";"))):
        mimetype, *endings = rule.split()
        types.update(dict.fromkeys(endings, mimetype))
    return types


def test_nginx_types_exactly_the_photo_names_the_parser_accepts_as_the_service_serves_them(store_dir):
    """One rule for photo names: every ending `source.photos` accepts gets the type /media/ sends."""
    typed = nginx_photo_types(nginx_snippet(CachePolicy(), base_url=BASE_URL))
    assert {"." + ending for ending in typed} == set(photos.PHOTO_TYPES)
    (store_dir.root / "media").mkdir()
    for ending in typed:
        Image.new("RGB", (40, 30)).save(
            store_dir.root / "media" / f"photo.{ending}", Image.registered_extensions()["." + ending]
        )
    client = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False).test_client()
    for ending, mimetype in typed.items():
        assert client.get(f"/media/photo.{ending}").headers["Content-Type"] == mimetype, ending


def test_a_photo_ending_added_to_the_parsers_rule_reaches_nginx(monkeypatch):
    """hostrules once kept its own list of endings: the rule changed in one place changes the host rules."""
    monkeypatch.setitem(photos.PHOTO_TYPES, ".avif", "image/avif")
    assert nginx_photo_types(nginx_snippet(CachePolicy(), base_url=BASE_URL))["avif"] == "image/avif"
    snippet = nginx_snippet(CachePolicy(), base_url=BASE_URL, media_types={"/media/a.avif": "image/avif"})
    assert 'location = "/media/a.avif"' not in snippet  # typed right by its name: no line of its own
