"""The tools feedsvc is measured against, installed by the benchmarks themselves so that a fresh machine
can run `python -m bench all`: wrk, Hugo and nginx from Debian; Pelican, Django (with gunicorn, PyYAML
and python-markdown for bench/django_peer.py) and py-spy from PyPI into their own venv (.venv-bench),
so that their dependencies never touch the project's.

Versions are pinned: a figure is only comparable with another taken against the same peer.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VENV = ROOT / ".venv-bench"
PIP_PINS = [
    "pelican==4.12.0",
    "markdown==3.11.3",  # Pelican reads .md only with python-markdown
    "django==5.2.19",
    "gunicorn==27.0.1",
    "PyYAML==6.0.4",  # the Django peer, under feedsvc's gunicorn
    "py-spy==0.4.3",
]  # sampling profiler (bench/profile.py)
# command → Debian package (bookworm: wrk 4.1.0, hugo 0.111.3, nginx 1.22)
APT_PACKAGES = {"wrk": "wrk", "hugo": "hugo", "nginx": "nginx"}


def wrk() -> str | None:
    return shutil.which("wrk")


def hugo() -> str | None:
    return shutil.which("hugo")


def nginx() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def _bench_tool(name: str) -> Path | None:
    """A command of the benchmark venv, if the venv was installed with today's pins."""
    path = BENCH_VENV / "bin" / name
    return path if path.exists() and _pins_file().is_file() and _pins_file().read_text() == _pins_text() else None


def pelican() -> Path | None:
    return _bench_tool("pelican")


def django_gunicorn() -> Path | None:
    """gunicorn in the benchmark venv, which also holds Django: it serves bench/django_peer.py."""
    return _bench_tool("gunicorn")


def py_spy() -> Path | None:
    return _bench_tool("py-spy")


def _pins_file() -> Path:
    return BENCH_VENV / ".bench-pins"


def _pins_text() -> str:
    return "\n".join(PIP_PINS) + "\n"


def ensure_apt(commands: list[str]) -> None:
    """apt-get install what is missing (needs root, as on the benchmark machine)."""
    missing = [APT_PACKAGES[c] for c in commands if shutil.which(c) is None]
    if not missing:
        return
    if os.geteuid() != 0:
        raise RuntimeError(f"{', '.join(missing)} missing and not root: apt-get install -y {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"bench: installing {', '.join(missing)} from Debian", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def ensure_bench_venv() -> Path:
    """Create .venv-bench and pip-install the pinned peers into it (once per set of pins)."""
    if pelican() is None:
        print(f"bench: installing {' '.join(PIP_PINS)} into {BENCH_VENV}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(BENCH_VENV)], check=True)
        subprocess.run(
            [
                str(BENCH_VENV / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                *PIP_PINS,
            ],
            check=True,
        )
        _pins_file().write_text(_pins_text())
    return pelican()


ensure_pelican = ensure_bench_venv


def ensure_peers(commands: tuple[str, ...] = ("wrk", "hugo", "nginx"), python_peers: bool = True) -> None:
    ensure_apt(list(commands))
    if python_peers:
        ensure_bench_venv()


def versions() -> dict[str, str]:
    """What was measured against, for the table headers."""
    found = {}
    python = str(BENCH_VENV / "bin" / "python") if pelican() else ""
    for name, command in (
        ("wrk", [wrk() or "", "-v"]),
        ("hugo", [hugo() or "", "version"]),
        ("nginx", [nginx() or "", "-v"]),
        ("pelican", [str(pelican() or ""), "--version"]),
        ("django", [python, "-c", "import django; print(django.get_version())"]),
        ("py-spy", [str(py_spy() or ""), "--version"]),
    ):
        if command[0]:
            result = subprocess.run(command, capture_output=True, text=True)
            version = re.search(r"\d+\.\d+[\w.+-]*", result.stdout or result.stderr)
            found[name] = version.group(0) if version else "?"
    return found


if __name__ == "__main__":
    ensure_peers()
    for tool, version in versions().items():
        print(f"{tool}: {version}")
