"""URLs as valid URIs (RFC 3986): the one place a typed or derived URL is made fit for a feed.

Feeds must carry URIs, not IRIs (Atom §3.3 / RSS readers, and the W3C validator's UriNotIri): the
host in IDNA (punycode), everything else percent-encoded where RFC 3986 needs it. Kept apart from
`text` so the configuration can use it without the Markdown and HTML machinery. `base_url` checks
the URLs every link is made from (the site's, the service's), for the site file and the configuration.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

# RFC 3986 §3.3 characters that may stand unescaped in a path (with "%", for escapes already made: see
# below), and §3.4–3.5 in a query or fragment, which may hold "?" too. "[" and "]" belong to an IPv6 host
# alone, and "#" starts the one fragment: anywhere else each is escaped.
# QUERY_SAFE and QUERY_CHAR (a pattern for one character of a query, fragment or tag URI's specific part,
# an escape counting as one) are the one spelling of that class elsewhere too.
_PATH_SAFE = ":/@!$&'()*+,;=%~-._"
QUERY_SAFE = _PATH_SAFE + "?"
_PATH_CHAR = r"(?:[A-Za-z0-9\-._~:@!$&'()*+,;=/]|%[0-9A-Fa-f]{2})"
QUERY_CHAR = rf"(?:{_PATH_CHAR}|\?)"
_PLAIN_HTTP_URL = re.compile(rf"https?://[a-z0-9.-]+(?:/{_PATH_CHAR}*(?:\?{QUERY_CHAR}*)?(?:#{QUERY_CHAR}*)?)?")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")  # "100%" is not an escape: it becomes "100%25"
_REG_NAME = re.compile(r"[a-z0-9\-._~!$&'()*+,;=]+")  # RFC 3986 §3.2.2 reg-name, after IDNA
# RFC 4151 §2.1 DNSname: what a tag: URI's authority may be (no IPv6 literal, no "_", no final dot).
_DNS_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")


def _escape(part: str, safe: str = _PATH_SAFE) -> str:
    return quote(_LONE_PERCENT.sub("%25", part), safe=safe)


def normalize_url(url: str) -> str | None:
    """`url` as a valid URI: the host in IDNA, everything else percent-encoded where RFC 3986 needs it
    (spaces, quotes, angle brackets, non-ASCII, a "%" that starts no escape). None if it cannot be one."""
    if _PLAIN_HTTP_URL.fullmatch(url):
        return url  # already a plain http(s) URI: the common case
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        if parts.scheme.lower() in ("http", "https"):
            if not host or parts.username is not None or parts.password is not None:
                return None
            if ":" in host:  # an IPv6 literal (urlsplit has checked its brackets)
                netloc = f"[{host}]"
            else:
                netloc = host.encode("idna").decode("ascii").lower()
                if not _REG_NAME.fullmatch(netloc):
                    return None  # a space, "%", "<"… in the host: no URI can say it
            if parts.port is not None:
                netloc += f":{parts.port}"
        else:
            netloc = parts.netloc
        return urlunsplit(
            (
                parts.scheme.lower(),
                netloc,
                _escape(parts.path),
                _escape(parts.query, QUERY_SAFE),
                _escape(parts.fragment, QUERY_SAFE),
            )
        )
    except (ValueError, UnicodeError):
        return None


def escape_query(query: bytes) -> str:
    """A query string as it came in a request, fit to be sent on in a URI: what RFC 3986 allows stays as
    sent (an escape such as "%20" too), a "%" that starts no escape becomes "%25", and any other byte,
    non-ASCII whatever its charset, is percent-encoded as it is."""
    as_sent = query.decode("latin-1")  # one character a byte, so the bytes come back unchanged below
    return quote(_LONE_PERCENT.sub("%25", as_sent).encode("latin-1"), safe=QUERY_SAFE)


def is_dns_name(host: str) -> bool:
    """True if `host` may be the authority of an RFC 4151 tag: URI."""
    return bool(_DNS_NAME.fullmatch(host))


def http_url(value: object) -> str | None:
    """`value` as a valid absolute http(s) URI with a host, or None if it cannot be one."""
    normalized = normalize_url(value) if isinstance(value, str) else None
    if not normalized:
        return None
    parts = urlsplit(normalized)
    return normalized if parts.scheme in ("http", "https") and parts.hostname else None


def base_url(value: object) -> tuple[str | None, bool]:
    """A URL that links are made from by appending paths: `value` as an absolute http(s) URI ending
    in "/", and whether it can be one — False if it has a query or fragment, where an appended path
    would land. (None, False) if `value` is no absolute http(s) URL at all."""
    normalized = http_url(value)
    if normalized is None:
        return None, False
    parts = urlsplit(normalized)
    usable = not (parts.query or parts.fragment or normalized.endswith(("?", "#")))
    return (normalized if normalized.endswith("/") else normalized + "/"), usable
