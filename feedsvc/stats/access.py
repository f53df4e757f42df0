"""Who may read the statistics page: whoever presents the token whose hash is configured
(`stats_token_hash`), as the password of HTTP Basic authentication (any user name) or as a Bearer token.

The token is 256 random bits, so a plain SHA-256 of it is safe to keep in a configuration file and
quick to check: no slow password hash for an unauthenticated request to make the server compute. The
comparison takes the same time however much of the hash matches (`hmac.compare_digest`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

REALM = 'Basic realm="feedsvc statistics", charset="UTF-8"'


def new_token() -> tuple[str, str]:
    """A fresh token, and the hash to configure as `stats_token_hash`."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return "sha256:" + hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def allowed(authorization: str | None, configured: str | None) -> bool:
    """Whether an Authorization header carries the configured token (never, when none is configured)."""
    if not configured:
        return False
    presented = _credential(authorization or "")
    return presented is not None and hmac.compare_digest(token_hash(presented).encode(), configured.encode())


def _credential(authorization: str) -> str | None:
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return value
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        _, colon, password = decoded.partition(":")
        return password if colon else None
    return None
