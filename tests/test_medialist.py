"""build --watch's cheap listing of media/ names exactly the photos the service serves and the build
copies (MediaLibrary.paths), each with the key a new version changes."""

from __future__ import annotations

import os

from feedsvc.publish.media import MediaLibrary
from feedsvc.store.files import stat_key
from feedsvc.store.medialist import photo_keys


def test_the_listing_names_what_the_library_serves(store_dir, tmp_path):
    for name in (
        "media/a.jpg",
        "media/2026/b.PNG",
        "media/2026/deep/c.webp",
        "media/notes.txt",
        "media/upload.jpg.part",
        "media/.hidden.jpg",
        "media/_drafts/d.jpg",
        "media/.git/e.gif",
    ):
        store_dir.write(name, b"bytes")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "f.jpg").write_bytes(b"bytes")
    os.symlink(outside, store_dir.root / "media/linked")  # a linked folder is not entered
    os.symlink(store_dir.root / "media/a.jpg", store_dir.root / "media/link.jpg")  # nor a link served
    library = MediaLibrary(store_dir.root / "media", 10**7)

    listed = photo_keys(store_dir.root)

    assert (
        set(listed)
        == {f"media/{path}" for path in library.paths()}
        == {
            "media/a.jpg",
            "media/2026/b.PNG",
            "media/2026/deep/c.webp",
        }
    )
    assert all(key == stat_key(os.stat(store_dir.root / path)) for path, key in listed.items())


def test_no_media_folder_lists_nothing(store_dir):
    assert photo_keys(store_dir.root) == {}
