"""Real servers on 127.0.0.1 for tests: the production WSGI server (gunicorn) and nginx."""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .conftest import ROOT

EPHEMERAL_PORTS = Path("/proc/sys/net/ipv4/ip_local_port_range")


def free_port() -> int:
    """A port nothing listens on, for a server to bind. It comes from below the kernel's ephemeral range:
    a port from that range (bind to port 0) was now and then taken, before the server bound it, by one
    of the thousands of connections the tests open, each of which gets its own port from there."""
    try:
        first_ephemeral = int(EPHEMERAL_PORTS.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        first_ephemeral = 0
    choose = random.SystemRandom()
    for _ in range(100 if first_ephemeral > 10_000 else 0):
        port = choose.randrange(first_ephemeral - 8_000, first_ephemeral)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def request(
    port: int, path: str, method: str = "GET", headers: dict[str, str] | None = None, timeout: float = 10
) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def raw(port: int, data: bytes, timeout: float = 10) -> Reply:
    """Send bytes as they are (http.client refuses some of these) and read the reply; status 0 if the
    server closed the connection without one."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    response = b"".join(chunks)
    if not response.startswith(b"HTTP/"):
        return Reply(0, {}, response)
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Reply(int(lines[0].split()[1]), headers, body)


def wait_until_serving(port: int, process: subprocess.Popen, path: str = "/", timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            request(port, path, timeout=2)
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing served on 127.0.0.1:{port} after {timeout} s")


@contextlib.contextmanager
def gunicorn(
    store: Path,
    base_url: str,
    workers: int | None = None,
    threads: int | None = None,
    extra_env: dict | None = None,
    port: int | None = None,
    log: Path | None = None,
):
    """`gunicorn wsgi:app` as README documents it, with the shipped gunicorn.conf.py (its worker class,
    and its workers and threads unless given), bound to 127.0.0.1 on `port` (a free one if not given:
    pass one from free_port() when base_url must name the server itself); yields the port. Given `log`,
    what the server writes to stderr (its workers' log lines) goes to that file."""
    port = port or free_port()
    env = {**os.environ, "FEEDSVC_STORE": str(store), "FEEDSVC_BASE_URL": base_url, **(extra_env or {})}
    sizes = (["--workers", str(workers)] if workers else []) + (["--threads", str(threads)] if threads else [])
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        *sizes,
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    stderr = open(log, "ab") if log is not None else None  # closed below, once the server is gone
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=stderr)
    try:
        wait_until_serving(port, process)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if stderr is not None:
            stderr.close()


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@contextlib.contextmanager
def nginx(root: Path, include: Path, workdir: Path):
    """A real nginx serving `root` on 127.0.0.1 with `include` in its server block; yields the port."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    user = "user root;" if os.geteuid() == 0 else ""
    temp = " ".join(
        f"{kind}_temp_path {workdir / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (workdir / "nginx.conf").write_text(f"""
{user}
worker_processes 1;
daemon off;
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    {temp}
    include /etc/nginx/mime.types;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        include {include};
    }}
}}
""")
    process = subprocess.Popen([NGINX, "-c", str(workdir / "nginx.conf"), "-p", str(workdir)])
    try:
        wait_until_serving(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=15)


class RecordingHub:
    """A small WebSub hub on 127.0.0.1 that records every publish notification it receives.

    `delay` makes it slow; `failures` makes its first answers 503s.
    """

    def __init__(self, delay: float = 0.0, failures: int = 0) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs

        self.received: list[dict[str, list[str]]] = []
        self.attempts = 0
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 — http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode("ascii")
                hub.attempts += 1
                time.sleep(delay)
                if hub.attempts <= failures:
                    self.send_response(503)
                else:
                    assert self.headers["Content-Type"] == "application/x-www-form-urlencoded"
                    hub.received.append(parse_qs(body))
                    self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> RecordingHub:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, list[str]]]:
        """The notifications recorded once `count` have been answered (or `timeout` has passed)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received

    def wait_for_attempts(self, count: int, timeout: float = 10.0) -> int:
        """How many notifications have arrived once `count` have (before a slow hub answers them)."""
        deadline = time.monotonic() + timeout
        while self.attempts < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.attempts


def gunicorn_processes(port: int) -> tuple[int, set[int]]:
    """The pid of the gunicorn master bound to 127.0.0.1:`port`, and its workers' pids (from /proc)."""
    bound = f"127.0.0.1:{port}".encode()
    parents = {}
    for name in os.listdir("/proc"):
        try:
            if name.isdigit() and bound in Path(f"/proc/{name}/cmdline").read_bytes():
                parents[int(name)] = int(Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue  # gone meanwhile
    master = next(pid for pid in parents if parents[pid] not in parents)
    return master, {pid for pid in parents if parents[pid] == master}
