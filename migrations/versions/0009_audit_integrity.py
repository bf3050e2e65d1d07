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

Revision ID: 0009_audit_integrity
Revises: 0005_letters
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_audit_integrity"
down_revision = "0008_penalty_framework"
branch_labels = None
depends_on = None


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
    from attendance_cli.cases.audited_tables import baseline_rows

    baseline_rows(bind, revision=revision)


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
