"""The Markdown of a story body, as HTML: CommonMark with GitHub's tables, strikethrough, autolinks,
task lists and footnotes, through cmark-gfm.

It lives in `source`, not `render`, because the parse needs it once: a body whose raw HTML seems to
nest deeper than `article.MAX_HTML_DEPTH` is rendered and counted again, since code shown as code
is escaped and does not nest. Only that rare body loads cmark during a parse (the article parser
imports this module there, not at the top); `render.html` uses it for every body it renders.
"""

from __future__ import annotations

import re

from cmarkgfm.cmark import Options, markdown_to_html_with_extensions

from .text import XML_FORBIDDEN

# cmark-gfm, the reference C implementation of CommonMark with GitHub's tables, strikethrough and
# autolinks: linear time on any input, and much quicker than a pure-Python parser (docs/PERFORMANCE.md).
# Raw HTML is let through here ("unsafe") because the allow-list sanitiser (`render.html`) decides
# what survives. GitHub's "tagfilter" extension is left out on purpose: it escapes <iframe>,
# <script>, <style>… into text ("&lt;iframe"), so the sanitiser could no longer remove them and
# readers showed them as text.
_MARKDOWN_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_GITHUB_PRE_LANG | Options.CMARK_OPT_FOOTNOTES
_MARKDOWN_EXTENSIONS = ("table", "autolink", "strikethrough", "tasklist")


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
    html: str = markdown_to_html_with_extensions(source, options=_MARKDOWN_OPTIONS, extensions=_MARKDOWN_EXTENSIONS)
    return html
