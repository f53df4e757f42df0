"""Where `feedsvc build` may write, and what it says when it cannot."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from feedsvc.static.build import BuildError, build

from .conftest import SAMPLE_STORE, article
from .test_build import config_for, run_cli, tree


@pytest.fixture
def sample(tmp_path) -> Path:
    """A copy of the sample store, which a test may move, edit or build into."""
    store = tmp_path / "newsroom"
    shutil.copytree(SAMPLE_STORE, store)
    return store


# ---- an output folder inside the store, or around it --------------------------------------------

@pytest.mark.parametrize("inside", ["media/public", "world-nation/public", "public", "."])
def test_an_output_folder_inside_the_store_is_refused_naming_both(sample, inside):
    out = sample / inside
    listing = sorted(str(p) for p in sample.rglob("*"))
    with pytest.raises(BuildError) as refused:
        build(config_for(sample), out)
    message = str(refused.value)
    assert str(out.resolve()) in message and str(sample.resolve()) in message and "\n" not in message
    assert sorted(str(p) for p in sample.rglob("*")) == listing          # not even a lock file in the store


def test_an_output_folder_reached_through_a_link_into_the_store_is_refused(sample, tmp_path):
    (tmp_path / "shortcut").symlink_to(sample / "media")
    with pytest.raises(BuildError, match="inside the store"):
        build(config_for(sample), tmp_path / "shortcut" / "public")
    assert not (sample / "media" / "public").exists()


def test_a_store_kept_inside_the_output_folder_is_refused_and_left_where_it_is(tmp_path, sample):
    """The swap would move the store away with the old output, and the next build would delete it."""
    out = tmp_path / "public"
    build(config_for(sample), out)
    moved = out / "newsroom"
    sample.rename(moved)
    before = tree(moved)
    with pytest.raises(BuildError) as refused:
        build(config_for(moved), out)
    assert "contains the store" in str(refused.value) and str(moved.resolve()) in str(refused.value)
    assert tree(moved) == before


def test_an_output_folder_beside_the_store_is_fine(sample):
    report = build(config_for(sample), sample.parent / "public")
    assert report.changed and (sample.parent / "public" / "rss.xml").is_file()


def test_the_command_refuses_it_in_one_line_with_exit_code_2(sample):
    result = run_cli("build", str(sample / "media" / "public"), "--store", str(sample))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("feedsvc build: ")
    assert str(sample.resolve()) in result.stderr and "Traceback" not in result.stderr
    assert not (sample / "media" / "public").exists()


# ---- an output folder that cannot be written -----------------------------------------------------

def read_only_command(folder: Path, command: list[str]) -> list[str]:
    """`command`, run where `folder` is read-only. Root ignores permission bits, so for root the
    folder is bind-mounted read-only in a mount namespace of the command's own (unshare(1)); anyone
    else gets the folder's write bits taken away (the caller restores them)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return command
    if shutil.which("unshare") is None or subprocess.run(
            ["unshare", "-m", "sh", "-c", f"mount --bind '{folder}' '{folder}'"], capture_output=True).returncode:
        pytest.skip("root without a private mount namespace: cannot make a folder read-only for this test")
    script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, str(folder), *command]


def test_a_read_only_output_parent_is_one_clear_line_and_the_output_stays(tmp_path, sample):
    parent = tmp_path / "site"
    out = parent / "public"
    build(config_for(sample), out)
    before = tree(out)
    (sample / "world-nation" / "edited.md").write_text(article(title="An edit the build cannot publish",
                                                                section="world-nation"))
    command = [sys.executable, "-m", "feedsvc.cli", "build", str(out), "--store", str(sample)]
    try:
        result = subprocess.run(read_only_command(parent, command),
                                capture_output=True, text=True, timeout=120,
                                env={**os.environ, "FEEDSVC_BASE_URL": "https://feeds.example.com/"},
                                cwd=Path(__file__).parent.parent)
    finally:
        parent.chmod(0o755)
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("feedsvc build: ")]
    assert "Traceback" not in result.stderr and len(errors) == 1, result.stderr
    reason = "read-only file system" if os.geteuid() == 0 else "permission denied"
    assert str(out) in errors[0] and reason in errors[0].lower(), errors[0]
    assert tree(out) == before


def test_an_output_under_a_file_is_one_clear_line(tmp_path, sample):
    (tmp_path / "notes.txt").write_text("not a folder")
    result = run_cli("build", str(tmp_path / "notes.txt" / "public"), "--store", str(sample), "--quiet")
    assert result.returncode == 1
    assert result.stderr.startswith("feedsvc build: ") and result.stderr.count("\n") == 1, result.stderr
    assert f"{tmp_path / 'notes.txt'} is a file, not a folder" in result.stderr
