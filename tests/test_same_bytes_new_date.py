"""A document whose bytes stay while its Last-Modified moves — the news sitemap, empty since its newest
story turned two days old, when a story newer than that one (but as old) is added — is dated anew by a
one-off build as by a cold one: its file time is what nginx answers If-Modified-Since from. A build
once linked the previous file for its bytes alone, keeping the old time. Found by
tests/test_paths_agree.py."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from feedsvc.static.build import build

from .conftest import article
from .test_build import config_for, read_headers_file

SITEMAP = "news-sitemap.xml"


def test_an_empty_news_sitemap_is_dated_by_its_newest_story_in_a_one_off_build(store_dir, tmp_path):
    store_dir.write("world/older.md", article(title="The older story", published="2013-04-30 23:30"))
    out = tmp_path / "public"
    build(config_for(store_dir.root), out)
    before = (out / SITEMAP).read_bytes()
    store_dir.write("world/newer.md", article(title="A newer story, as old", published="2013-05-01 00:30"))
    build(config_for(store_dir.root), out)
    cold = tmp_path / "cold"
    build(config_for(store_dir.root), cold)
    assert (out / SITEMAP).read_bytes() == before == (cold / SITEMAP).read_bytes()  # empty, both times
    last_modified = parsedate_to_datetime(read_headers_file(out)["/" + SITEMAP]["Last-Modified"])
    assert (out / SITEMAP).stat().st_mtime == (cold / SITEMAP).stat().st_mtime == last_modified.timestamp()
