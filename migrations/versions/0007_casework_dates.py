"""casework dates: the day each thing happened beside when att recorded it; school requests

Casework rows gain the date the event happened (``att case ... --on``, a TSM's date), kept
beside the timestamp att recorded it at: ``pupil_case.opened_on``/``closed_on``,
``lead_practitioner.set_on``, ``case_action.agreed_on``/``ended_on``, ``case_note.happened_on``,
``case_document.happened_on``. Existing rows are backfilled with the date the chronology showed
for them before: the local calendar date of the recorded timestamp, and for an action agreed in
a meeting the meeting's date.

New tables: ``penalty_request`` (a school's request for a penalty notice and the LA's decision)
and ``penalty_request_document`` (its evidence, as case documents).

Revision ID: 0007_casework_dates
Revises: 0005_letters
Create Date: 2026-12-01
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0007_casework_dates"
down_revision = "0006_column_maps"
branch_labels = None
depends_on = None

# (table, new date column, the timestamp column it is backfilled from)
_DATES = [
    ("pupil_case", "opened_on", "opened_at"),
    ("pupil_case", "closed_on", "closed_at"),
    ("lead_practitioner", "set_on", "set_at"),
    ("case_action", "agreed_on", "created_at"),
    ("case_action", "ended_on", "completed_at"),
    ("case_note", "happened_on", "created_at"),
    ("case_document", "happened_on", "created_at"),
]


def _local_date(value: object) -> dt.date | None:
    """The local calendar date of a stored UTC timestamp (as ``cases.chronology`` showed it)."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone().date()


def upgrade() -> None:
    for table, column, _ in _DATES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.Date(), nullable=True))

    bind = op.get_bind()
    meeting = sa.table("meeting", sa.column("id", sa.Integer), sa.column("date", sa.Date))
    meeting_dates = {
        row.id: row.date for row in bind.execute(sa.select(meeting.c.id, meeting.c.date))
    }
    for table_name, column, source in _DATES:
        extra = ["meeting_id"] if column == "agreed_on" else []
        table = sa.table(
            table_name,
            sa.column("id", sa.Integer),
            sa.column(source, sa.String),
            sa.column(column, sa.Date),
            *(sa.column(name, sa.Integer) for name in extra),
        )
        selected = [table.c.id, table.c[source], *(table.c[name] for name in extra)]
        for row in bind.execute(sa.select(*selected)).fetchall():
            day = _local_date(row[1])
            if extra and row[2] is not None and row[2] in meeting_dates:
                day = meeting_dates[row[2]]  # agreed in a meeting: the meeting's date
            if day is not None:
                bind.execute(sa.update(table).where(table.c.id == row[0]).values({column: day}))

    op.create_table(
        "penalty_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("decide_by", sa.Date(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("requested_by", sa.String(), nullable=True),
        sa.Column("details", sa.String(), nullable=True),
        sa.Column("decision", sa.String(), nullable=True),
        sa.Column("decision_reason", sa.String(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("penalty_notice_id", sa.Integer(), nullable=True),
        sa.Column("outcome_text", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("officer", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["penalty_notice_id"],
            ["penalty_notice.id"],
            name=op.f("fk_penalty_request_penalty_notice_id_penalty_notice"),
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["pupil.id"], name=op.f("fk_penalty_request_pupil_id_pupil")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_penalty_request_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_penalty_request")),
    )
    with op.batch_alter_table("penalty_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_penalty_request_pupil_id"), ["pupil_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_penalty_request_school_id"), ["school_id"], unique=False
        )
    op.create_table(
        "penalty_request_document",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["case_document.id"],
            name=op.f("fk_penalty_request_document_document_id_case_document"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["penalty_request.id"],
            name=op.f("fk_penalty_request_document_request_id_penalty_request"),
        ),
        sa.PrimaryKeyConstraint(
            "request_id", "document_id", name=op.f("pk_penalty_request_document")
        ),
    )


def downgrade() -> None:
    op.drop_table("penalty_request_document")
    with op.batch_alter_table("penalty_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_penalty_request_school_id"))
        batch_op.drop_index(batch_op.f("ix_penalty_request_pupil_id"))
    op.drop_table("penalty_request")
    for table, column, _ in reversed(_DATES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
