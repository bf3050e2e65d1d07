"""A private PostgreSQL server for the tests: ``initdb`` into a temporary folder, ``pg_ctl``
start on a Unix socket only (no TCP port), stopped and removed afterwards.

The PostgreSQL 15 server binaries are on these machines; ``initdb`` refuses to run as root, so
as root the server runs as the ``postgres`` user (``runuser``). Where the binaries (or psycopg)
are missing the PostgreSQL tests skip with one reason — except under CI (``CI=true``), where a
missing server is a failure: CI proves PostgreSQL every time.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER = "att_test"


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def unavailable() -> str | None:
    """Why a PostgreSQL server cannot be started here, or None."""
    for tool in ("initdb", "pg_ctl"):
        if _binary(tool) is None:
            return f"PostgreSQL server binaries ({tool}) are not installed"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test]')"
    if os.geteuid() == 0 and not _postgres_user_exists():
        return "running as root and there is no postgres user to run the server as"
    return None


def skip_or_fail() -> None:
    reason = unavailable()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must prove PostgreSQL, but {reason}")
    pytest.skip(reason)


def _postgres_user_exists() -> bool:
    import pwd

    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return False
    return True


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        runuser = shutil.which("runuser") or shutil.which("runuser", path="/usr/sbin:/sbin")
        assert runuser, "runuser (util-linux) is needed to start PostgreSQL as root"
        return [runuser, "-u", "postgres", "--", *command]
    return command


@dataclass(frozen=True)
class Server:
    socket_dir: Path

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL for ``database`` on this server, over its Unix socket."""
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket_dir}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(
            host=str(self.socket_dir), user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def running_server(*, fsync: bool = False) -> Iterator[Server]:
    """Start a private server; stop it and remove its files on exit. The tests run it with
    ``fsync=off`` (nothing to keep); the benchmarks with fsync on, as a real server runs."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    assert initdb and pg_ctl
    top = Path(tempfile.mkdtemp(prefix="att-pg-"))
    data, sockets = top / "data", top / "socket"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(top, "postgres")
        shutil.chown(sockets, "postgres")
    try:
        subprocess.run(
            _as_server_user(
                [
                    initdb,
                    "-D",
                    str(data),
                    "-U",
                    SUPERUSER,
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
        )
        options = f"-c listen_addresses='' -k {sockets} -c fsync={'on' if fsync else 'off'}"
        subprocess.run(
            _as_server_user(
                [pg_ctl, "-D", str(data), "-o", options, "-l", str(top / "log"), "-w", "start"]
            ),
            check=True,
            capture_output=True,
            timeout=60,
        )
        try:
            yield Server(socket_dir=sockets)
        finally:
            subprocess.run(
                _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                capture_output=True,
                timeout=60,
            )
    finally:
        shutil.rmtree(top, ignore_errors=True)
