"""column_map: a school's saved column map; import_log.column_map names the map an import used

Revision ID: 0006_column_maps
Revises: 0005_letters
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_column_maps"
down_revision = "0005_letters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "column_map",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("header", sa.String(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("officer", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_column_map_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_column_map")),
        sa.UniqueConstraint("school_id", "field", name=op.f("uq_column_map_school_id")),
    )
    with op.batch_alter_table("import_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("column_map", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_log", schema=None) as batch_op:
        batch_op.drop_column("column_map")
    op.drop_table("column_map")
