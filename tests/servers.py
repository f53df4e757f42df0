"""Real servers on 127.0.0.1 for tests: the production WSGI server (gunicorn) and nginx."""
from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .conftest import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def request(port: int, path: str, method: str = "GET", headers: dict[str, str] | None = None,
            timeout: float = 10) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


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
def gunicorn(store: Path, base_url: str, workers: int = 2, threads: int = 4, extra_env: dict | None = None):
    """`gunicorn wsgi:app` as README documents it, bound to 127.0.0.1 on a free port; yields the port."""
    port = free_port()
    env = {**os.environ, "FEEDSVC_STORE": str(store), "FEEDSVC_BASE_URL": base_url, **(extra_env or {})}
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
               "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
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
