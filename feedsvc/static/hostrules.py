"""The header rules a static host needs to serve the build as the service would: `_headers` for
Netlify and Cloudflare Pages, and a snippet for an nginx `server` block."""
from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from ..paths import ARCHIVE_FORMATS, FEED_FORMATS, OPML_PATH, base_path
from ..render.document import ARCHIVE, FEED, MEDIA, PAGE, CachePolicy
from ..render.opml import OPML_MIMETYPE

HEADERS_FILE = "_headers"                # Netlify / Cloudflare Pages header rules
NGINX_FILE = "nginx-feedsvc.conf"        # an nginx snippet to include in a server block


def netlify_headers(headers: dict[str, dict[str, str]]) -> str:
    """`_headers` in the format Netlify and Cloudflare Pages read: a path, then indented headers."""
    lines = ["# Written by feedsvc build: the headers the feed service sends for each path."]
    for path in sorted(headers):
        lines.append(path)
        lines.extend(f"  {name}: {value}" for name, value in sorted(headers[path].items()))
    return "\n".join(lines) + "\n"


def _location(pattern: str, mimetype: str | None, cache_control: str, link: str | None = None) -> str:
    lines = [f'location ~ "{pattern}" {{']
    if mimetype:
        lines += ["    types { }", f"    default_type {mimetype};"]
    lines += ["    gzip_static on;", "    gzip_vary on;", f'    add_header Cache-Control "{cache_control}";']
    if link:
        lines.append(f"    add_header Link '{link}';")
    return "\n".join(lines + ["}"])


def nginx_snippet(policy: CachePolicy, hub_url: str | None = None, base_url: str = "") -> str:
    """A snippet for an nginx `server` block whose `root` is the build output — or, when the base URL
    has a path (/feeds/), for a `location /feeds/` block that `alias`es it: every location below
    matches the published paths.

    Patterns, not one block per file, so a build that adds a section or an archive month needs no
    nginx reload. Regular expressions are tried in order: archives before subscription feeds.
    """
    root = "/" + base_path(base_url)              # "/" or "/feeds/": where the published paths start
    pattern = re.escape(root)
    feed, archive = policy.cache_control(FEED), policy.cache_control(ARCHIVE)
    blocks = []
    for fmt in ARCHIVE_FORMATS:
        file_name, mimetype = FEED_FORMATS[fmt]
        blocks += [f"# {fmt} archives (RFC 5005): months that are over",
                   _location(rf"^{pattern}sections/[^/]+/archive/[0-9]{{4}}-[0-9]{{2}}(-[0-9]+)?/{re.escape(file_name)}$",
                             mimetype, archive)]
    # WebSub discovery by Link header; nginx fills in each feed's own address (its published path).
    origin = urlunsplit(urlsplit(base_url)[:2] + ("", "", ""))
    link = f'<{hub_url}>; rel="hub", <{origin}$uri>; rel="self"' if hub_url else None
    for fmt, (file_name, mimetype) in FEED_FORMATS.items():
        blocks += [f"# {fmt} feeds", _location(rf"(^|/){re.escape(file_name)}$", mimetype, feed, link)]
    blocks += ["# the OPML list of every section feed",
               _location(rf"^{pattern}{re.escape(OPML_PATH)}$", OPML_MIMETYPE, feed),
               "# pages for people", _location(r"(^|/)index\.html$", None, policy.cache_control(PAGE))]
    types = " ".join([*(mimetype for _, mimetype in FEED_FORMATS.values()), OPML_MIMETYPE])
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
# Content types with charset, precompressed .gz siblings (gzip_static), the service's Cache-Control
# (on answers a cache may keep, not on a 404), and validators: nginx's own ETag and Last-Modified
# (each file's time is its Last-Modified), so conditional GETs get 304s from nginx itself.

index index.html;
charset utf-8;
charset_types {types};
etag on;
if_modified_since before;     # as the service: unchanged since the date the client holds, or earlier
absolute_redirect off;        # "/sections/x" -> "/sections/x/" without a Host-derived address

{chr(10).join(blocks)}

location "{root}media/" {{
    add_header Cache-Control "{policy.cache_control(MEDIA)}";
}}

# Build records and dotfiles are not for the public.
location ~ (^|/)\\. {{ return 404; }}
location = "{root}{HEADERS_FILE}" {{ return 404; }}
location = "{root}{NGINX_FILE}" {{ return 404; }}
"""
