"""Running `feedsvc` as an editor or a pipeline does: a new process, its output and exit status."""

from __future__ import annotations

import os
import subprocess
import sys
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
