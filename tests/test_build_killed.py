"""The static build never leaves a partial output — also the very first time, when there is no previous
output to fall back on (tests/test_build.py kills a rebuild; this kills first builds, at several moments).
An aggregator or CDN pointed at the output folder must see nothing, or everything."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from feedsvc.build import build

from .conftest import BASE_URL, ROOT, StoreDir, article
from .test_build import config_for, digests

KILL_AFTER_FILES = [0, 5, 200]


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    """300 sections, one story each, and a complete build of it to compare with."""
    store_dir = StoreDir(tmp_path_factory.mktemp("killed") / "store")
    sections = [{"slug": f"s{i:03d}", "title": f"Section {i}"} for i in range(300)]
    store_dir.write_site(sections=sections)
    for i in range(300):
        store_dir.write(f"s{i:03d}/story.md", article(title=f"Story number {i} in its own section", section=f"s{i:03d}"))
    reference = store_dir.root.parent / "reference"
    build(config_for(store_dir.root, cache_dir="off"), reference)
    return store_dir, reference


@pytest.mark.parametrize("files", KILL_AFTER_FILES)
def test_a_first_build_killed_part_way_leaves_no_output_at_all(tmp_path, big_store, files):
    big_store, reference = big_store
    out = tmp_path / "public"
    env = {**os.environ, "FEEDSVC_BASE_URL": BASE_URL, "FEEDSVC_CACHE_DIR": "off"}
    process = subprocess.Popen([sys.executable, "-m", "feedsvc.cli", "build", str(out), "--store", str(big_store.root),
                                "--quiet"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        staging = next(tmp_path.glob(".public.staging"), None)
        if staging is not None and sum(1 for p in staging.rglob("*") if p.is_file()) >= files:
            break
        time.sleep(0.001)
    if process.poll() is not None:
        pytest.skip("the build finished before it could be killed")
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not out.exists() or digests(out) == digests(reference), "a killed first build left a partial output"
    if files != KILL_AFTER_FILES[1]:
        return
    report = build(config_for(big_store.root), out)                 # the next build cleans up and completes
    assert report.changed and not list(tmp_path.glob(".public.staging"))
    assert digests(out) == digests(reference)

