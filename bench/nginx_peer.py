"""The limit, and the recommended front: one nginx process (its own config and temp folders under
bench/out, listening on 127.0.0.1 only) with two servers —

  static   the feedsvc build output, served with the snippet the build writes (nginx-feedsvc.conf):
           plain, precompressed (gzip_static) and 304s from nginx's own validators;
  proxy    proxy_cache in front of feedsvc's gunicorn, configured as docs/PERFORMANCE.md recommends
           (PROXY_CACHE below is that configuration, word for word).

feedsvc's requests/s is compared with the static server (the limit for these bytes on this machine),
and the proxy's cache hits with it too: a cache hit should cost little more than a file.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from . import peers, proc

# What docs/PERFORMANCE.md recommends in front of feedsvc (the `http` block's part; UPSTREAM is filled in).
PROXY_CACHE = """\
# One cache entry per feed and encoding: feedsvc sends Vary: Accept-Encoding, but clients spell
# Accept-Encoding a hundred ways; normalise it, send the normalised value upstream, key on it, and let
# nginx ignore Vary (the key already separates the variants; Vary still reaches the clients).
map $http_accept_encoding $feed_encoding {
    default  identity;
    "~*gzip" gzip;
}
proxy_cache_path CACHE_DIR levels=1:2 keys_zone=feeds:10m max_size=1g inactive=7d use_temp_path=off;

upstream feedsvc {
    server UPSTREAM;
    keepalive 16;                       # reuse connections to gunicorn
}

server {
    listen LISTEN;
    location / {
        proxy_pass http://feedsvc;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Accept-Encoding $feed_encoding;   # feedsvc sends its precompressed gzip
        gzip off;                                          # ... and nginx passes it through untouched
        proxy_cache feeds;
        proxy_cache_key $request_uri$feed_encoding;
        proxy_ignore_headers Vary;
        # Lifetimes come from feedsvc's Cache-Control (max-age, stale-while-revalidate, stale-if-error);
        # these apply only to answers without one.
        proxy_cache_valid 200 304 1m;
        proxy_cache_valid 404 10s;
        proxy_cache_revalidate on;          # expired entries are refreshed with If-None-Match: a 304 upstream
        proxy_cache_use_stale updating error timeout http_500 http_502 http_503 http_504;
        proxy_cache_background_update on;   # serve the stale copy while one request refreshes it
        proxy_cache_lock on;                # one request per missing entry goes upstream
        proxy_buffers 16 64k;               # a 50-item feed is ~250 KB: keep it off the temp files
        add_header X-Cache-Status $upstream_cache_status always;
    }
}
"""


def config(work: Path, static_root: Path, static_port: int, proxy_port: int, upstream_port: int) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read bench/out and write the cache
    proxy = (
        PROXY_CACHE.replace("CACHE_DIR", str(work / "cache"))
        .replace("UPSTREAM", f"127.0.0.1:{upstream_port}")
        .replace("LISTEN", f"127.0.0.1:{proxy_port}")
    )
    temp = "\n".join(
        f"    {kind}_temp_path {work / ('tmp-' + kind)};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes 2;
pid {work / "nginx.pid"};
error_log {work / "error.log"} warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;          # wrk keeps its connections; same for every server measured
{temp}
    server {{
        listen 127.0.0.1:{static_port};
        root {static_root};
        include {static_root / "nginx-feedsvc.conf"};
    }}
{proxy}
}}
"""


@contextlib.contextmanager
def serving(work: Path, static_root: Path, upstream_port: int) -> Iterator[tuple[int, int]]:
    """Start nginx; yields (static port, proxy_cache port); stops it (the whole process group) after."""
    work.mkdir(parents=True, exist_ok=True)
    static_port, proxy_port = proc.free_port(), proc.free_port()
    conf = work / "nginx.conf"
    conf.write_text(config(work, static_root, static_port, proxy_port, upstream_port))
    command = [peers.nginx(), "-p", f"{work}/", "-c", str(conf), "-e", str(work / "error.log")]
    subprocess.run(command + ["-t", "-q"], check=True, capture_output=True)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        for port in (static_port, proxy_port):
            while True:
                try:
                    proc.get(port, "/sections/", timeout=5)
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"nginx did not start: {(work / 'error.log').read_text()[-2000:]}") from None
                    time.sleep(0.05)
        yield static_port, proxy_port
    finally:
        proc.stop(process, timeout=10)  # SIGTERM: nginx's fast shutdown, workers included
