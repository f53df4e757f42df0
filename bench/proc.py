"""Running a measured thing in its own process — wall time, CPU time and peak memory from wait4() — and
the production server on a loopback port, so that every figure comes from a fresh interpreter."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin" if (ROOT / ".venv").is_dir() else Path(sys.executable).parent
# README's production command; only the port changes.
GUNICORN_ARGS = ["--workers", "2", "--threads", "4", "--worker-class", "gthread"]


@dataclass
class Run:
    command: list[str]
    seconds: float  # wall clock
    cpu_seconds: float  # user + system, the process and the children it waited for
    max_rss_mb: float  # largest resident set of the process or any child it waited for (not a sum)
    returncode: int
    stdout: str
    stderr: str

    def check(self) -> Run:
        if self.returncode != 0:
            raise RuntimeError(f"{' '.join(self.command)} exited {self.returncode}:\n{self.stderr[-2000:]}")
        return self


def run(
    command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 1800
) -> Run:
    """Run to completion (killed after `timeout` s) and read its rusage with wait4(): RUSAGE_CHILDREN of
    this process is a running maximum over every child ever, so it cannot tell one run from the next."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err, text=True)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            command,
            seconds,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss / 1024,
            process.returncode,
            out.read(),
            err.read(),
        )


def python() -> str:
    """The project venv's interpreter (feedsvc and its dependencies), whatever started the bench."""
    candidate = VENV_BIN / "python"
    return str(candidate) if candidate.exists() else sys.executable


def clean_env(work: Path, **extra: str) -> dict[str, str]:
    """The environment for a measured feedsvc process: no FEEDSVC_* settings from the caller and an
    empty cache folder of its own (under `work`), so every run is cold unless the benchmark says otherwise.
    Python keeps its bytecode as an installed feedsvc does (PYTHONDONTWRITEBYTECODE, set on our shared
    machine, would make every measured start compile feedsvc again)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDSVC_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["XDG_CACHE_HOME"] = str(work / "xdg-cache")
    env["XDG_STATE_HOME"] = str(work / "xdg-state")  # subscriber counts (on by default), thrown away too
    env["PYTHONPATH"] = str(ROOT)  # this checkout's feedsvc, whichever one the venv has installed
    env.update(extra)
    return env


def page_cached(root: Path) -> Path:
    """Read every file under `root` once, so the figures that follow are of a warm OS page cache, as
    the tables say: the first read of a 100,000-story store on a cold cache waits on the disk (134 s of
    wall time for 49 CPU-seconds, once), which measures the disk, not feedsvc."""
    for folder, _, names in os.walk(root):
        for name in names:
            try:
                with open(os.path.join(folder, name), "rb") as fh:
                    while fh.read(1 << 20):
                        pass
            except OSError:
                continue
    return root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 10):
    """One request on loopback: (status, headers with lower-case names, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@dataclass
class Server:
    port: int
    pid: int
    startup_seconds: float  # until both workers have loaded the app and gone quiet
    answering_seconds: float = 0.0  # until the first answer


def children(pid: int) -> list[int]:
    """The process ids of a process's children (gunicorn's workers, nginx's), from /proc."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def memory_mb(pid: int) -> dict[str, float]:
    """A process's resident memory: RSS, and from smaps_rollup PSS (shared pages split among sharers)
    and USS (pages only it holds), in MB; what cannot be read is left out."""
    figures: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
                figures[name] = int(rest.split()[0]) / 1024
    except OSError:
        try:
            figures["Rss"] = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        except OSError:
            return {}
    result = {"rss": figures["Rss"]}
    if "Pss" in figures:
        result["pss"] = figures["Pss"]
        result["uss"] = figures.get("Private_Clean", 0) + figures.get("Private_Dirty", 0)
    return result


def children_cpu(pid: int) -> float:
    """CPU seconds used so far by a process's children (gunicorn's workers), from /proc."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, IndexError, ValueError):
                continue
    return total


@contextlib.contextmanager
def gunicorn(
    app: str, env: dict[str, str], timeout: float = 600, executable: Path | None = None, probe: str = "/"
) -> Iterator[Server]:
    """`gunicorn … --bind 127.0.0.1:PORT APP` from the project folder, as README runs it in production
    (`executable`: another venv's gunicorn, for a peer; `probe`: the path asked until it answers).

    Ready means answering and idle: with two workers, the first answer may come from one worker while
    the other is still reading the store, so we also wait for the workers' CPU time to stop growing.
    """
    port = free_port()
    executable = executable or VENV_BIN / "gunicorn"
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "gunicorn"]
    command += [*GUNICORN_ARGS, "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app]
    log = tempfile.TemporaryFile("w+")
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, text=True)
    try:
        deadline = started + timeout
        while True:
            if process.poll() is not None or time.perf_counter() > deadline:
                log.seek(0)
                raise RuntimeError(
                    f"{app}: not serving on 127.0.0.1:{port} (exit {process.returncode}):\n{log.read()[-3000:]}"
                )
            try:
                get(port, probe, timeout=5)
                answering = time.perf_counter() - started
                break
            except OSError:
                time.sleep(0.05)
        last, quiet_since = children_cpu(process.pid), time.perf_counter()
        while time.perf_counter() - quiet_since < 1.0 and time.perf_counter() < deadline:
            time.sleep(0.25)
            now = children_cpu(process.pid)
            if now - last > 0.02:
                quiet_since = time.perf_counter()
            last = now
        yield Server(port, process.pid, quiet_since - started, answering)
    finally:
        stop(process)
        log.close()


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    """Ask a process to stop with `sig`; kill it (its whole group, if it leads one) if it has not
    within `timeout` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            if os.getpgid(process.pid) == process.pid:  # nginx: its workers too
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
        except ProcessLookupError:
            pass
        process.wait()


def _cpu_jiffies() -> tuple[int, int]:
    values = list(map(int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]))
    return sum(values), values[3] + values[4]  # total, idle + iowait


def busy_fraction(seconds: float = 1.0) -> float:
    """How busy all cores were over the next `seconds`, from /proc/stat (0.0 idle … 1.0 saturated)."""
    total, idle = _cpu_jiffies()
    time.sleep(seconds)
    total2, idle2 = _cpu_jiffies()
    return 1 - (idle2 - idle) / max(1, total2 - total)


def wait_until_quiet(limit: float = 0.1, patience: float = 120) -> float:
    """Wait (up to `patience` s) until the machine is idle, so another job's load doesn't land in our figures;
    returns the last busy fraction, which the report prints either way."""
    deadline = time.monotonic() + patience
    busy = busy_fraction()
    while busy > limit and time.monotonic() < deadline:
        busy = busy_fraction(2.0)
    return busy


class OtherLoad:
    """CPU seconds that processes other than ours used while we measured: on a shared machine they
    make our figures pessimistic, so the report states them."""

    def __enter__(self) -> OtherLoad:
        self._machine, self._own, self._wall = self._machine_busy(), self._own_cpu(), time.monotonic()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = max(0.0, (self._machine_busy() - self._machine) - (self._own_cpu() - self._own))
        self.fraction = self.seconds / max(1e-9, (time.monotonic() - self._wall) * (os.cpu_count() or 1))

    @staticmethod
    def _machine_busy() -> float:
        total, idle = _cpu_jiffies()
        return (total - idle) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own_cpu() -> float:
        import resource

        return sum(
            u.ru_utime + u.ru_stime
            for u in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
        )
