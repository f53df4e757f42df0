"""Where `feedsvc build` may write, what it says when it cannot, and photos that change while it runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

import feedsvc.static.rendering as rendering
from feedsvc.static.build import BuildError, build, open_store

from .conftest import SAMPLE_STORE, article, make_jpeg
from .test_build import config_for, run_cli, tree

NS = {"media": "http://search.yahoo.com/mrss/", "atom": "http://www.w3.org/2005/Atom"}
PHOTO = "media/2013/harbor.jpg"


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
    assert sorted(str(p) for p in sample.rglob("*")) == listing  # not even a lock file in the store


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
    if (
        shutil.which("unshare") is None
        or subprocess.run(
            ["unshare", "-m", "sh", "-c", f"mount --bind '{folder}' '{folder}'"], capture_output=True
        ).returncode
    ):
        pytest.skip("root without a private mount namespace: cannot make a folder read-only for this test")
    script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, str(folder), *command]


def test_a_read_only_output_parent_is_one_clear_line_and_the_output_stays(tmp_path, sample):
    parent = tmp_path / "site"
    out = parent / "public"
    build(config_for(sample), out)
    before = tree(out)
    (sample / "world-nation" / "edited.md").write_text(
        article(title="An edit the build cannot publish", section="world-nation")
    )
    command = [sys.executable, "-m", "feedsvc.cli", "build", str(out), "--store", str(sample)]
    try:
        result = subprocess.run(
            read_only_command(parent, command),
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "FEEDSVC_BASE_URL": "https://feeds.example.com/"},
            cwd=Path(__file__).parent.parent,
        )
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


# ---- a photo replaced while the build runs -------------------------------------------------------


@pytest.fixture
def photo_store(store_dir):
    make_jpeg(store_dir.root / PHOTO, size=(1200, 800))
    store_dir.write("world/harbor.md", article(title="Cranes return to the harbor", photo={"src": PHOTO}))
    store_dir.write("world/other.md", article(title="A story without a photo", published="2013-05-01 09:00"))
    an_hour_ago = time.time() - 3600  # stories saved long ago: only the photo's change re-reads them
    for story in ("world/harbor.md", "world/other.md"):
        os.utime(store_dir.root / story, (an_hour_ago, an_hour_ago))
    return store_dir


def replace_photo(root: Path, size: tuple[int, int]) -> None:
    """Save a new version of the photo under its name, as an editor's tool does (a new file, renamed)."""
    new = root / "media" / "2013" / "new.tmp"
    Image.new("RGB", size, (200, 40, 40)).save(new, "JPEG", quality=90)
    new.replace(root / PHOTO)


def described(out: Path) -> list[tuple[int, str, int | None, int | None]]:
    """What every feed of the output says of the photo: (length, type, width, height), one per mention."""
    found = []
    for name in ("rss.xml", "sections/world/rss.xml", "atom.xml", "sections/world/atom.xml"):
        document = etree.parse(str(out / name))
        for enclosure in document.xpath("//item/enclosure | //atom:entry/atom:link[@rel='enclosure']", namespaces=NS):
            found.append((int(enclosure.get("length")), enclosure.get("type"), None, None))
        for content in document.xpath("//media:content", namespaces=NS):
            found.append(
                (
                    int(content.get("fileSize")),
                    content.get("type"),
                    int(content.get("width")),
                    int(content.get("height")),
                )
            )
    for name in ("feed.json", "sections/world/feed.json"):
        for item in json.loads((out / name).read_text())["items"]:
            for attachment in item.get("attachments", []):
                found.append((attachment["size_in_bytes"], attachment["mime_type"], None, None))
    assert len(found) == 10  # 2 × (RSS enclosure and media:content, Atom's, JSON's)
    return found


def assert_written_as_described(out: Path, store_root: Path) -> None:
    written = out / PHOTO
    assert written.read_bytes() == (store_root / PHOTO).read_bytes()
    with Image.open(written) as image:
        truth = (written.stat().st_size, "image/jpeg", *image.size)
    for length, mime, width, height in described(out):
        assert (length, mime) == truth[:2]
        assert width is None or (width, height) == truth[2:]


@pytest.mark.parametrize("processes", ["one process", "forked"])
def test_a_photo_replaced_after_the_store_read_it_is_written_as_the_feeds_describe(
    tmp_path, photo_store, monkeypatch, processes
):
    if processes == "forked":
        monkeypatch.setattr(rendering, "PARALLEL_DOCUMENTS", 1)
    config = config_for(photo_store.root)
    store = open_store(config)  # the store reads and measures the photo…
    replace_photo(photo_store.root, (300, 200))  # …which is replaced before the build writes it
    build(config, tmp_path / "public", store=store)
    assert_written_as_described(tmp_path / "public", photo_store.root)


def test_a_photo_replaced_while_the_feeds_are_written_is_written_as_they_describe(tmp_path, photo_store):
    replaced = []

    def progress(name: str) -> None:  # each file as the build writes it
        if name == "rss.xml" and not replaced:
            replace_photo(photo_store.root, (640, 480))
            replaced.append(name)

    out = tmp_path / "public"
    build(config_for(photo_store.root), out, progress=progress)
    assert replaced
    assert_written_as_described(out, photo_store.root)


def test_a_photo_that_keeps_changing_fails_the_build_and_leaves_the_output(tmp_path, photo_store):
    out = tmp_path / "public"
    build(config_for(photo_store.root), out)
    before = tree(out)
    sizes = iter([(300 + 10 * i, 200) for i in range(100)])

    def progress(name: str) -> None:
        if name == "rss.xml":
            replace_photo(photo_store.root, next(sizes))

    replace_photo(photo_store.root, next(sizes))
    with pytest.raises(BuildError) as failed:
        build(config_for(photo_store.root), out, progress=progress)
    assert PHOTO in str(failed.value) and "untouched" in str(failed.value)
    assert tree(out) == before


def test_a_photo_replaced_by_one_of_the_same_length_is_never_written_under_the_old_figures(tmp_path, photo_store):
    """Only the pixel size tells the two apart: the bytes read for the output are checked, not only the length,
    and the fresh look that follows reads the story again although the build measured the new photo first."""
    config = config_for(photo_store.root)
    store = open_store(config)
    length = (photo_store.root / PHOTO).stat().st_size
    replace_photo(photo_store.root, (640, 480))
    with open(photo_store.root / PHOTO, "ab") as padded:  # bytes after the JPEG's end: still valid
        padded.write(b"\0" * (length - (photo_store.root / PHOTO).stat().st_size))
    assert (photo_store.root / PHOTO).stat().st_size == length
    out = tmp_path / "public"
    build(config, out, store=store)
    assert_written_as_described(out, photo_store.root)
