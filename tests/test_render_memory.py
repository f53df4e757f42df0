"""Rendering a story leaves no memory behind. A worker renders stories for as long as it runs (edits,
archives a crawler walks), so what one render leaks, a hundred thousand renders leak a hundred
thousand times: cmarkgfm's own Markdown call kept each body's syntax tree and HTML (about 30 KB
for a 600-word story). Measured in a fresh interpreter, as the C heap's bytes in use (glibc's
mallinfo2), where Python's own allocator does not blur the figure."""

from __future__ import annotations

import ctypes
import ctypes.util
import subprocess
import sys

import pytest

RENDERS = 400
LEFT_BEHIND_LIMIT = 2 << 20  # bytes; cmarkgfm left 26 MB behind for these renders


def _has_mallinfo2() -> bool:
    try:
        return hasattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), "mallinfo2")
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _has_mallinfo2(), reason="needs glibc's mallinfo2 (glibc 2.33 or newer)")

MEASURE = f"""
import ctypes, gc
class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                                     "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2
def in_use():
    gc.collect()
    info = libc.mallinfo2()
    return info.uordblks + info.hblkhd
from feedsvc.render.html import body_html
paragraph = "The harbour commission voted on Tuesday to reopen the *north pier*, closed since the storm. " * 8
parts = [f"## Part {{i}}\\n\\n{{paragraph}} See [the plan](/plans/{{i}}), https://example.com/{{i}}." for i in range(6)]
body = "\\n\\n".join([*parts, "| year | boats |\\n|---|---|\\n| 2012 | 40 |\\n| 2013 | 52 |", "- [x] vote"])
body_html(body, "https://news.example.com/")  # imports and first-use caches, before counting
before = in_use()
for i in range({RENDERS}):
    html = body_html(body + f" ({{i}})", "https://news.example.com/")
del html
print(in_use() - before)
"""


def test_rendering_many_story_bodies_leaves_no_memory_behind():
    done = subprocess.run([sys.executable, "-c", MEASURE], capture_output=True, text=True, timeout=120, check=True)
    left_behind = int(done.stdout.split()[-1])
    assert left_behind < LEFT_BEHIND_LIMIT, f"{RENDERS} renders left {left_behind:,} bytes in use"
