"""penalty framework: a notice's kind, reason, parent on record, service and receipt, the
sessions it is for, its payments (part payments too), withdrawal ground, prosecution and outcome
(issue 12; the record SI 2007/1867 regs. 19-21 require)

- ``penalty_notice`` gains: ``kind`` (``attendance``: EA 1996 s.444A; ``exclusion``: EIA 2006
  s.105), ``reason`` (holiday, unauthorised, lateness, exclusion: the DfE's categories),
  ``contact_id`` (the recorded parent), ``service_method`` (hand, post), ``served_on`` (handed
  over or posted), ``received_on`` (computed by ``cases.served``), ``offence_from`` /
  ``offence_to``, ``force_reason`` (why a failed check was overridden), ``withdrawn_ground``,
  ``prosecuted_on``, ``prosecution_outcome``, ``prosecution_outcome_on``. Old rows: kind
  ``attendance``, everything else empty (deadlines then run from the issue date, as before).
- ``penalty_notice_session``: the sessions a notice is for (date, AM/PM, the mark).
- ``penalty_payment``: each payment; an old notice recorded paid gets one payment row for its
  amount on its paid date.

Revision ID: 0008_penalty_framework
Revises: 0005_letters
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_penalty_framework"
down_revision = "0007_casework_dates"
branch_labels = None
depends_on = None

_NOTICE_COLUMNS = (
    ("reason", sa.String()),
    ("contact_id", sa.Integer()),
    ("service_method", sa.String()),
    ("served_on", sa.Date()),
    ("received_on", sa.Date()),
    ("offence_from", sa.Date()),
    ("offence_to", sa.Date()),
    ("force_reason", sa.String()),
    ("withdrawn_ground", sa.String()),
    ("prosecuted_on", sa.Date()),
    ("prosecution_outcome", sa.String()),
    ("prosecution_outcome_on", sa.Date()),
)


def upgrade() -> None:
    with op.batch_alter_table("penalty_notice", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(), nullable=False, server_default="attendance")
        )
        for name, kind in _NOTICE_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_penalty_notice_contact_id_contact"), "contact", ["contact_id"], ["id"]
        )
    op.create_table(
        "penalty_notice_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("session_date", sa.Date(), nullable=False),
        sa.Column("session", sa.String(length=2), nullable=False),
        sa.Column("mark", sa.String(length=1), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["penalty_notice.id"],
            name=op.f("fk_penalty_notice_session_notice_id_penalty_notice"),
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["pupil.id"], name=op.f("fk_penalty_notice_session_pupil_id_pupil")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_penalty_notice_session")),
        sa.UniqueConstraint(
            "notice_id",
            "session_date",
            "session",
            name=op.f("uq_penalty_notice_session_notice_id"),
        ),
    )
    with op.batch_alter_table("penalty_notice_session", schema=None) as batch_op:
        batch_op.create_index(
            "ix_penalty_notice_session_pupil_date", ["pupil_id", "session_date"], unique=False
        )
    op.create_table(
        "penalty_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("officer", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["penalty_notice.id"],
            name=op.f("fk_penalty_payment_notice_id_penalty_notice"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_penalty_payment")),
    )
    with op.batch_alter_table("penalty_payment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_penalty_payment_notice_id"), ["notice_id"], unique=False
        )
    # a notice recorded paid before this revision: one payment of its amount on its paid date
    op.execute(
        "INSERT INTO penalty_payment (notice_id, paid_on, amount_pence, created_at, officer) "
        "SELECT id, paid, amount_pence, created_at, officer FROM penalty_notice "
        "WHERE paid IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("penalty_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_penalty_payment_notice_id"))
    op.drop_table("penalty_payment")
    with op.batch_alter_table("penalty_notice_session", schema=None) as batch_op:
        batch_op.drop_index("ix_penalty_notice_session_pupil_date")
    op.drop_table("penalty_notice_session")
    with op.batch_alter_table("penalty_notice", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_penalty_notice_contact_id_contact"), type_="foreignkey"
        )
        for name, _ in reversed(_NOTICE_COLUMNS):
            batch_op.drop_column(name)
        batch_op.drop_column("kind")
