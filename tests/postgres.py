"""A throw-away PostgreSQL cluster for tests: Debian's binaries (scripts/install-system-deps installs
the `postgresql` package), a cluster made with initdb in a temporary folder, listening on 127.0.0.1 on
a free port only, removed afterwards. PostgreSQL refuses to run as root, so as root it runs as the
`postgres` user the package creates (or `nobody`)."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .servers import free_port


def initdb() -> Path | None:
    """The newest installed initdb: Debian keeps each major version under /usr/lib/postgresql/N/bin."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    found.sort(key=lambda path: int(re.search(r"/(\d+)/bin/", path).group(1)))
    if found:
        return Path(found[-1])
    on_path = shutil.which("initdb")
    return Path(on_path) if on_path else None


def missing_message() -> str | None:
    if initdb() is None:
        return (
            "PostgreSQL's server binaries are not installed (no /usr/lib/postgresql/*/bin/initdb): "
            "run scripts/install-system-deps (`make test` does), which installs Debian's postgresql"
        )
    return None


@contextlib.contextmanager
def cluster() -> Iterator[str]:
    """A running cluster; yields its URL (user postgres, trust authentication, on 127.0.0.1 only)."""
    binaries = initdb().parent
    folder = Path(tempfile.mkdtemp(prefix="feedsvc-postgres-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        name = "postgres" if _user_exists("postgres") else "nobody"
        account = pwd.getpwnam(name)
        os.chown(folder, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", name, "--"]
    data, port = folder / "data", free_port()
    quiet = {"capture_output": True, "text": True, "timeout": 120}
    try:
        made = subprocess.run(
            [
                *as_user,
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            **quiet,
        )
        assert made.returncode == 0, made.stdout + made.stderr
        options = (
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off"
        )
        started = subprocess.run(
            [
                *as_user,
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(folder / "log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            **quiet,
        )
        assert started.returncode == 0, started.stdout + started.stderr + _log(folder)
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run([*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], **quiet)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _log(folder: Path) -> str:
    try:
        return (folder / "log").read_text()[-3000:]
    except OSError:
        return ""
