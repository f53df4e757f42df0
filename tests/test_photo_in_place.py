"""A photo overwritten in place with a file of the same length, its old mtime put back (a tool that
keeps times, a restore from a backup), is still a new photo: only its ctime says so, and the store
reads its stories again by it. The build and the service must publish the new bytes too, not the
ones their caches keyed on (mtime, size, inode) remember. Found by tests/test_paths_agree.py."""

from __future__ import annotations

import os

import pytest

from feedsvc.serve.app import create_app
from feedsvc.static.build import build

from .conftest import BASE_URL, article
from .newsroom import jpeg_bytes
from .test_build import config_for

PHOTO = "media/p.jpg"


@pytest.fixture
def photo_store(store_dir):
    store_dir.write(PHOTO, jpeg_bytes((64, 48), (30, 90, 160)))
    store_dir.write("world/photo.md", article(photo={"src": PHOTO, "caption": "Boats", "credit": "Us"}))
    an_hour_ago = os.stat(store_dir.root / PHOTO).st_mtime_ns - 3600 * 10**9  # never re-read just in case
    for name in (PHOTO, "world/photo.md"):
        os.utime(store_dir.root / name, ns=(an_hour_ago, an_hour_ago))
    return store_dir


def overwrite_keeping_stat(store_dir) -> bytes:
    """Other pixels, the same length, the same inode and mtime; the new bytes."""
    path = store_dir.root / PHOTO
    before = path.stat()
    data = jpeg_bytes((64, 48), (200, 40, 40))
    with open(path, "r+b") as fh:
        fh.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    return data


def test_a_one_off_build_copies_the_photo_overwritten_in_place(photo_store, tmp_path):
    out = tmp_path / "public"
    build(config_for(photo_store.root), out)
    data = overwrite_keeping_stat(photo_store)
    build(config_for(photo_store.root), out)
    assert (out / PHOTO).read_bytes() == data


def test_the_service_serves_the_photo_overwritten_in_place(photo_store):
    app = create_app({"store": photo_store.root, "base_url": BASE_URL}, auto_refresh=False)
    client, service = app.test_client(), app.extensions["feedsvc"]
    first = client.get("/" + PHOTO)
    assert first.status_code == 200
    data = overwrite_keeping_stat(photo_store)
    service.on_change(service.store.refresh())
    again = client.get("/" + PHOTO)
    assert again.data == data and again.headers["ETag"] != first.headers["ETag"]
