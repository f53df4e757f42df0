"""The Markdown of a story body, as HTML: CommonMark with GitHub's tables, strikethrough, autolinks,
task lists and footnotes, through cmark-gfm.

It lives in `source`, not `render`, because the parse needs it once: a body whose raw HTML seems to
nest deeper than `article.MAX_HTML_DEPTH` is rendered and counted again, since code shown as code
is escaped and does not nest. Only that rare body loads cmark during a parse (the article parser
imports this module there, not at the top); `render.html` uses it for every body it renders.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import threading
from collections.abc import Callable

from cmarkgfm import _cmark
from cmarkgfm.cmark import Options, markdown_to_html_with_extensions

from .text import XML_FORBIDDEN

log = logging.getLogger(__name__)

# cmark-gfm, the reference C implementation of CommonMark with GitHub's tables, strikethrough and
# autolinks: linear time on any input, and much quicker than a pure-Python parser (docs/PERFORMANCE.md).
# Raw HTML is let through here ("unsafe") because the allow-list sanitiser (`render.html`) decides
# what survives. GitHub's "tagfilter" extension is left out on purpose: it escapes <iframe>,
# <script>, <style>… into text ("&lt;iframe"), so the sanitiser could no longer remove them and
# readers showed them as text.
_MARKDOWN_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_GITHUB_PRE_LANG | Options.CMARK_OPT_FOOTNOTES
_MARKDOWN_EXTENSIONS = ("table", "autolink", "strikethrough", "tasklist")

# cmarkgfm's markdown_to_html_with_extensions (2025.10.22 and before) frees neither the document's
# syntax tree nor the rendered HTML: about 30 KB of C memory for each 600-word body, for as long as
# the process lives (60 MB in a service's warm render at 100,000 stories, shared by every worker, and
# more for each story rendered later). Its cffi module declares no cmark_node_free, so the tree is
# freed through ctypes from the same library, and the HTML through cmark's own allocator (whose free
# is the process's: jemalloc's or tcmalloc's where one is preloaded, not necessarily libc's).
# Where any of that cannot be found (another build of cmarkgfm), cmarkgfm's own call is used: it leaks,
# which is logged, but it renders the same HTML.
_lib, _ffi = _cmark.lib, _cmark.ffi


class _MemAllocator(ctypes.Structure):
    """cmark_mem (cmark-gfm.h): the allocator cmark allocates the rendered HTML with."""

    _fields_ = [
        ("calloc", ctypes.c_void_p),
        ("realloc", ctypes.c_void_p),
        ("free", ctypes.CFUNCTYPE(None, ctypes.c_void_p)),
    ]


def _freeing_functions() -> tuple[Callable[[int], None], Callable[[int], None]] | None:
    """cmark_node_free and the allocator's free, or None (logged) where this cmarkgfm does not export them."""
    try:
        library = ctypes.CDLL(_cmark.__file__)
        node_free = library.cmark_node_free
        node_free.argtypes, node_free.restype = [ctypes.c_void_p], None
        default_allocator = library.cmark_get_default_mem_allocator
        default_allocator.argtypes, default_allocator.restype = [], ctypes.POINTER(_MemAllocator)
        free = default_allocator().contents.free
    except (OSError, AttributeError, ValueError) as exc:
        log.warning("cmark-gfm's memory cannot be freed here (%s): each rendered body leaks its syntax tree", exc)
        return None
    return node_free, free


_FREEING = _freeing_functions()
_lib.cmark_gfm_core_extensions_ensure_registered()
_EXTENSIONS = tuple(_lib.cmark_find_syntax_extension(name.encode()) for name in _MARKDOWN_EXTENSIONS)
if not all(_EXTENSIONS):
    raise ImportError(f"cmark-gfm lacks one of the extensions {_MARKDOWN_EXTENSIONS}")
# cmark-gfm is not thread-safe: each parse switches the extensions' special characters on and off in
# tables the whole library shares, so two parses at once can drop a strikethrough or an autolink (seen:
# 4 % of renders from 4 threads). The service parses an edited file on its refresher thread while
# request threads render archives: one parse at a time. A process forked while another thread held
# the lock would never see it released: a child starts with a fresh one.
_CMARK_LOCK = threading.Lock()


def _fresh_lock_after_fork() -> None:
    global _CMARK_LOCK
    _CMARK_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_fresh_lock_after_fork)


def _address(pointer: object) -> int:
    return int(_ffi.cast("uintptr_t", pointer))


_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _xml_safe_reference(match: re.Match[str]) -> str:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    if code > 0x10FFFF or XML_FORBIDDEN.match(chr(code) if code < 0xD800 or code > 0xDFFF else "\x00"):
        return "&#xFFFD;"  # cmark would emit it as bytes that are not UTF-8
    return match.group(0)


def markdown_html(source: str) -> str:
    """The body as HTML, not yet sanitised: raw HTML in it is passed through."""
    if "&#" in source:
        source = _CHARACTER_REFERENCE.sub(_xml_safe_reference, source)
    return _render(source.encode("utf-8"))


def _render(text: bytes) -> str:
    """cmarkgfm's markdown_to_html_with_extensions, step for step, freeing what it leaves behind."""
    with _CMARK_LOCK:
        if _FREEING is None:
            leaking: str = markdown_to_html_with_extensions(
                text.decode("utf-8"), _MARKDOWN_OPTIONS, _MARKDOWN_EXTENSIONS
            )
            return leaking
        node_free, free = _FREEING
        parser = _lib.cmark_parser_new(_MARKDOWN_OPTIONS)
        try:
            for extension in _EXTENSIONS:
                _lib.cmark_parser_attach_syntax_extension(parser, extension)
            _lib.cmark_parser_feed(parser, text, len(text))
            root = _lib.cmark_parser_finish(parser)
            if root == _ffi.NULL or _lib.cmark_node_get_type(root) == _lib.CMARK_NODE_NONE:
                raise ValueError("Error parsing markdown!")
            try:
                extensions = _lib.cmark_parser_get_syntax_extensions(parser)
                rendered = _lib.cmark_render_html(root, _MARKDOWN_OPTIONS, extensions)
                try:
                    html: str = _ffi.string(rendered).decode("utf-8")
                finally:
                    free(_address(rendered))
            finally:
                node_free(_address(root))
        finally:
            _lib.cmark_parser_free(parser)
    return html
