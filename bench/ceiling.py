"""The ceiling for `bench serve`: the least a Flask app under the same gunicorn settings can do to answer
a feed request — fixed bytes from memory, gzip when accepted, 304 when If-None-Match matches.
feedsvc's requests/s divided by this app's says how much of the server's budget feedsvc itself spends.

    BENCH_CEILING_DIR=folder gunicorn … bench.ceiling:app

The folder holds what `bench serve` fetched from feedsvc: body, body.gz and headers.json.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask, Response, request

_folder = Path(os.environ["BENCH_CEILING_DIR"])
BODY = (_folder / "body").read_bytes()
GZIP_BODY = (_folder / "body.gz").read_bytes()
HEADERS = json.loads((_folder / "headers.json").read_text())  # content-type, etag, gzip_etag, cache-control

app = Flask(__name__)


@app.get("/", defaults={"path": ""})
@app.get("/<path:path>")
def feed(path: str) -> Response:
    common = {"Cache-Control": HEADERS["cache-control"], "Vary": "Accept-Encoding"}
    if request.headers.get("If-None-Match") == HEADERS["etag"]:
        return Response(status=304, headers={**common, "ETag": HEADERS["etag"]})
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        return Response(
            GZIP_BODY,
            content_type=HEADERS["content-type"],
            headers={**common, "ETag": HEADERS["gzip_etag"], "Content-Encoding": "gzip"},
        )
    return Response(BODY, content_type=HEADERS["content-type"], headers={**common, "ETag": HEADERS["etag"]})
