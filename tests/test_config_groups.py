"""The flat keys users write, grouped by the layer that uses them; and the build's fingerprint covering
only the groups that shape output bytes, so a service setting re-renders nothing."""

from __future__ import annotations

import pytest

import feedsvc.static.rendering as rendering
from feedsvc.config import Config, ConfigError, load_config
from feedsvc.static.build import build

from .conftest import SAMPLE_STORE
from .test_build import config_for


def rendered_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths each later build renders (in this process: the sample store is under the forking size)."""
    rendered: list[str] = []
    render = rendering.render

    def counting(publisher, path, now, photos):
        rendered.append(path)
        return render(publisher, path, now, photos)

    monkeypatch.setattr(rendering, "render", counting)
    monkeypatch.setattr(rendering, "PARALLEL_DOCUMENTS", 1_000_000)
    return rendered


def test_flat_keys_from_the_file_and_the_environment_land_in_their_groups(tmp_path):
    toml = tmp_path / "feedsvc.toml"
    toml.write_text("items_per_feed = 7\nmax_age = 120\nstats = false\nmax_photo_pixels = 1000\ncold_cache_mb = 16\n")
    config = load_config(toml, env={"FEEDSVC_REFRESH_SECONDS": "2.5", "FEEDSVC_STATS_RETENTION_DAYS": "30"})
    assert config.feeds.items_per_feed == 7
    assert config.cache_policy.max_age == 120
    assert config.read.max_photo_pixels == 1000
    assert config.memory.cold_cache_bytes == 16 << 20
    assert config.refresh.refresh_seconds == 2.5
    assert (config.stats.enabled, config.stats.retention_days) == (False, 30)


def test_a_group_key_is_checked_and_named_as_users_write_it(tmp_path):
    with pytest.raises(ConfigError, match="stats_retention_days"):
        load_config(env={"FEEDSVC_STATS_RETENTION_DAYS": "0"})
    with pytest.raises(ConfigError, match="items_per_feed: must be positive"):
        Config.of(items_per_feed=0)
    with pytest.raises(ConfigError, match="cold_cache_mb: must be 0 or more"):
        load_config(env={"FEEDSVC_COLD_CACHE_MB": "-1"})
    with pytest.raises(ConfigError, match="unknown setting 'refresh'"):
        Config.of(refresh=1)


def test_service_settings_re_render_nothing_in_a_second_build(tmp_path, monkeypatch):
    out = tmp_path / "public"
    build(config_for(SAMPLE_STORE), out)
    rendered = rendered_paths(monkeypatch)
    report = build(
        config_for(
            SAMPLE_STORE,
            refresh_seconds=9.0,
            rescan_seconds=99.0,
            watch=False,
            stats=False,
            stats_flush_seconds=60.0,
            cold_cache_mb=1,
            cache_dir=str(tmp_path / "cache"),
        ),
        out,
    )
    assert rendered == []
    assert not report.changed


def test_a_feed_setting_re_renders_the_feeds(tmp_path, monkeypatch):
    out = tmp_path / "public"
    build(config_for(SAMPLE_STORE), out)
    before = (out / "rss.xml").read_bytes()
    rendered = rendered_paths(monkeypatch)
    build(config_for(SAMPLE_STORE, items_per_feed=2), out)
    assert {"rss.xml", "atom.xml", "feed.json", "sections/science/rss.xml"} <= set(rendered)
    assert (out / "rss.xml").read_bytes().count(b"<item>") == 2 < before.count(b"<item>")
