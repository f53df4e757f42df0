"""/_stats/: the subscriber statistics page (and /_stats/stats.json), private to the newsroom.

It exists only when `stats_token_hash` is configured (otherwise: the plain 404 of any unknown path),
answers 401 to a request without the token, and is never stored by a cache (`private, no-store`). It is
not a published path: the static build, the feeds, the OPML file and the pages never name it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, Flask, Response, current_app, request

from ..stats import access, page
from ..stats.db import open_database
from ..stats.report import Report, report
from .web import moved

PATH = "_stats/"
PRIVATE = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

bp = Blueprint("feedsvc_stats", __name__)


def init_app(app: Flask, path_prefix: str) -> None:
    """The page at /_stats/, and under the base URL's path too (a proxy may pass it on)."""
    for prefix in {"", path_prefix}:
        app.add_url_rule(f"/{prefix}{PATH.rstrip('/')}", "stats_moved", stats_moved, methods=["GET", "HEAD"])
        app.add_url_rule(f"/{prefix}{PATH}", "stats_page", stats_page, methods=["GET", "HEAD"])
        app.add_url_rule(f"/{prefix}{PATH}stats.json", "stats_json", stats_json, methods=["GET", "HEAD"])


def _figures() -> Report | Response:
    """The report, or the answer to give instead (404 when there is no page, 401 without the token)."""
    config = current_app.extensions["feedsvc"].config
    if not config.stats.token_hash:
        return Response("Not found\n", status=404, mimetype="text/plain")
    if not access.allowed(request.headers.get("Authorization"), config.stats.token_hash):
        answer = Response(
            "401 Unauthorized: the statistics need the token (stats_token_hash)\n",
            status=401,
            mimetype="text/plain",
            headers=PRIVATE,
        )
        answer.headers["WWW-Authenticate"] = access.REALM
        return answer
    try:
        days = min(max(int(request.args.get("days", 30)), 1), 400)
    except ValueError:
        days = 30
    database = open_database(config.stats_location)
    try:
        return report(database, datetime.now(UTC).date(), days, request.args.get("feed") or None)
    finally:
        database.close()


def stats_moved() -> Response:
    """/_stats without its slash: a 301 to the page at the configured URL. Werkzeug's own redirect would
    take its host from the request's Host header, which no absolute URL of ours comes from."""
    config = current_app.extensions["feedsvc"].config
    if not config.stats.token_hash:
        return Response("Not found\n", status=404, mimetype="text/plain")
    return moved(config.feeds.base_url + PATH, request.query_string, PRIVATE)


def stats_page() -> Response:
    figures = _figures()
    if isinstance(figures, Response):
        return figures
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Response(page.render(figures, generated), mimetype="text/html", headers=PRIVATE)


def stats_json() -> Response:
    figures = _figures()
    if isinstance(figures, Response):
        return figures
    return Response(json.dumps(figures.as_json(), indent=1) + "\n", mimetype="application/json", headers=PRIVATE)
