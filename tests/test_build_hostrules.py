"""The header rules the build writes for static hosts stay literal, whatever the photos are called."""
from __future__ import annotations

import shutil

from PIL import Image

from feedsvc.static.build import HEADERS_FILE, build

from .conftest import SAMPLE_STORE
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
    assert all((out / "media" / name).is_file() for name in PATTERNED + PLAIN)     # all published
    text = (out / HEADERS_FILE).read_text()
    rules = read_headers_file(out)
    for path in rules:
        assert "*" not in path and not any(part.startswith(":") for part in path.split("/")), path
        assert (out / path.lstrip("/")).is_file() or (out / path.lstrip("/") / "index.html").is_file(), path
    assert all(f"/media/{name}" in rules for name in PLAIN)
    assert "lines.jpg" not in text
    assert rules["/media/2013/café.jpg"]["Content-Type"] == "image/jpeg"
