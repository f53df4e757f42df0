"""The HTTP door: a request's path → the publisher's document → headers → a conditional response.

The only module that touches requests. No rendering happens here: documents arrive rendered and
hashed (a gzip copy is made once, when first needed), and `conditional` decides between 200, 304
and 412 (RFC 9110 §13).

Most requests are an aggregator polling a feed that is already rendered, plainly or with the ETag it
was last sent. `WarmPath` answers those in front of Flask from precomputed header lists; everything
else goes through the Flask view below, which gives the same answer (tests compare the two).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

from ..paths import local_path
from ..publish.cache import Unreadable
from ..render.document import Rendered
from ..stats.counter import counted
from ..uri import escape_query
from .conditional import NOT_MODIFIED, PRECONDITION_FAILED, accepts_gzip, evaluate

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from .app import Service

MAX_PATH = 1024
MAX_QUERY = 2048
RETRY_AFTER = 60  # seconds: while the store folder cannot be read (it is looked for every 0.75 s)

bp = Blueprint("feedsvc", __name__)


class DocumentResponse(Response):
    """Keeps Last-Modified on a 304: aggregators refresh their stored validators from it (RFC 9110 §15.4.5)."""

    def get_wsgi_headers(self, environ: WSGIEnvironment) -> Headers:
        headers = super().get_wsgi_headers(environ)
        if self.status_code == 304 and self.validators_last_modified:
            headers["Last-Modified"] = self.validators_last_modified
        return headers

    validators_last_modified: str | None = None


def _service() -> Service:
    service: Service = current_app.extensions["feedsvc"]
    return service


@bp.before_app_request
def _guard() -> Response | None:
    """Refuse absurd requests early, and make sure this worker is watching the store."""
    if len(request.path) > MAX_PATH or len(request.query_string) > MAX_QUERY:
        return _plain(414, "URI too long\n")
    _service().ensure_running()
    return None


@bp.route("/", defaults={"path": ""}, methods=["GET", "HEAD"])
@bp.route("/<path:path>", methods=["GET", "HEAD"])
def document(path: str) -> Response:
    service = _service()
    publisher = service.publisher
    now = publisher.clock()
    requested, path = path, local_path(path, service.path_prefix)
    try:
        answer = publisher.answer(path, now)
    except Unreadable:  # an archive no longer in memory, with the store folder gone: never half of it
        unavailable = _plain(503, "Service Unavailable: the article store cannot be read just now\n")
        unavailable.headers.update({"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"})
        return unavailable
    if answer is None:
        if path and path + "/" == service.path_prefix:  # "/feeds" for the base URL ".../feeds/"
            return moved(service.feeds.base_url, request.query_string)
        folder = local_path(requested + "/", service.path_prefix)
        if path and not path.endswith("/") and publisher.answer(folder, now) is not None:
            # A page's folder without its slash, as a static host (nginx) answers it: redirected, with
            # the query (a campaign's utm_ parameters) kept as nginx keeps it.
            return moved(service.feeds.base_url + quote(folder), request.query_string)
        return _plain(404, "Not found\n")
    doc, valid_until = answer  # of one cache entry: a document held for a fault never gets the full max-age
    gzipped = doc.gzippable and accepts_gzip(request.headers.get("Accept-Encoding"))
    headers = _shorten_max_age(
        publisher.headers(path, doc, gzipped), valid_until - now.timestamp(), publisher.policy.max_age
    )
    outcome = evaluate(request.headers, headers["ETag"], doc.last_modified)
    counter = service.counter if counted(path) else None  # subscriber statistics: feeds only
    if outcome == NOT_MODIFIED:
        not_modified = DocumentResponse(status=304, headers=_not_modified_headers(headers))
        not_modified.validators_last_modified = headers.get("Last-Modified")
        if counter is not None:
            counter.count(path, 304, 0, request.environ)
        return not_modified
    if outcome == PRECONDITION_FAILED:  # said plainly, and with nothing a cache should keep
        return _plain(412, "412 Precondition Failed\n")
    gzip = doc.compress() if gzipped else None
    body = gzip.body if gzip else doc.body
    if counter is not None:
        counter.count(path, 200, len(body) if request.method == "GET" else 0, request.environ)
    return DocumentResponse(body, headers=headers)


_KEPT_ON_304 = ("ETag", "Last-Modified", "Cache-Control", "Vary", "Link")


def _not_modified_headers(headers: dict[str, str]) -> dict[str, str]:
    """What a 304 repeats (RFC 9110 §15.4.5): validators and caching metadata, no content headers."""
    return {name: headers[name] for name in _KEPT_ON_304 if name in headers}


def _shorten_max_age(headers: dict[str, str], remaining: float, max_age: int) -> dict[str, str]:
    """A scheduled story must not be hidden behind a cache lifetime that outlives its moment — nor
    behind stale-while-revalidate, which would let a cache serve the old feed past it (RFC 5861 §3)."""
    if remaining >= max_age or not math.isfinite(remaining):
        return headers
    shortened = dict(headers)
    directives = [d.strip() for d in headers["Cache-Control"].split(",")]
    shortened["Cache-Control"] = ", ".join(
        f"max-age={max(0, int(remaining))}" if d == f"max-age={max_age}" else d
        for d in directives
        if not d.startswith("stale-while-revalidate=")
    )
    return shortened


class WarmPath:
    """WSGI middleware: GET or HEAD of a rendered, current document, with no precondition but an
    If-None-Match naming exactly its ETag — the everyday poll —
    answered without Flask's request context, routing or response objects. Anything else, it passes on."""

    _HARD = ("HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_RANGE")

    def __init__(self, app: WSGIApplication, service: Service) -> None:
        self.app, self.service = app, service
        self._answers: dict[tuple[str, bool], _Answer] = {}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        answer = self._answer(environ)
        if answer is None:
            return self.app(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body] if body and environ["REQUEST_METHOD"] == "GET" else []

    def _answer(self, environ: WSGIEnvironment) -> tuple[str, list[tuple[str, str]], bytes] | None:
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", "")
        if (
            method not in ("GET", "HEAD")
            or path[:1] != "/"
            or len(path) > MAX_PATH
            or len(environ.get("QUERY_STRING", "")) > MAX_QUERY
            or not path.isascii()
        ):
            return None
        service = self.service
        service.ensure_running()
        publisher = service.publisher
        now = publisher.clock().timestamp()
        local = local_path(path[1:], service.path_prefix)
        ready = publisher.ready(local, now)
        if ready is None or ready[1] - now < publisher.policy.max_age:  # Flask shortens max-age
            return None
        document, _ = ready
        gzipped = document.gzippable and accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING"))
        key = (path, gzipped)
        memo = self._answers.get(key)
        if memo is None or memo.document is not document:
            headers = publisher.headers(local, document, gzipped)
            # Only a warm document's answer is kept: an archive's would outlive its place in the cold cache.
            memo = self._prepare(key, headers, document, gzipped, counted(local), keep=publisher.is_warm(local))
        match = environ.get("HTTP_IF_NONE_MATCH")
        counter = service.counter if memo.counted else None
        if match is not None:
            # If-Match and If-Unmodified-Since are evaluated before If-None-Match (RFC 9110 §13.2.2):
            # either may turn the 304 into a 412, which the Flask view decides.
            if match == memo.etag and "HTTP_IF_MATCH" not in environ and "HTTP_IF_UNMODIFIED_SINCE" not in environ:
                if counter is not None:
                    counter.count(local, 304, 0, environ)
                return "304 NOT MODIFIED", memo.not_modified, b""
            return None  # lists, weak tags, "*": the Flask view
        if any(name in environ for name in self._HARD):
            return None
        if counter is not None:
            counter.count(local, 200, len(memo.body) if method == "GET" else 0, environ)
        return "200 OK", memo.full, memo.body

    def _prepare(
        self,
        key: tuple[str, bool],
        headers: dict[str, str],
        document: Rendered,
        gzipped: bool,
        counted: bool,
        keep: bool,
    ) -> _Answer:
        """The header lists of one representation, as the Flask view would send them; kept if `keep`."""
        gzip = document.compress() if gzipped else None
        body = gzip.body if gzip else document.body
        not_modified = list(_not_modified_headers(headers).items())
        answer = _Answer(
            document,
            headers["ETag"],
            body,
            [*headers.items(), ("Content-Length", str(len(body)))],
            not_modified,
            counted,
        )
        if keep:
            if len(self._answers) > 10_000:
                self._answers.clear()
            self._answers[key] = answer
        return answer


@dataclass(frozen=True)
class _Answer:
    document: Rendered
    etag: str
    body: bytes
    full: list[tuple[str, str]]
    not_modified: list[tuple[str, str]]
    counted: bool  # a subscription feed: its polls go to the subscriber statistics


def moved(location: str, query: bytes = b"", headers: Mapping[str, str] | None = None) -> Response:
    """A 301 to `location`, made from the configured base URL, never from Host, with the request's
    `query` kept ("100%" made "100%25", a valid URI; "%20" as sent)."""
    escaped = escape_query(query)
    location += f"?{escaped}" if escaped else ""
    answer = _plain(301, f"Moved to {location}\n")
    answer.headers.update({**(headers or {}), "Location": location})
    return answer


def _plain(status: int, text: str) -> Response:
    return Response(text, status=status, mimetype="text/plain")


@bp.app_errorhandler(HTTPException)
def _http_error(error: HTTPException) -> WerkzeugResponse:
    """Errors are short plain text (a 405 keeps its Allow header)."""
    response = error.get_response()
    response.set_data(f"{error.code} {error.name}\n")
    response.mimetype = "text/plain"
    return response
