"""The header rules a static host needs to serve the build as the service would: `_headers` for
Netlify and Cloudflare Pages, and a snippet for an nginx `server` block."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from ..paths import ARCHIVE_FORMATS, FEED_FORMATS, NEWS_SITEMAP_PATH, OPML_PATHS, ROBOTS_PATH, SCOPE_FOLDERS, base_path
from ..publish.media import types_by_ending
from ..publish.settings import FeedSettings
from ..render.document import ARCHIVE, FEED, MEDIA, PAGE, CachePolicy
from ..render.opml import OPML_MIMETYPE
from ..render.sitemap import ROBOTS_MIMETYPE, SITEMAP_MIMETYPE

HEADERS_FILE = "_headers"  # Netlify / Cloudflare Pages header rules
NGINX_FILE = "nginx-feedsvc.conf"  # an nginx snippet to include in a server block


# What Netlify and Cloudflare Pages would read as other than the path itself: `*` is a wildcard there,
# a segment starting with `:` a placeholder, and a control character (a line break) would end the rule.
# One search per path: `_headers` names every document, thousands of them at every build.
_NOT_LITERAL = re.compile(r"[*\x00-\x1f\x7f]|/:")


def _literal(path: str) -> bool:
    """Would Netlify and Cloudflare Pages read this path as itself?"""
    return _NOT_LITERAL.search(path) is None


def netlify_headers(headers: dict[str, dict[str, str]]) -> str:
    """`_headers` in the format Netlify and Cloudflare Pages read: a path, then indented headers.

    A path that would be read as a pattern (a photo called `*.jpg`) is left out: its rule would give
    its headers, ETag included, to other files. The host serves it with its own defaults."""
    lines = ["# Written by feedsvc build: the headers the feed service sends for each path."]
    for path in sorted(filter(_literal, headers)):
        lines.append(path)
        lines.extend(f"  {name}: {value}" for name, value in sorted(headers[path].items()))
    return "\n".join(lines) + "\n"


def precompressed(kind: str) -> bool:
    """Does the build write a `.gz` copy of a document of this kind? Not of an RFC 5005 archive: archives
    are fetched rarely (a reader backfilling history, once) while feeds are polled all day, and they are
    most of a build's bytes, so compressing every one at every build (40 % of its CPU) is not worth it.
    The host compresses the few that are asked for: the snippet turns nginx's gzip on for them."""
    return kind != ARCHIVE


def _location(
    pattern: str, mimetype: str, cache_control: str, link: str | None = None, *, kind: str = FEED, gzip_level: int = 6
) -> str:
    lines = [f'location ~ "{pattern}" {{', "    types { }", f"    default_type {mimetype};"]
    if precompressed(kind):
        lines.append("    gzip_static on;")  # the .gz sibling, for a client that accepts gzip
    else:  # no sibling: compressed on the fly for a client that accepts gzip, at the service's level
        # (nginx's default is 1; it has no 0, the service's "stored, not compressed")
        lines += ["    gzip on;", f"    gzip_types {mimetype};", f"    gzip_comp_level {max(1, gzip_level)};"]
    lines += ["    gzip_vary on;", f'    add_header Cache-Control "{cache_control}";']
    if link:
        lines.append(f"    add_header Link '{link}';")
    return "\n".join(lines + ["}"])


