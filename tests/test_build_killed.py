"""The static build never leaves a partial output. A build is killed (SIGKILL) part-way — a first build
at several moments, when there is no previous output to fall back on, and a rebuild, when there is —
and an aggregator or CDN pointed at the output folder must see nothing or everything: the previous
output exactly, or the finished new one, which the next build completes.

The builds killed here are `feedsvc build` in a process of its own, as if on a slow disk: each file it
writes into its staging tree waits a few milliseconds first (an audit hook, PEP 578, on the `open`
event; nothing in feedsvc is changed). So the kill lands part-way through an 80-section store on a
quiet machine or a loaded one, where an unpaced build had to be of 300 sections to outlast the test's
look, and every build compared with cost seconds of CPU."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from feedsvc.static.build import BuildError, build

from .conftest import BASE_URL, ROOT, StoreDir, article
from .test_build import config_for, digests, same_documents, tree

pytestmark = pytest.mark.xdist_group("build_killed")  # the store is built once, on one worker

SECTIONS = 80  # 5 documents each: over the 300 from which a build renders in forked processes
KILL_AFTER_FILES = [0, 5, 200]  # of about 800

# `python -c PACED_BUILD STAGING build …`: feedsvc's command line, each file opened for writing under
# STAGING first waiting PACE_SECONDS (forked rendering processes inherit the hook).
PACE_SECONDS = 0.005
PACED_BUILD = f"""
import runpy, sys, time
staging = sys.argv.pop(1)
def pace(event, args):
    if event == "open" and isinstance(args[1], str) and "x" in args[1] and str(args[0]).startswith(staging):
        time.sleep({PACE_SECONDS})
sys.addaudithook(pace)
runpy.run_module("feedsvc.cli", run_name="__main__", alter_sys=True)
"""


def start_build(out: Path, store: Path, cache_dir: str = "off") -> subprocess.Popen:
    """`feedsvc build OUT --store STORE --quiet`, paced, in a process of its own."""
    staging = out.with_name(f".{out.name}.staging")
    return subprocess.Popen(
        [sys.executable, "-c", PACED_BUILD, str(staging), "build", str(out), "--store", str(store), "--quiet"],
        cwd=ROOT,
        env={**os.environ, "FEEDSVC_BASE_URL": BASE_URL, "FEEDSVC_CACHE_DIR": cache_dir},
    )


def staged(process: subprocess.Popen, out: Path, files: int) -> bool:
    """Wait until the build's staging tree holds `files` files; False if the build ended first."""
    staging = out.with_name(f".{out.name}.staging")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if staging.is_dir() and sum(1 for p in staging.rglob("*") if p.is_file()) >= files:
            return process.poll() is None
        time.sleep(0.002)
    return False


def write_stories(store: StoreDir, title: str) -> None:
    for i in range(SECTIONS):
        store.write(f"s{i:03d}/story.md", article(title=title.format(i=i), section=f"s{i:03d}"))


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    """Many sections, one story each, and a complete build of it to compare with."""
    store_dir = StoreDir(tmp_path_factory.mktemp("killed") / "store")
    store_dir.write_site(sections=[{"slug": f"s{i:03d}", "title": f"Section {i}"} for i in range(SECTIONS)])
    write_stories(store_dir, "Story number {i} in its own section")
    reference = store_dir.root.parent / "reference"
    build(config_for(store_dir.root, cache_dir="off"), reference)
    return store_dir, reference


@pytest.mark.parametrize("files", KILL_AFTER_FILES)
def test_a_first_build_killed_part_way_leaves_no_output_at_all(tmp_path, big_store, files):
    big_store, reference = big_store
    out = tmp_path / "public"
    process = start_build(out, big_store.root)
    assert staged(process, out, files), "the build finished before it could be killed"
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


def test_a_first_build_killed_part_way_leaves_the_prepared_html_usable(tmp_path, big_store):
    """The processes a first build forks save the stories they prepared as they go (in
    prepared.sqlite3, beside the parse cache): killed part-way, the file holds the transactions they
    finished, and the next build, taking what it holds, writes the complete output."""
    big_store, reference = big_store
    out, cache = tmp_path / "public", tmp_path / "cache"
    process = start_build(out, big_store.root, str(cache))
    assert staged(process, out, KILL_AFTER_FILES[-1]), "the build finished before it could be killed"
    helpers = children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert wait_until_gone(helpers), "processes the killed build forked are still running"
    [kept] = cache.rglob("prepared.sqlite3")
    with sqlite3.connect(kept) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT COUNT(*) FROM prepared").fetchone()[0] > 0
    build(config_for(big_store.root, cache_dir=str(cache)), out)
    assert digests(out) == digests(reference)


def test_a_killed_rebuild_leaves_the_previous_output_intact_and_complete(tmp_path, big_store):
    """SIGKILL a rebuild after it has started writing; the served folder must be exactly the old one."""
    big_store, _ = big_store
    store = StoreDir(tmp_path / "store")
    shutil.copytree(big_store.root, store.root)
    out = tmp_path / "public"
    build(config_for(store.root), out)
    before = tree(out)
    write_stories(store, "Story number {i}, rewritten")  # every feed will change
    process = start_build(out, store.root)
    assert staged(process, out, 5), "the build finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert tree(out) == before  # intact and complete
    report = build(config_for(store.root), out)  # the next build finishes what it began
    assert report.changed and b"rewritten" in (out / "sections/s000/rss.xml").read_bytes()
    build(config_for(store.root), tmp_path / "fresh")
    assert same_documents(out, tmp_path / "fresh")


def test_a_second_build_of_the_same_output_is_refused_while_the_first_runs(tmp_path, big_store):
    big_store, reference = big_store
    out = tmp_path / "public"
    process = start_build(out, big_store.root)
    try:
        assert staged(process, out, 0), "the build finished before it could be paused"
        process.send_signal(signal.SIGSTOP)  # paused mid-build, holding the output
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
