"""The HTTP door: a request's path → the publisher's document → headers → a conditional response.

The only module that touches `request`. No rendering happens here: documents arrive rendered,
gzipped and hashed, and Werkzeug's conditional machinery answers 304s (RFC 9110 §13).
"""
from __future__ import annotations

import math

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException

MAX_PATH = 1024
MAX_QUERY = 2048

bp = Blueprint("feedsvc", __name__)


class DocumentResponse(Response):
    """Keeps Last-Modified on a 304: aggregators refresh their stored validators from it (RFC 9110 §15.4.5)."""

    def get_wsgi_headers(self, environ):
        headers = super().get_wsgi_headers(environ)
        if self.status_code == 304 and self.validators_last_modified:
            headers["Last-Modified"] = self.validators_last_modified
        return headers

    validators_last_modified: str | None = None


def _service():
    return current_app.extensions["feedsvc"]


@bp.before_app_request
def _guard() -> Response | None:
    """Refuse absurd requests early, and make sure this worker is watching the store."""
    if len(request.path) > MAX_PATH or len(request.query_string) > MAX_QUERY:
        return _plain(414, "URI too long\n")
    _service().ensure_running()
    return None


_CONDITIONAL = ("If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "Range")


@bp.route("/", defaults={"path": ""}, methods=["GET", "HEAD"])
@bp.route("/<path:path>", methods=["GET", "HEAD"])
def document(path: str) -> Response:
    publisher = _service().publisher
    now = publisher.clock()
    doc = publisher.document(path, now)
    if doc is None:
        return _plain(404, "Not found\n")
    gzipped = doc.gzip_body is not None and "gzip" in request.headers.get("Accept-Encoding", "") \
        and request.accept_encodings["gzip"] > 0
    headers = _shorten_max_age(publisher.headers(path, doc, gzipped),
                               publisher.valid_until(path) - now.timestamp(), publisher.policy.max_age)
    if request.headers.get("If-None-Match") == headers["ETag"]:
        # The aggregator's everyday question, answered without parsing: the exact entity-tag we sent is
        # a match under the weak comparison (RFC 9110 §13.1.2), and If-None-Match outranks every other
        # precondition but If-Match (§13.2.2). Anything less plain goes to Werkzeug below.
        if "If-Match" not in request.headers:
            not_modified = DocumentResponse(status=304, headers=_not_modified_headers(headers))
            not_modified.validators_last_modified = headers.get("Last-Modified")
            return not_modified
    response = DocumentResponse(doc.gzip_body if gzipped else doc.body, headers=headers)
    if not any(name in request.headers for name in _CONDITIONAL):
        return response                 # nothing to compare: skip the conditional machinery
    response.validators_last_modified = headers.get("Last-Modified")
    response = response.make_conditional(request)
    if response.status_code == 412:       # If-Match failed: say so, without the document
        response.set_data("412 Precondition Failed\n")
        response.mimetype = "text/plain"
    return response


_KEPT_ON_304 = ("ETag", "Last-Modified", "Cache-Control", "Vary", "Link")


def _not_modified_headers(headers: dict[str, str]) -> dict[str, str]:
    """What a 304 repeats (RFC 9110 §15.4.5): validators and caching metadata, no content headers."""
    return {name: headers[name] for name in _KEPT_ON_304 if name in headers}


def _shorten_max_age(headers: dict[str, str], remaining: float, max_age: int) -> dict[str, str]:
    """A scheduled story must not be hidden behind a cache lifetime that outlives its moment."""
    if remaining >= max_age or not math.isfinite(remaining):
        return headers
    shortened = dict(headers)
    shortened["Cache-Control"] = headers["Cache-Control"].replace(
        f"max-age={max_age}", f"max-age={max(0, int(remaining))}", 1)
    return shortened


def _plain(status: int, text: str) -> Response:
    return Response(text, status=status, mimetype="text/plain")


@bp.app_errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    """Errors are short plain text (a 405 keeps its Allow header)."""
    response = error.get_response()
    response.set_data(f"{error.code} {error.name}\n")
    response.mimetype = "text/plain"
    return response
