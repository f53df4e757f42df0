"""Running `feedsvc` as an editor or a pipeline does: a new process, its output and exit status."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from .conftest import ROOT


def feedsvc(
    *args: str, cwd: Path | str = ROOT, env: dict[str, str | None] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """`python -m feedsvc.cli ARGS` in `cwd`, this process's environment with `env` over it (None
    removes a variable), its output captured as text."""
    environment = {k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-m", "feedsvc.cli", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextlib.contextmanager
def build_watching(out: Path, store: Path, env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """`feedsvc build OUT --store STORE --watch --quiet` running, with `env` over this process's
    environment, as a pipeline keeps it running; on leaving, stopped as a person stops it (Ctrl-C),
    which it must obey within 15 s with exit status 0."""
    process = subprocess.Popen(
        [sys.executable, "-m", "feedsvc.cli", "build", str(out), "--store", str(store), "--watch", "--quiet"],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=15) == 0, "build --watch did not stop cleanly on Ctrl-C"
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise AssertionError("build --watch was still running 15 s after Ctrl-C") from None
