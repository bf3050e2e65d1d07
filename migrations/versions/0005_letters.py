"""letters: the letters att writes from templates, with the template's name and version

Revision ID: 0005_letters
Revises: 0004_case_links
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_letters"
down_revision = "0004_case_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("pupil_id", sa.Integer(), nullable=True),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("template", sa.String(), nullable=False),
        sa.Column("template_version", sa.String(), nullable=False),
        sa.Column("template_sha256", sa.String(length=64), nullable=False),
        sa.Column("addressee", sa.String(), nullable=False),
        sa.Column("addressee_key", sa.String(), nullable=False),
        sa.Column("letter_date", sa.Date(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("officer", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["case_document.id"], name=op.f("fk_letter_document_id_case_document")
        ),
        sa.ForeignKeyConstraint(["pupil_id"], ["pupil.id"], name=op.f("fk_letter_pupil_id_pupil")),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_letter_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter")),
    )
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.create_index(
            "ix_letter_pupil_template_date", ["pupil_id", "template", "letter_date"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_index("ix_letter_pupil_template_date")
    op.drop_table("letter")
