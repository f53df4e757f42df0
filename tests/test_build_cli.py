"""`feedsvc build` as an editor or a cron job runs it: the store named as in every command, a bar per
phase on a terminal and a line per phase elsewhere, the files only when asked, and a loud word — or,
with --strict, a refusal — when no base URL says where the files will be served from."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading

import pytest
from lxml import etree

from feedsvc import forking
from feedsvc.store import files as store_files
from feedsvc.store.store import Store

from .cli import feedsvc
from .conftest import BASE_URL, ROOT, article

NS = {"atom": "http://www.w3.org/2005/Atom"}


def build(*args: str, env: dict | None = None, cwd=ROOT) -> subprocess.CompletedProcess:
    return feedsvc("build", *args, cwd=cwd, env={"FEEDSVC_BASE_URL": BASE_URL, **(env or {})})


def on_a_terminal(command: list[str], env: dict) -> str:
    """Run `command` with a 100-column terminal as its stdout and stderr; what it showed, lines split at
    carriage returns too (a bar redraws itself with them)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed: the command is done
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 0, shown
    return shown.decode().replace("\r\n", "\n").replace("\r", "\n")


def test_on_a_terminal_each_phase_has_a_bar_with_its_total(tmp_path):
    shown = on_a_terminal(
        [sys.executable, "-m", "feedsvc.cli", "build", str(tmp_path / "public"), "articles/"],
        {**os.environ, "FEEDSVC_BASE_URL": BASE_URL},
    )
    finished = [line for line in shown.splitlines() if "100%|" in line]
    assert [line.split()[0] for line in finished] == ["reading", "rendering", "writing"], shown
    assert all(re.search(r"\[\d\d:\d\d<\d\d:\d\d\]$", line.rstrip()) for line in finished), shown  # [elapsed<ETA]
    assert "14/14 stories" in finished[0] and "63/63 documents" in finished[1] and "118/118 files" in finished[2]
    assert "wrote " not in shown  # no line per file
    assert shown.strip().splitlines()[-1].startswith(f"built {tmp_path / 'public'}: 12 articles, 30 feeds, 118 files")


def test_verbose_names_every_file_it_writes(tmp_path):
    out = tmp_path / "public"
    result = build(str(out), "articles/", "--verbose")
    assert result.returncode == 0, result.stderr
    written = sorted(
        line.removeprefix("wrote ")
        for line in result.stderr.splitlines()
        if line.startswith("wrote ") and " in " not in line
    )
    on_disk = sorted(
        str(path.relative_to(out)) for path in out.rglob("*") if path.is_file() and path.name != ".feedsvc-build.json"
    )
    assert written == on_disk and "sections/world-nation/rss.xml" in written
    again = build(str(out), "articles/", "--verbose")
    assert not [line for line in again.stderr.splitlines() if line.startswith("wrote ") and " in " not in line]


def test_the_summary_counts_in_words(store_dir, tmp_path):
    store_dir.write("world/a.md", article(auther="Jane Doe"))
    out = tmp_path / "public"
    result = build(str(out), str(store_dir.root))
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip()
    assert summary.startswith(f"built {out}: 1 article, ") and summary.endswith(", 1 problem"), summary


