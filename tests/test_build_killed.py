"""The static build never leaves a partial output — also the very first time, when there is no previous
output to fall back on (tests/test_build.py kills a rebuild; this kills first builds, at several moments).
An aggregator or CDN pointed at the output folder must see nothing, or everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from feedsvc.static.build import BuildError, build

from .conftest import BASE_URL, ROOT, StoreDir, article
from .test_build import config_for, digests

pytestmark = pytest.mark.xdist_group("build_killed")  # the 300-section store is built once, on one worker

KILL_AFTER_FILES = [0, 5, 200]


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    """300 sections, one story each, and a complete build of it to compare with."""
    store_dir = StoreDir(tmp_path_factory.mktemp("killed") / "store")
    sections = [{"slug": f"s{i:03d}", "title": f"Section {i}"} for i in range(300)]
    store_dir.write_site(sections=sections)
    for i in range(300):
        store_dir.write(
            f"s{i:03d}/story.md", article(title=f"Story number {i} in its own section", section=f"s{i:03d}")
        )
    reference = store_dir.root.parent / "reference"
    build(config_for(store_dir.root, cache_dir="off"), reference)
    return store_dir, reference


@pytest.mark.parametrize("files", KILL_AFTER_FILES)
def test_a_first_build_killed_part_way_leaves_no_output_at_all(tmp_path, big_store, files):
    big_store, reference = big_store
    out = tmp_path / "public"
    env = {**os.environ, "FEEDSVC_BASE_URL": BASE_URL, "FEEDSVC_CACHE_DIR": "off"}
    process = subprocess.Popen(
        [sys.executable, "-m", "feedsvc.cli", "build", str(out), "--store", str(big_store.root), "--quiet"],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        staging = next(tmp_path.glob(".public.staging"), None)
        if staging is not None and sum(1 for p in staging.rglob("*") if p.is_file()) >= files:
            break
        time.sleep(0.001)
    if process.poll() is not None:
        pytest.skip("the build finished before it could be killed")
    helpers = children(process.pid)  # processes it forked to render, if it got that far
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not out.exists() or digests(out) == digests(reference), "a killed first build left a partial output"
    assert wait_until_gone(helpers), "processes the killed build forked are still running"
    if files != KILL_AFTER_FILES[1]:
        return
    report = build(config_for(big_store.root), out)  # the next build finishes what it began
    assert report.changed and not list(tmp_path.glob(".public.staging"))
    assert digests(out) == digests(reference)


def test_a_second_build_of_the_same_output_is_refused_while_the_first_runs(tmp_path, big_store):
    big_store, reference = big_store
    out = tmp_path / "public"
    env = {**os.environ, "FEEDSVC_BASE_URL": BASE_URL, "FEEDSVC_CACHE_DIR": "off"}
    process = subprocess.Popen(
        [sys.executable, "-m", "feedsvc.cli", "build", str(out), "--store", str(big_store.root), "--quiet"],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None and not (tmp_path / ".public.staging").exists():
            time.sleep(0.001)
        process.send_signal(signal.SIGSTOP)  # paused mid-build, holding the output
        if process.poll() is not None or not (tmp_path / ".public.staging").exists():
            pytest.skip("the build finished before it could be paused")
        with pytest.raises(BuildError, match="another build is writing"):
            build(config_for(big_store.root), out)
    finally:
        process.send_signal(signal.SIGCONT)
        assert process.wait(timeout=120) == 0
    assert digests(out) == digests(reference)


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def wait_until_gone(pids: list[int], timeout: float = 5.0) -> bool:
    """True once none of `pids` runs any more (a zombie waiting to be reaped counts as gone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
            except OSError:
                continue
            if state != "Z":
                running.append(pid)
        if not running:
            return True
        time.sleep(0.05)
    return False
