"""audit integrity: audit entries commit to the casework rows; withdrawn documents; note corrections

- ``audit_log.row_table``, ``row_id``, ``row_hash``, ``row_digests`` (and the index
  ``ix_audit_log_row``): each entry about a casework row records the row and the SHA-256 of its
  canonical form (``attendance_cli.cases.audited_tables``), covered by the entry's hash.
- ``case_document.withdrawn_at``, ``withdrawn_reason``, ``withdrawn_by``.
- ``case_note.corrected_at`` and the table ``case_note_revision`` (a corrected note's old text).
- Backfill: every casework row already in the database gets one ``baseline`` entry recording its
  current hash, appended to the chain, so ``att audit verify`` passes after the upgrade and finds
  any later edit. What happened to a row BEFORE the upgrade cannot be proven (README, RELIABILITY).

The rows are read through tables reflected from the database (not today's models), so their
dates, timestamps and booleans come back typed as the canonical form needs them.

Revision ID: 0008_audit_integrity
Revises: 0005_letters
Create Date: 2026-12-01
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = "0008_audit_integrity"
down_revision = "0005_letters"
branch_labels = None
depends_on = None

BASELINE_OFFICER = "att (upgrade)"
GENESIS = "0" * 64


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("row_table", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("row_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("row_digests", sa.String(), nullable=True))
        batch_op.create_index("ix_audit_log_row", ["row_table", "row_id", "id"], unique=False)
    with op.batch_alter_table("case_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_reason", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by", sa.String(), nullable=True))
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.add_column(sa.Column("corrected_at", sa.DateTime(), nullable=True))
    op.create_table(
        "case_note_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("replaced_at", sa.DateTime(), nullable=False),
        sa.Column("officer", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["pupil_case.id"], name=op.f("fk_case_note_revision_case_id_pupil_case")
        ),
        sa.ForeignKeyConstraint(
            ["note_id"], ["case_note.id"], name=op.f("fk_case_note_revision_note_id_case_note")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_note_revision")),
    )
    with op.batch_alter_table("case_note_revision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_note_revision_note_id"), ["note_id"], unique=False
        )
    _baseline(op.get_bind())


def _baseline(bind: sa.engine.Connection) -> None:
    """One ``baseline`` entry per existing casework row, chained after the last entry."""
    from attendance_cli.cases.audited_tables import (
        AUDITED_TABLES,
        digests_text,
        entry_digest,
        row_hash,
    )

    present = set(sa.inspect(bind).get_table_names())
    pupils = dict(bind.execute(sa.text("SELECT id, upn FROM pupil")).fetchall())
    cases = {
        case_id: pupils.get(pupil_id)
        for case_id, pupil_id in bind.execute(sa.text("SELECT id, pupil_id FROM pupil_case"))
    }
    last = bind.execute(sa.text("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")).fetchone()
    prev_hash = last[0] if last else GENESIS
    at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    detail = json.dumps({"schema": revision}, sort_keys=True)
    log = sa.table(
        "audit_log",
        *(
            sa.column(name, sa.String)
            for name in (
                "at",
                "officer",
                "action",
                "entity",
                "upn",
                "detail",
                "prev_hash",
                "hash",
                "row_table",
                "row_hash",
                "row_digests",
            )
        ),
        sa.column("entity_id", sa.Integer),
        sa.column("row_id", sa.Integer),
    )
    for audited in AUDITED_TABLES:
        if audited.table not in present:
            continue
        table = sa.Table(audited.table, sa.MetaData(), autoload_with=bind)
        batch: list[dict[str, object]] = []
        for row in bind.execute(sa.select(table).order_by(table.c.id)).mappings():
            values = dict(row)
            if audited.pupil == "pupil_id":
                upn = pupils.get(values.get("pupil_id"))
            elif audited.pupil == "case_id":
                upn = cases.get(values.get("case_id"))
            else:
                upn = None
            hashed = row_hash(audited.table, values)
            digests = digests_text(audited.table, values)
            entry_hash = entry_digest(
                prev_hash, at, BASELINE_OFFICER, "baseline", audited.entity, values["id"], upn,
                detail, audited.table, values["id"], hashed, digests,
            )  # fmt: skip
            batch.append(
                {
                    "at": at, "officer": BASELINE_OFFICER, "action": "baseline",
                    "entity": audited.entity, "entity_id": values["id"], "upn": upn,
                    "detail": detail, "prev_hash": prev_hash, "hash": entry_hash,
                    "row_table": audited.table, "row_id": values["id"], "row_hash": hashed,
                    "row_digests": digests,
                }
            )  # fmt: skip
            prev_hash = entry_hash
        if batch:
            bind.execute(sa.insert(log), batch)


def downgrade() -> None:
    # the entries written since the upgrade stay (removing any would break the chain), but with
    # their row columns dropped an older release can no longer verify them
    with op.batch_alter_table("case_note_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_note_revision_note_id"))
    op.drop_table("case_note_revision")
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.drop_column("corrected_at")
    with op.batch_alter_table("case_document", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_by")
        batch_op.drop_column("withdrawn_reason")
        batch_op.drop_column("withdrawn_at")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_row")
        batch_op.drop_column("row_digests")
        batch_op.drop_column("row_hash")
        batch_op.drop_column("row_id")
        batch_op.drop_column("row_table")
