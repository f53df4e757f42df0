"""Photos are written as the feeds describe them.

The store measures each photo when it reads the stories that use it (length, type, pixel size), and
the feeds state those figures; the build copies the file later. A photo saved again in between would
reach subscribers with an enclosure that lies about the file beside it. So the build reads each photo
once, checks those very bytes against what the feeds say, and writes them; a photo that no longer
matches is `PhotoChanged`, and the build starts again from a fresh look at the store.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime

from ..model import Photo
from ..paths import MEDIA_PREFIX
from ..publish.publisher import Publisher
from ..render.document import Rendered
from ..store.snapshot import StoreSnapshot
from .tree import BuildError


class PhotoChanged(BuildError):
    """A photo is no longer what the stories using it were read with: it changed during the build."""


def described_photos(snapshot: StoreSnapshot) -> dict[str, Photo]:
    """Each store photo a story uses (by its path, media/…) and what the feeds say of it."""
    return {
        article.photo.store_path: article.photo
        for article in snapshot.by_id.values()
        if article.photo is not None and article.photo.store_path is not None
    }


def _describe(length: int | None, mime_type: str | None, size: tuple[int | None, int | None]) -> str:
    pixels = f"{size[0]}×{size[1]} " if size[0] and size[1] else ""
    return f"{length:,}-byte {pixels}{mime_type}" if length is not None else f"{pixels}{mime_type}"


def _changed(path: str, photo: Photo, now: str) -> PhotoChanged:
    said = _describe(photo.length, photo.mime_type, (photo.width, photo.height))
    return PhotoChanged(f"{path} changed while the build ran: the feeds describe a {said}, the file is now {now}")


def _pixels(data: bytes) -> tuple[int | None, int | None]:
    from PIL import Image  # the photo was served by publish.media, which loaded Pillow

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (OSError, ValueError):  # UnidentifiedImageError is an OSError
        return None, None


def photo_as_described(publisher: Publisher, path: str, photo: Photo, now: datetime) -> Rendered:
    """The photo at `path`, read once, if those bytes are the `photo` the feeds describe; else PhotoChanged.

    The size is compared first: a new length is caught from the stat alone, without reading the file.
    """
    length = publisher.media.length(path.removeprefix(MEDIA_PREFIX))
    if length is None:
        raise _changed(path, photo, "gone")
    if length != photo.length:
        raise _changed(path, photo, f"{length:,} bytes")
    document = publisher.render(path, now)
    if document is None:
        raise _changed(path, photo, "no longer an image the service would serve")
    size = _pixels(document.body)
    if (len(document.body), document.mimetype) != (photo.length, photo.mime_type) or (
        photo.width and photo.height and size != (photo.width, photo.height)
    ):
        raise _changed(path, photo, f"a {_describe(len(document.body), document.mimetype, size)}")
    return document


def render(publisher: Publisher, path: str, now: datetime, photos: Mapping[str, Photo]) -> Rendered | None:
    """The document at `path`; a photo the feeds describe only as they describe it."""
    photo = photos.get(path)
    if photo is None:
        return publisher.render(path, now)
    return photo_as_described(publisher, path, photo, now)
