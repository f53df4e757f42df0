"""The Markdown engine under the conditions a service runs it in: several threads at once (a request
thread renders an archive while the refresher parses an edited story), and another allocator than
glibc's plain one (operators preload jemalloc or tcmalloc to cut memory; glibc's checking allocator
stands in for them here). A story must come out the same, and no worker may crash."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cmarkgfm.cmark import markdown_to_html_with_extensions

from feedsvc.source.markdown import _MARKDOWN_EXTENSIONS, _MARKDOWN_OPTIONS, markdown_html

BODIES = [
    "The pier ~~closed~~ reopened on Tuesday; details at www.harbor.example.com and https://example.org/x.",
    "| year | boats |\n|---|---|\n| 2012 | ~~40~~ 41 |\n\n- [x] vote\n- [ ] repair\n\nA note.[^1]\n\n[^1]: Minutes.",
    "> " * 200 + "deep quote",
    "".join(f"{'  ' * i}- level {i}\n" for i in range(300)),
    "<script>alert(1)</script>\n\n*emphasis* " * 200,
    "",
]


def _cmarkgfm(body: str) -> str:
    return markdown_to_html_with_extensions(body, _MARKDOWN_OPTIONS, _MARKDOWN_EXTENSIONS)


def test_stories_rendered_on_several_threads_at_once_keep_their_strikethrough_and_links():
    expected = {body: _cmarkgfm(body) for body in BODIES[:2]}
    wrong: list[str] = []

    def render_many() -> None:
        for round_ in range(400):
            body = BODIES[round_ % 2]
            if markdown_html(body) != expected[body]:
                wrong.append(body)

    threads = [threading.Thread(target=render_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert wrong == [], f"{len(wrong)} of 1,600 renders lost part of their story"


CHECKING_ALLOCATOR = next(
    (
        path
        for path in (
            "/usr/lib/x86_64-linux-gnu/libc_malloc_debug.so.0",
            "/usr/lib/aarch64-linux-gnu/libc_malloc_debug.so.0",
        )
        if Path(path).exists()
    ),
    None,
)

RENDER_ALL = """
import sys
from cmarkgfm.cmark import markdown_to_html_with_extensions
from feedsvc.source.markdown import _MARKDOWN_EXTENSIONS, _MARKDOWN_OPTIONS, markdown_html
from tests.test_markdown_engine import BODIES
for _ in range(3):
    for body in BODIES:
        assert markdown_html(body) == markdown_to_html_with_extensions(body, _MARKDOWN_OPTIONS, _MARKDOWN_EXTENSIONS)
print("rendered", len(BODIES) * 3)
"""


@pytest.mark.skipif(CHECKING_ALLOCATOR is None, reason="needs glibc's libc_malloc_debug.so")
def test_a_process_with_another_allocator_renders_stories_without_crashing():
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "LD_PRELOAD": str(CHECKING_ALLOCATOR), "MALLOC_CHECK_": "3", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", RENDER_ALL], capture_output=True, text=True, timeout=120, env=env, cwd=root
    )
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]}"
    assert done.stdout.strip() == f"rendered {len(BODIES) * 3}"