def _quoted(text: str) -> str | None:
    """`text` as an nginx quoted string; None if it holds a control character."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        return None
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mislabelled(media_types: dict[str, str], cache_control: str) -> list[str]:
    """An exact location for each photo whose bytes are not the type its name says.

    nginx types a photo by its name's ending (case aside), the service by its bytes: a PNG named
    .jpg needs a line of its own."""
    by_name = types_by_ending()
    blocks = []
    for path, mimetype in sorted(media_types.items()):
        name = _quoted(path)
        if name is not None and by_name.get(path.rpartition(".")[2].lower()) != mimetype:
            blocks.append(
                f"location = {name} {{ types {{ }} default_type {mimetype}; "
                f'add_header Cache-Control "{cache_control}"; }}'
            )
    return blocks


def nginx_snippet(
    policy: CachePolicy,
    hub_url: str | None = None,
    base_url: str = "",
    media_types: dict[str, str] | None = None,
    gzip_level: int = FeedSettings().gzip_level,
) -> str:
    """A snippet for an nginx `server` block whose `root` is the build output — or, when the base URL
    has a path (/feeds/), for a `location /feeds/` block that `alias`es it: every location below
    matches the published paths. `media_types` are the photos' published paths and their types;
    `gzip_level` the level the service compresses at (archives are compressed by nginx).

    Patterns, not one block per file, so a build that adds a section, an archive month or a photo
    needs no nginx reload (only a photo whose bytes are not what its name says has a line of its
    own). Every type is set here, so the snippet does not depend on nginx's mime.types. Regular
    expressions are tried in order: archives before subscription feeds.
    """
    root = "/" + base_path(base_url)  # "/" or "/feeds/": where the published paths start
    pattern = re.escape(root)
    feed, archive = policy.cache_control(FEED), policy.cache_control(ARCHIVE)
    folders = "|".join(SCOPE_FOLDERS.values())  # sections, writers and tags have archives alike
    blocks = []
    for fmt in ARCHIVE_FORMATS:
        file_name, mimetype = FEED_FORMATS[fmt]
        blocks += [
            f"# {fmt} archives (RFC 5005): months that are over",
            _location(
                rf"^{pattern}({folders})/[^/]+/archive/[0-9]{{4}}-[0-9]{{2}}(-[0-9]+)?/{re.escape(file_name)}$",
                mimetype,
                archive,
                kind=ARCHIVE,
                gzip_level=gzip_level,
            ),
        ]
    # WebSub discovery by Link header; nginx fills in each feed's own address (its published path).
    origin = urlunsplit(urlsplit(base_url)[:2] + ("", "", ""))
    link = f'<{hub_url}>; rel="hub", <{origin}$uri>; rel="self"' if hub_url else None
    for fmt, (file_name, mimetype) in FEED_FORMATS.items():
        blocks += [f"# {fmt} feeds", _location(rf"(^|/){re.escape(file_name)}$", mimetype, feed, link)]
    opml = "|".join(re.escape(path) for path in OPML_PATHS.values())
    blocks += [
        "# the OPML lists of every section's, writer's and tag's feed",
        _location(rf"^{pattern}({opml})$", OPML_MIMETYPE, feed),
        "# for search engines: the Google News sitemap and robots.txt",
        _location(rf"^{pattern}{re.escape(NEWS_SITEMAP_PATH)}$", SITEMAP_MIMETYPE, policy.cache_control(PAGE)),
        _location(rf"^{pattern}{re.escape(ROBOTS_PATH)}$", ROBOTS_MIMETYPE, policy.cache_control(PAGE)),
        "# pages for people",
        _location(r"(^|/)index\.html$", "text/html", policy.cache_control(PAGE)),
    ]
    types = " ".join(
        [*(mimetype for _, mimetype in FEED_FORMATS.values()), OPML_MIMETYPE, SITEMAP_MIMETYPE, ROBOTS_MIMETYPE]
    )
    by_type: dict[str, list[str]] = {}
    for ending, mimetype in types_by_ending().items():
        by_type.setdefault(mimetype, []).append(ending)
    media = " ".join(f"{mimetype} {' '.join(endings)};" for mimetype, endings in by_type.items())
    exceptions = _mislabelled(media_types or {}, policy.cache_control(MEDIA))
    mislabelled = (
        (
            "# photos whose bytes are not what their names say: typed by their bytes, as the service "
            "does\n# (these lines change with the photos: reload nginx after a build that changes them)\n"
            + "\n".join(exceptions)
            + "\n"
        )
        if exceptions
        else ""
    )
    if root == "/":
        server = f"""#   server {{
#       listen 80;
#       root /path/to/build/output;
#       include /path/to/build/output/{NGINX_FILE};
#   }}"""
    else:
        server = f"""#   server {{
#       listen 80;
#       location "{root}" {{                      # the base URL's path
#           alias /path/to/build/output/;
#           include /path/to/build/output/{NGINX_FILE};
#       }}
#   }}"""
    return f"""# Written by feedsvc build. Serve the build output with nginx as the feed service would:
#
{server}
#
# Content types with charset; the precompressed .gz siblings (gzip_static) — archives have none:
# nginx compresses one for a client that accepts gzip, with a weak ETag (RFC 9110 §8.8.1), which
# If-None-Match compares weakly (§13.1.2); the service's Cache-Control (on answers a cache may keep,
# not on a 404); and validators: nginx's own ETag and Last-Modified (each file's time is its
# Last-Modified), so conditional GETs get 304s from nginx itself.
# Subscriber statistics: log in nginx's `combined` format (`access_log /var/log/nginx/feeds.log combined;`)
# and count the feed requests with `feedsvc stats --import /var/log/nginx/feeds.log`.

index index.html;
charset utf-8;
charset_types {types};
etag on;
if_modified_since before;     # as the service: unchanged since the date the client holds, or earlier
absolute_redirect off;        # "/sections/x" -> "/sections/x/" without a Host-derived address
# gzip for requests through a CDN or proxy too (they carry Via): by default nginx would neither
# compress an archive nor send a .gz sibling to one, and the CDN would keep and serve the feeds
# uncompressed. Safe: every compressed answer here is Cache-Control public with Vary: Accept-Encoding,
# so a cache keeps the gzip and plain representations apart, as for the service's own answers.
gzip_proxied any;

{chr(10).join(blocks)}

# photos, by their names' endings
location "{root}media/" {{
    types {{ {media} }}
    default_type application/octet-stream;
    add_header Cache-Control "{policy.cache_control(MEDIA)}";
}}
{mislabelled}
# The .gz copies are sent by gzip_static, in place of the file they compress, to a client that
# accepts gzip; they have no address of their own (the service has none).
location ~ "\\.gz$" {{ return 404; }}

# Build records and dotfiles are not for the public.
location ~ (^|/)\\. {{ return 404; }}
location = "{root}{HEADERS_FILE}" {{ return 404; }}
location = "{root}{NGINX_FILE}" {{ return 404; }}
"""
