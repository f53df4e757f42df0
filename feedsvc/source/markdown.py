"""The Markdown of a story body, as HTML: CommonMark with GitHub's tables, strikethrough, autolinks,
task lists and footnotes, through cmark-gfm.

It lives in `source`, not `render`, because the parse needs it once: a body whose raw HTML seems to
nest deeper than `article.MAX_HTML_DEPTH` is rendered and counted again, since code shown as code
is escaped and does not nest. Only that rare body loads cmark during a parse (the article parser
imports this module there, not at the top); `render.html` uses it for every body it renders.
"""

from __future__ import annotations

import ctypes
import re

from cmarkgfm import _cmark
from cmarkgfm.cmark import Options

from .text import XML_FORBIDDEN

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
# freed through ctypes from the same library, and the HTML with the `free` that library allocates with
# (cmark's default allocator is calloc/realloc/free).
_lib, _ffi = _cmark.lib, _cmark.ffi
_library = ctypes.CDLL(_cmark.__file__)
_node_free = _library.cmark_node_free
_node_free.argtypes, _node_free.restype = [ctypes.c_void_p], None
_free = _library.free
_free.argtypes, _free.restype = [ctypes.c_void_p], None
_lib.cmark_gfm_core_extensions_ensure_registered()
_EXTENSIONS = tuple(_lib.cmark_find_syntax_extension(name.encode()) for name in _MARKDOWN_EXTENSIONS)


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
    parser = _lib.cmark_parser_new(_MARKDOWN_OPTIONS)
    try:
        for extension in _EXTENSIONS:
            _lib.cmark_parser_attach_syntax_extension(parser, extension)
        _lib.cmark_parser_feed(parser, text, len(text))
        root = _lib.cmark_parser_finish(parser)
        try:
            if _lib.cmark_node_get_type(root) == _lib.CMARK_NODE_NONE:
                raise ValueError("Error parsing markdown!")
            rendered = _lib.cmark_render_html(root, _MARKDOWN_OPTIONS, _lib.cmark_parser_get_syntax_extensions(parser))
            try:
                html: str = _ffi.string(rendered).decode("utf-8")
            finally:
                _free(_address(rendered))
        finally:
            _node_free(_address(root))
    finally:
        _lib.cmark_parser_free(parser)
    return html
