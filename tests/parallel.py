"""What running the tests on every core (pytest-xdist, `make test`) needs; conftest.py takes these in.

- A test marked `serial` measures time, so it runs with no other test beside it: it holds a run-wide
  lock exclusively, every other test holds it shared. Both are `flock`s on files in the run's own
  temporary folder, so the workers of one run exclude each other and other runs are left alone. A
  gate in front of the lock keeps new tests from starting while a serial one waits, so it waits only
  for the tests already running. Serial tests also form one xdist group: one worker runs them one
  after another, early (xdist sends large groups first), so they seldom wait at all.
- A test marked `forks` checks work feedsvc splits over forked processes, which it does only from a
  single-threaded process (feedsvc/forking.py). An xdist worker runs threads of its own, and so may a
  plain pytest after other tests (a notifier, a watcher left running), so the test is run by a pytest
  process of its own, and passes or fails with it.
- What takes seconds goes first, and the serial tests last: under xdist the tests marked `costly` or
  `forks` and the xdist groups (a module's shared server or store) are handed out before the quick
  tests, in the order collected (pyproject.toml turns off xdist's own ordering, which put every group,
  however quick, before every single test, however slow), so the quick ones even out the end and no
  core is left idle while the other finishes a long test it started last. The serial group comes
  after them all: a serial test waits for the test beside it to end, and at the end that is a quick
  one, not the fuzz.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ALONE = "TESTS_FORKS_ALONE"  # set in the pytest process that runs one `forks` test


def under_xdist() -> bool:
    return bool(os.environ.get("PYTEST_XDIST_WORKER"))


class RunLock:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._gate = open(folder / "serial-gate.lock", "a+")
        self._lock = open(folder / "serial.lock", "a+")

    @contextlib.contextmanager
    def hold(self, exclusive: bool) -> Iterator[None]:
        fcntl.flock(self._gate, fcntl.LOCK_EX)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        except BaseException:
            fcntl.flock(self._gate, fcntl.LOCK_UN)
            raise
        if not exclusive:
            fcntl.flock(self._gate, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            if exclusive:
                fcntl.flock(self._gate, fcntl.LOCK_UN)

    def close(self) -> None:
        self._gate.close()
        self._lock.close()


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("serial"):
            item.add_marker(pytest.mark.xdist_group("serial"))
    if under_xdist():  # each worker collects: a stable sort gives them all the same order
        items.sort(key=turn)


def turn(item: pytest.Item) -> int:
    """0 for what takes seconds (a long test, a group), 1 for a quick test, 2 for a serial one."""
    if item.get_closest_marker("serial"):
        return 2
    return 0 if any(item.get_closest_marker(name) for name in ("costly", "forks", "xdist_group")) else 1


@pytest.fixture(scope="session")
def _run_lock(tmp_path_factory):
    """Under xdist, a lock shared by the workers of this run (in their temporary folders' parent)."""
    if not under_xdist():
        yield None
        return
    lock = RunLock(tmp_path_factory.getbasetemp().parent)
    yield lock
    lock.close()


@pytest.fixture(autouse=True)
def _serial_when_marked(request, _run_lock):
    if _run_lock is None:
        yield
        return
    with _run_lock.hold(exclusive=request.node.get_closest_marker("serial") is not None):
        yield


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    if os.environ.get(ALONE) or not pyfuncitem.get_closest_marker("forks"):
        return None
    nodeid = pyfuncitem.nodeid
    if nodeid.rfind("@") > nodeid.rfind("]"):  # xdist's group suffix
        nodeid = nodeid.rsplit("@", 1)[0]
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_XDIST_")}
    env[ALONE] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", nodeid],
        cwd=pyfuncitem.config.rootpath,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(f"in a process of its own:\n{result.stdout[-6000:]}{result.stderr[-2000:]}", pytrace=False)
    return True
