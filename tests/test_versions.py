"""The library versions the caches are keyed by (the parse cache, the documents' fingerprints) are read
from the installed wheels' folder names: the versions importlib.metadata gives, without the 20 ms of
CPU its import costs every command, a one-off build's included."""

from __future__ import annotations

from importlib import metadata

from feedsvc.publish.fingerprint import RENDERING_LIBRARIES
from feedsvc.store.parsecache import _READING_LIBRARIES
from feedsvc.versions import installed

from . import cli
from .conftest import BASE_URL, SAMPLE_STORE


def test_the_versions_are_those_importlib_metadata_reads():
    for name in (*RENDERING_LIBRARIES, *_READING_LIBRARIES, "PyYAML", "zlib-ng"):
        assert installed(name) == metadata.version(name) != "", name
    assert installed("no-such-library") == ""


def test_a_build_does_not_import_importlib_metadata(tmp_path):
    result = cli.feedsvc(
        "build",
        str(tmp_path / "public"),
        "--store",
        str(SAMPLE_STORE),
        "--quiet",
        env={
            "FEEDSVC_BASE_URL": BASE_URL,
            "FEEDSVC_CACHE_DIR": str(tmp_path / "cache"),
            "PYTHONPROFILEIMPORTTIME": "1",
        },
    )
    assert result.returncode == 0, result.stderr
    imported = [
        line.rpartition("|")[2].strip() for line in result.stderr.splitlines() if line.startswith("import time:")
    ]
    assert "feedsvc.static.build" in imported  # the build ran, and its imports are listed
    assert "importlib.metadata" not in imported


def test_the_version_imported_first_on_the_path_is_the_one_read(tmp_path, monkeypatch):
    """An older copy earlier on sys.path (a develop egg, PYTHONPATH) is what Python imports, so it is the
    version the caches are keyed by; a .dist-info an install left without its METADATA is no install."""
    import sys

    from feedsvc import versions

    first, later = tmp_path / "first", tmp_path / "later"
    (first / "shinylib.egg-info").mkdir(parents=True)
    (first / "shinylib.egg-info/PKG-INFO").write_text("Metadata-Version: 2.1\nName: shinylib\nVersion: 0.2.0\n")
    (later / "shinylib-0.3.8.dist-info").mkdir(parents=True)
    (later / "shinylib-0.3.8.dist-info/METADATA").write_text("Metadata-Version: 2.1\nName: shinylib\nVersion: 0.3.8\n")
    (later / "halfdone-1.0.dist-info").mkdir()  # no METADATA
    monkeypatch.setattr(sys, "path", [str(first), str(later), *sys.path])
    versions._dist_infos.cache_clear()
    try:
        assert versions.installed("shinylib") == metadata.version("shinylib") == "0.2.0"
        assert versions.installed("halfdone") == ""
    finally:
        versions._dist_infos.cache_clear()
