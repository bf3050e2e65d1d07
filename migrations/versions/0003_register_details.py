"""register details: registration group per enrolment, a name kept as written, the code map used

Revision ID: 0003_register_details
Revises: 0002_casework
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_register_details"
down_revision = "0002_casework"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registration_group", sa.String(), nullable=True))
    with op.batch_alter_table("pupil", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_as_written", sa.String(), nullable=True))
    with op.batch_alter_table("import_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code_map", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_log", schema=None) as batch_op:
        batch_op.drop_column("code_map")
    with op.batch_alter_table("pupil", schema=None) as batch_op:
        batch_op.drop_column("name_as_written")
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.drop_column("registration_group")
