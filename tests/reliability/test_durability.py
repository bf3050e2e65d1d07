"""Commits are durable (issue 13.15): every connection att makes syncs each commit to disk
(``synchronous = FULL``), so a power cut cannot roll back an audit entry whose bundle is already
on disk. Power loss cannot be simulated here; the setting that guarantees it is checked on every
way att opens a database (the cost is measured by bench/bench_durability.py). On PostgreSQL a
commit is durable when the server has flushed its WAL: att's connections keep
``synchronous_commit`` on (never trading durability for speed), checked below."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.db.engine import connect, open_database

FULL = 2


@pytest.mark.sqlite_only  # SQLite's synchronous/journal settings (PostgreSQL: below)
def test_every_connection_syncs_each_commit(db_path: Path, tmp_path: Path) -> None:
    raw = connect(db_path)
    opened, _ = open_database(db_path)
    created, result = open_database(tmp_path / "new.sqlite")
    try:
        assert result.created
        for conn in (raw, opened, created):
            assert conn.execute("PRAGMA synchronous").fetchone()[0] == FULL
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        for conn in (raw, opened, created):
            conn.close()


@pytest.mark.sqlite_only  # PRAGMA synchronous (PostgreSQL: below)
def test_the_cli_opens_with_full_sync(db_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from attendance_cli.cli import common
    from attendance_cli.cli.app import app

    seen: list[int] = []
    original = common.open_db

    def spy(ctx, **kwargs):  # type: ignore[no-untyped-def]
        store, path = original(ctx, **kwargs)
        seen.append(store.connection.execute("PRAGMA synchronous").fetchone()[0])
        return store, path

    monkeypatch.setattr(common, "open_db", spy)
    result = CliRunner().invoke(app, ["--db", str(db_path), "schools", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert seen == [FULL]


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_the_cli_commits_on_postgresql_wait_for_the_server_to_flush(
    db_path: object,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    from attendance_cli.cli import common
    from attendance_cli.cli.app import app

    seen: list[str] = []
    original = common.open_db

    def spy(ctx, **kwargs):  # type: ignore[no-untyped-def]
        store, path = original(ctx, **kwargs)
        seen.append(store.connection.execute("SHOW synchronous_commit").fetchone()[0])
        return store, path

    monkeypatch.setattr(common, "open_db", spy)
    result = CliRunner().invoke(app, ["--db", str(db_path), "schools", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert seen == ["on"]
