"""team: officers, and the schools and cases allocated to them (issue 16)

Revision ID: 0010_team
Revises: 0005_letters
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_team"
down_revision = "0009_audit_integrity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "officer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer")),
        sa.UniqueConstraint("role", name=op.f("uq_officer_role")),
    )
    for table, key, referred in (
        ("school_allocation", "school_id", "school"),
        ("case_allocation", "case_id", "pupil_case"),
    ):
        op.create_table(
            table,
            sa.Column(key, sa.Integer(), nullable=False),
            sa.Column("officer_id", sa.Integer(), nullable=False),
            sa.Column("allocated_at", sa.DateTime(), nullable=False),
            sa.Column("allocated_by", sa.String(), nullable=False),
            sa.ForeignKeyConstraint(
                [key], [f"{referred}.id"], name=op.f(f"fk_{table}_{key}_{referred}")
            ),
            sa.ForeignKeyConstraint(
                ["officer_id"], ["officer.id"], name=op.f(f"fk_{table}_officer_id_officer")
            ),
            sa.PrimaryKeyConstraint(key, name=op.f(f"pk_{table}")),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f(f"ix_{table}_officer_id"), ["officer_id"], unique=False
            )


def downgrade() -> None:
    for table in ("case_allocation", "school_allocation"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_officer_id"))
        op.drop_table(table)
    op.drop_table("officer")
