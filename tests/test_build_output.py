"""Where `feedsvc build` may write."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from feedsvc.static.build import BuildError, build

from .conftest import SAMPLE_STORE
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
