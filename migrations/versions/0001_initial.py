"""initial schema: schools, pupils, enrolments, contacts, marks, imports

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pupil",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("upn", sa.String(length=13), nullable=False),
        sa.Column("surname", sa.String(), nullable=True),
        sa.Column("forename", sa.String(), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("gender", sa.String(), nullable=True),
        sa.Column("fsm", sa.Boolean(), nullable=True),
        sa.Column("sen", sa.String(), nullable=True),
        sa.Column("social_worker", sa.String(), nullable=True),
        sa.Column("looked_after", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pupil")),
        sa.UniqueConstraint("upn", name=op.f("uq_pupil_upn")),
    )
    op.create_table(
        "school",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("laestab", sa.String(length=7), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("phase", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school")),
        sa.UniqueConstraint("laestab", name=op.f("uq_school_laestab")),
    )
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("relationship", sa.String(), nullable=True),
        sa.Column("address", sa.String(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("parental_responsibility", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["pupil_id"], ["pupil.id"], name=op.f("fk_contact_pupil_id_pupil")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_pupil_id"), ["pupil_id"], unique=False)

    op.create_table(
        "enrolment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=True),
        sa.Column("leaving_date", sa.Date(), nullable=True),
        sa.Column("year_group", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["pupil.id"], name=op.f("fk_enrolment_pupil_id_pupil")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_enrolment_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment")),
        sa.UniqueConstraint("pupil_id", "school_id", name=op.f("uq_enrolment_pupil_id")),
    )
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolment_pupil_id"), ["pupil_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrolment_school_id"), ["school_id"], unique=False)

    op.create_table(
        "import_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_format", sa.String(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("marks_added", sa.Integer(), nullable=False),
        sa.Column("marks_changed", sa.Integer(), nullable=False),
        sa.Column("marks_unchanged", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=True),
        sa.Column("date_to", sa.Date(), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("os_user", sa.String(), nullable=False),
        sa.Column("tool_version", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_import_log_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_log")),
    )
    with op.batch_alter_table("import_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_log_sha256"), ["sha256"], unique=False)

    op.create_table(
        "mark_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("session", sa.Integer(), nullable=False),
        sa.Column("old_mark", sa.String(length=1), nullable=False),
        sa.Column("new_mark", sa.String(length=1), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"], ["enrolment.id"], name=op.f("fk_mark_change_enrolment_id_enrolment")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["import_log.id"], name=op.f("fk_mark_change_import_id_import_log")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mark_change")),
    )
    with op.batch_alter_table("mark_change", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mark_change_enrolment_date", ["enrolment_id", "date"], unique=False
        )

    op.create_table(
        "mark_year",
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("marks", sa.String(length=540), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"], ["enrolment.id"], name=op.f("fk_mark_year_enrolment_id_enrolment")
        ),
        sa.PrimaryKeyConstraint("enrolment_id", "academic_year", name=op.f("pk_mark_year")),
    )


def downgrade() -> None:
    op.drop_table("mark_year")
    with op.batch_alter_table("mark_change", schema=None) as batch_op:
        batch_op.drop_index("ix_mark_change_enrolment_date")

    op.drop_table("mark_change")
    with op.batch_alter_table("import_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_log_sha256"))

    op.drop_table("import_log")
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolment_school_id"))
        batch_op.drop_index(batch_op.f("ix_enrolment_pupil_id"))

    op.drop_table("enrolment")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_pupil_id"))

    op.drop_table("contact")
    op.drop_table("school")
    op.drop_table("pupil")
