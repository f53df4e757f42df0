"""A persistent memory of parsed article files, so a restart or a rebuild re-reads only what changed.

Entries are keyed by store path and trusted only while the file's (mtime, size, inode, ctime) is
unchanged, under the same site file, limits and parser code; anything else is re-read. Not under
the same base URL: where the feeds are served is no part of a reading, so a second instance on
another address, or a new FEEDSVC_BASE_URL, starts from the same cache.
The cache lives outside the store, is written atomically, and a damaged or foreign cache is
simply ignored. It holds pickles: keep the cache folder as private as the store itself.

The readings are pickled in chunks of CHUNK files, not as one pickle: an unpickler keeps every
object it made in its memo until its pickle ends, with the field tuples each story is rebuilt
from, and once freed those leave holes all through the memory the stories hold. At 100,000 stories
one pickle peaked 134 MB above what it kept, and the service's master, with every worker it forks,
kept about 100 MB more resident than after a read without the cache (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import Any

from ..versions import installed
from .files import Reading

log = logging.getLogger(__name__)

MAGIC = b"feedsvc-parse-cache 2\n"  # 2: a header, then the readings in chunks
CHUNK = 1000  # readings per pickle: each chunk's leftovers are reused by the next one's
# Every module whose code decides what a file parses to: the whole of source/ (a new module there is
# covered without being listed), and what it imports from outside it. Nothing that only renders.
_PARSER_MODULES = ("model.py", "uri.py", "store/files.py")
# What reads a file besides our code, each allowed a range of versions by pyproject.toml: PyYAML and
# the libyaml under it (the front matter), cmarkgfm and nh3 (a body's links, a field's markup), and
# Python (unicodedata makes the slugs). A new one may read the same bytes otherwise.
_READING_LIBRARIES = ("cmarkgfm", "nh3")


def _readers() -> tuple[object, ...]:
    """The versions of what reads a file besides our code ("" for one not installed)."""
    import yaml

    try:
        from yaml._yaml import get_version_string
    except ImportError:  # PyYAML built without libyaml: it reads with its own Python parser
        libyaml = ""
    else:
        libyaml = str(get_version_string())
    return sys.version_info[:3], yaml.__version__, libyaml, *map(installed, _READING_LIBRARIES)


def parser_fingerprint(here: Path = Path(__file__).parent.parent) -> str:
    """Changes whenever the code that turns bytes into articles changes (`here`: the package's folder),
    or a library it reads them with (or Python) is upgraded."""
    digest = hashlib.blake2b(digest_size=12)
    for path in [*sorted((here / "source").glob("*.py")), *(here / name for name in _PARSER_MODULES)]:
        digest.update(path.relative_to(here).as_posix().encode() + b"\0" + path.read_bytes())
    digest.update(repr(_readers()).encode())
    return digest.hexdigest()


PARSER_FINGERPRINT = parser_fingerprint()


class ParseCache:
    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / "articles.pickle"

    def load(self, context: tuple[object, ...]) -> tuple[dict[str, Any], dict[str, Any], int]:
        """(files, photos, written_ns) saved under the same `context`; empty if none is usable."""
        try:
            with open(self.path, "rb") as fh:
                if fh.read(len(MAGIC)) != MAGIC:
                    return {}, {}, 0
                head = pickle.load(fh)  # noqa: S301 — our own file, in a folder only we write
                if not isinstance(head, dict) or head.get("context") != (PARSER_FINGERPRINT, *context):
                    return {}, {}, 0
                files: dict[str, Any] = {}
                for _ in range(head["chunks"]):
                    files.update(pickle.load(fh))  # noqa: S301
        except FileNotFoundError:
            return {}, {}, 0
        except Exception as exc:  # noqa: BLE001 — a damaged cache costs a re-read, nothing more
            log.warning("%s: ignoring an unreadable parse cache (%s)", self.path, exc)
            return {}, {}, 0
        return files, head["photos"], head["written_ns"]

    def saved_since(self, moment_ns: int) -> bool:
        """Was the cache file written at or after `moment_ns` (another process saved it meanwhile)?"""
        try:
            return self.path.stat().st_mtime_ns >= moment_ns
        except OSError:
            return False

    def save(
        self,
        context: tuple[object, ...],
        files: Mapping[str, tuple[tuple[object, ...], Reading]],
        photos: dict[str, Any],
    ) -> None:
        """Write atomically (a temporary file renamed over the old one); failures are only logged."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            head = {
                "context": (PARSER_FINGERPRINT, *context),
                "written_ns": time.time_ns(),
                "photos": photos,
                "chunks": -(-len(files) // CHUNK),
            }
            fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".articles-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(MAGIC)
                    pickle.dump(head, fh, protocol=pickle.HIGHEST_PROTOCOL)
                    for chunk in _chunks(files):
                        pickle.dump(chunk, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError as exc:
            log.warning("%s: could not save the parse cache (%s)", self.path, exc)


def _chunks(files: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The readings, CHUNK files at a time."""
    items = iter(files.items())
    while chunk := dict(islice(items, CHUNK)):
        yield chunk
