"""benchmark cache: the LA benchmark of TSM packs kept per period, with the marks version it
was counted from (issue 11's speed: ``att tsm prepare`` no longer reads every enrolment's marks)

Revision ID: 0013_benchmark_cache
Revises: 0010_team
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_benchmark_cache"
down_revision = "0012_rectify_hold"
branch_labels = None
depends_on = None

_COUNTS = (
    "enrolments",
    "on_roll",
    "possible",
    "attended",
    "authorised",
    "unauthorised",
    "late",
    "missing",
    "persistent",
    "severe",
)


def upgrade() -> None:
    version = op.create_table(
        "marks_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marks_version")),
    )
    op.bulk_insert(version, [{"id": 1, "version": 0}])
    op.create_table(
        "la_benchmark",
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("marks_version", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTS),
        sa.PrimaryKeyConstraint("period_start", "period_end", name=op.f("pk_la_benchmark")),
    )


def downgrade() -> None:
    op.drop_table("la_benchmark")
    op.drop_table("marks_version")
