"""0011_audit_detail on PostgreSQL: a version-1 log written at 0010_team (timestamps in a
``timestamp`` column, not text) moves to chain version 2 and keeps its v1 anchor; a broken
one is refused with the database left at 0010."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from attendance_cli.cases.audit import verify_audit
from attendance_cli.cases.audited_tables import entry_digest
from attendance_cli.db.migrate import migrations_dir
from attendance_cli.errors import DatabaseError
from attendance_cli.store import Store

GENESIS = "0" * 64


def _upgrade(engine: sa.Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _v1_log(engine: sa.Engine, *, broken: bool = False) -> list[str]:
    """Three genuine v1 entries (the hash over the timestamp's text as att reads it)."""
    hashes, prev = [], GENESIS
    with engine.begin() as conn:
        for number in range(1, 4):
            moment = dt.datetime(2025, 10, number, 9, 30, 0, 123456 if number != 2 else 0)
            at = moment.strftime("%Y-%m-%d %H:%M:%S.%f")
            detail = json.dumps({"parent": f"Parent {number}"}, sort_keys=True)
            digest = entry_digest(
                prev, at, "Jo", "add_note", "note", number, "A899200218001", detail
            )
            conn.execute(
                sa.text(
                    "INSERT INTO audit_log (at, officer, action, entity, entity_id, upn, detail, "
                    "prev_hash, hash) VALUES (:at, 'Jo', 'add_note', 'note', :n, "
                    "'A899200218001', :detail, :prev, :hash)"
                ),
                {
                    "at": moment,
                    "n": number,
                    "detail": '{"forged": 1}' if broken and number == 2 else detail,
                    "prev": prev,
                    "hash": digest,
                },
            )
            hashes.append(digest)
            prev = digest
    return hashes


def test_a_v1_log_moves_to_v2_on_postgres_keeping_its_anchor(postgres_url: str) -> None:
    from attendance_cli.db import postgres

    engine = sa.create_engine(postgres_url)
    try:
        _upgrade(engine, "0010_team")
        hashes = _v1_log(engine)
        _upgrade(engine, "head")
        with engine.connect() as conn:
            moved = conn.execute(
                sa.text("SELECT upn, detail FROM audit_detail ORDER BY entry_id")
            ).fetchall()
        assert [tuple(r) for r in moved] == [
            ("A899200218001", json.dumps({"parent": f"Parent {n}"}, sort_keys=True))
            for n in (1, 2, 3)
        ]
    finally:
        engine.dispose()
    conn = postgres.connect(postgres.parse_database_url(postgres_url))
    try:
        check = verify_audit(Store(conn), anchor=f"3:{hashes[-1]}")
        assert (check.ok, check.entries, check.v1_entries, check.anchor_found) == (
            True, 3, 3, True,
        )  # fmt: skip
        assert verify_audit(Store(conn), anchor=f"1:{hashes[-1]}").anchor_found is False
    finally:
        conn.close()


def test_a_broken_v1_log_is_refused_on_postgres(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        _upgrade(engine, "0010_team")
        _v1_log(engine, broken=True)
        with pytest.raises(DatabaseError, match="broken at entry 2"):
            _upgrade(engine, "head")
        with engine.connect() as conn:
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            tables = sa.inspect(conn).get_table_names()
        assert revision == "0010_team" and "audit_detail" not in tables
    finally:
        engine.dispose()
