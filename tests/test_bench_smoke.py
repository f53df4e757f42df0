"""The benchmark suite itself works: `python -m bench smoke` runs the store, serve, build and counting
benchmarks at tiny sizes (skipping peers that are not installed) and fails if any of them fails. The
full runs, with peers and at real sizes, are `python -m bench all` (docs/PERFORMANCE.md). Half a
minute or more: in `make test-long`, not `make test`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.slow
def test_the_benchmarks_run_at_tiny_sizes():
    result = subprocess.run(
        [sys.executable, "-m", "bench", "smoke"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for table in ("store: reading and re-reading the article store", "serve: ", "build: ", "counting: "):
        assert table in result.stdout
