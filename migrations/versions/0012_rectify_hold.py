"""rectify and hold: contact corrections that roster imports respect; legal holds (issue 13)

- ``contact_correction``: a contact's field corrected by an officer (UK GDPR art. 16); the
  corrected value wins over later roster imports until the school's file agrees.
- ``legal_hold``: a hold on a child's records that retention and erasure respect.

Both tables are new and empty, so no audited row changes and nothing needs a baseline. The
upgrade runs in the runner's one transaction (all or nothing, ``db.migrate``).

Revision ID: 0012_rectify_hold
Revises: 0010_team
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_rectify_hold"
down_revision = "0011_audit_detail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("contact_key", sa.String(), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("school_value", sa.String(), nullable=True),
        sa.Column("value", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("corrected_at", sa.DateTime(), nullable=False),
        sa.Column("officer", sa.String(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.Column("retired_by", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["pupil.id"], name=op.f("fk_contact_correction_pupil_id_pupil")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_correction")),
    )
    with op.batch_alter_table("contact_correction", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_correction_pupil_key", ["pupil_id", "contact_key"], unique=False
        )
    op.create_table(
        "legal_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("placed_by", sa.String(), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.Column("released_by", sa.String(), nullable=True),
        sa.Column("release_reason", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["pupil.id"], name=op.f("fk_legal_hold_pupil_id_pupil")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_hold")),
    )
    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legal_hold_pupil_id"), ["pupil_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_hold_pupil_id"))
    op.drop_table("legal_hold")
    with op.batch_alter_table("contact_correction", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_correction_pupil_key")
    op.drop_table("contact_correction")
