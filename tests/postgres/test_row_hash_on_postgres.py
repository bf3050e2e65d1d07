"""A casework row's canonical form (``cases.audited_tables``) is the same text on PostgreSQL as
on SQLite: the same rows written to both and read back through the models give the same hash,
and the 0009 baseline (which reads through reflected tables) records that hash on both."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from attendance_cli.cases import audited_tables
from attendance_cli.db import models
from attendance_cli.db.migrate import migrations_dir, upgrade_database

WHEN = dt.datetime(2025, 10, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
ROWS: list[tuple[Any, dict[str, Any]]] = [
    (models.School, {"id": 1, "laestab": "8990001", "name": "S", "created_at": WHEN}),
    (
        models.Pupil,
        {
            "id": 1,
            "upn": "B801200005001",
            "surname": "Zoë",
            "created_at": WHEN,
            "updated_at": WHEN,
            "fsm": True,
        },
    ),  # fmt: skip
    (
        models.PupilCase,
        {"id": 1, "pupil_id": 1, "status": "open", "opened_at": WHEN, "opened_by": "Jo"},
    ),
    (
        models.CaseNote,
        {
            "id": 1,
            "case_id": 1,
            "text": "Visité — “quoted” 😀",
            "created_at": WHEN,
            "officer": "Jo",
        },
    ),  # fmt: skip
    (
        models.CaseDocument,
        {
            "id": 1,
            "case_id": 1,
            "kind": "letter",
            "file_name": "w.pdf",
            "sha256": "c" * 64,
            "bytes": 10,
            "document_date": dt.date(2025, 9, 30),
            "created_at": WHEN,
            "officer": "Jo",
        },
    ),  # fmt: skip
    (
        models.PenaltyNotice,
        {
            "id": 1,
            "pupil_id": 1,
            "case_id": 1,
            "parent_name": "P",
            "issued": dt.date(2025, 9, 1),
            "amount_pence": 8000,
            "created_at": WHEN,
            "officer": "Jo",
        },
    ),  # fmt: skip
]
AUDITED = ["pupil_case", "case_note", "case_document", "penalty_notice"]


def _upgrade(engine: sa.Engine, revision: str) -> None:
    if engine.dialect.name == "sqlite":  # att's own runner: one transaction it begins itself
        assert engine.url.database is not None
        upgrade_database(Path(engine.url.database), revision=revision)
        return
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _hashes(engine: sa.Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {
            table: audited_tables.row_hash(
                table, dict(conn.execute(sa.select(models.metadata.tables[table])).mappings().one())
            )
            for table in AUDITED
        }


def _baselines(engine: sa.Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(
            conn.execute(
                sa.text("SELECT row_table, row_hash FROM audit_log WHERE action = 'baseline'")
            ).fetchall()
        )


def test_the_same_rows_hash_the_same_on_both_databases(postgres_url: str, tmp_path: Path) -> None:
    from attendance_cli.db.engine import create_private_file

    create_private_file(tmp_path / "att.sqlite")
    engines = {
        "postgres": sa.create_engine(postgres_url),
        "sqlite": sa.create_engine(f"sqlite:///{tmp_path / 'att.sqlite'}"),
    }
    try:
        for engine in engines.values():
            _upgrade(engine, "0005_letters")
            with engine.begin() as conn:
                for model, values in ROWS:
                    if model is models.CaseNote:  # 0005 has no corrected_at yet
                        values = {k: v for k, v in values.items() if k != "corrected_at"}
                    columns = [sa.column(name) for name in values]
                    conn.execute(sa.table(model.__tablename__, *columns).insert().values(values))
            _upgrade(engine, "head")
        # (0007_casework_dates backfills a note's happened_on: the local date it was recorded)
        on_postgres, on_sqlite = _hashes(engines["postgres"]), _hashes(engines["sqlite"])
        assert on_postgres == on_sqlite
        note = (
            '{"table":"case_note","values":{"case_id":1,"created_at":'
            '"2025-10-01T09:30:15.123456","happened_on":"2025-10-01","id":1,"officer":"Jo",'
            '"text":"Visité — “quoted” 😀"}}'
        )
        assert on_sqlite["case_note"] == hashlib.sha256(note.encode("utf-8")).hexdigest()
        # the upgrade's baseline, read through reflected tables, recorded the same hashes
        assert _baselines(engines["postgres"]) == on_postgres == _baselines(engines["sqlite"])
    finally:
        for engine in engines.values():
            engine.dispose()