def test_what_a_build_into_public_leaves_in_the_project_folder_is_ignored_by_git(tmp_path):
    """README's `feedsvc build public/ …`, run twice in a clone, keeps `git status` clean: the output, its
    lock and the swapped-out tree (the next build's staging tree) are all ignored."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for _ in range(2):
        assert build(str(tmp_path / "public"), str(ROOT / "articles")).returncode == 0
    left = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if not path.is_dir())
    assert any(name.startswith(".public.staging/") for name in left) and ".public.lock" in left, left
    checked = subprocess.run(
        ["git", "check-ignore", "--no-index", "--verbose", "--non-matching", "--stdin"],
        cwd=ROOT,
        input="\n".join(left),
        capture_output=True,
        text=True,
        timeout=60,
    )
    not_ignored = [line.split("\t")[1] for line in checked.stdout.splitlines() if line.startswith("::")]
    assert not not_ignored and len(checked.stdout.splitlines()) == len(left), checked.stdout + checked.stderr


def self_link(out, path: str = "rss.xml") -> str:
    return etree.parse(str(out / path)).xpath("/rss/channel/atom:link[@rel='self']/@href", namespaces=NS)[0]


def test_without_a_base_url_it_says_loudly_which_address_every_file_names(tmp_path):
    out = tmp_path / "public"
    result = build(str(out), "articles/", "--quiet", env={"FEEDSVC_BASE_URL": None})
    assert result.returncode == 0
    assert result.stderr.strip() == (
        f"feedsvc build: warning: no base URL is configured, so every feed, page, self link and photo in {out} "
        "names http://127.0.0.1:8000/ — set the address the files will be served from with --base-url, "
        "FEEDSVC_BASE_URL or base_url in feedsvc.toml"
    )
    assert self_link(out) == "http://127.0.0.1:8000/rss.xml"


def test_without_a_base_url_strict_fails_and_writes_nothing(tmp_path):
    out = tmp_path / "public"
    result = build(str(out), "articles/", "--strict", env={"FEEDSVC_BASE_URL": None})
    assert result.returncode == 1
    assert "no base URL is configured" in result.stderr and "(--strict)" in result.stderr
    assert not out.exists()


def test_base_url_on_the_command_line(tmp_path):
    out = tmp_path / "public"
    result = build(
        str(out),
        "articles/",
        "--strict",
        "--base-url",
        "https://cdn.example.net/feeds/",
        env={"FEEDSVC_BASE_URL": None},
    )
    assert result.returncode == 0, result.stderr
    assert "base URL" not in result.stderr
    assert self_link(out) == "https://cdn.example.net/feeds/rss.xml"


@pytest.mark.parametrize("spelling", [["articles/"], ["--store", "articles/"], ["articles", "--store", "./articles/"]])
def test_the_store_is_named_as_in_every_command(tmp_path, spelling):
    result = build(str(tmp_path / "public"), *spelling)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"built {tmp_path / 'public'}: 12 articles")


def test_two_different_stores_are_refused(tmp_path):
    result = build(str(tmp_path / "public"), "articles/", "--store", "tests/stores/problems")
    assert result.returncode == 2
    assert (
        "the store is given twice, as STORE (articles) and as --store (tests/stores/problems); give it once"
        in result.stderr
    )


def test_the_folders_given_the_wrong_way_round_are_named(tmp_path):
    result = build("articles/", str(tmp_path / "public"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "feedsvc build: articles is an article store, not an output folder: the output "
        "folder comes first, then the store (feedsvc build public/ articles)"
    )


@pytest.mark.parametrize(
    "store, message",
    [
        (
            "articels",
            "feedsvc build: the article store articels does not exist: give the store's folder as STORE or "
            "--store (or FEEDSVC_STORE), or make a new one with `feedsvc init articels`",
        ),
        (
            "docs",
            "feedsvc build: docs is not an article store: it has no _site.yml naming the publication and its "
            "sections (docs/FORMAT.md; `feedsvc init` makes a new store)",
        ),
    ],
)
def test_a_store_with_nothing_to_publish_is_refused_in_one_line(tmp_path, store, message):
    result = build(str(tmp_path / "public"), store)
    assert result.returncode == 2
    assert result.stderr.strip() == message
    assert not (tmp_path / "public").exists()


def read_with_progress(store_dir) -> list[tuple[int, int]]:
    """Read a store of 250 stories from scratch; what its progress callback heard, (done, total)."""
    for i in range(250):
        store_dir.write(f"world/story-{i:03d}.md", article(title=f"Story number {i} of many"))
    heard: list[tuple[int, int]] = []
    store = Store.open(
        store_dir.root,
        media_base_url=BASE_URL,
        cache_dir=None,
        progress=lambda done, total: heard.append((done, total)),
    )
    assert len(store.snapshot.by_id) == 250
    assert {total for _, total in heard} == {250}
    assert [done for done, _ in heard] == sorted(done for done, _ in heard)
    assert heard[0] == (0, 250) and heard[-1] == (250, 250) and len(heard) >= 3
    store_dir.write("world/story-000.md", article(title="Story number 0, corrected"))
    store.refresh()  # later looks read a file or two: nobody watches them
    assert heard[-1] == (250, 250) and heard.count((250, 250)) == 1
    return heard


def test_the_store_read_reports_its_progress(store_dir):
    assert len(read_with_progress(store_dir)) == 4  # 0, 100, 200, 250


@pytest.mark.forks
def test_a_read_in_forked_processes_reports_its_progress_too(store_dir, monkeypatch):
    """A large store is read by forked processes, a chunk at a time: the progress comes as chunks do."""
    pools, make_pool = [], forking.forked_pool

    def counted_pool():
        pools.append(make_pool())
        return pools[-1]

    monkeypatch.setattr(store_files, "PARALLEL_MINIMUM", 10)
    monkeypatch.setattr(store_files, "CHUNK", 25)
    monkeypatch.setattr(store_files.forking, "forked_pool", counted_pool)
    assert threading.active_count() == 1, "a thread is running: the store would not fork"
    heard = read_with_progress(store_dir)
    assert len(pools) == 1 and len(heard) >= 3
