"""case links: keys where casework matched its own text

- ``case_action.penalty_notice_id``: the penalty notice an action of kind "penalty notice"
  tracks. Until now the notice found its action with ``description LIKE 'Penalty notice N to %'``
  and the chronology parsed that sentence back; existing rows are linked from that same text
  (the action in the notice's case whose description begins "Penalty notice N to ").
- ``meeting_workbook``: each TSM workbook recorded into a meeting, its SHA-256 unique. Until now
  ``att tsm record`` found an earlier recording by matching the audit entry's JSON text; existing
  recordings are copied from those audit entries (the audit log itself is unchanged).

Revision ID: 0004_case_links
Revises: 0003_register_details
Create Date: 2026-12-01
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0004_case_links"
down_revision = "0003_register_details"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("penalty_notice_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_case_action_penalty_notice_id"), ["penalty_notice_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_case_action_penalty_notice_id_penalty_notice"),
            "penalty_notice",
            ["penalty_notice_id"],
            ["id"],
        )
    # the same match as before: the notice's case, the sentence cases.penalty wrote
    op.execute(
        "UPDATE case_action SET penalty_notice_id = ("
        "SELECT n.id FROM penalty_notice n WHERE n.case_id = case_action.case_id "
        "AND substr(case_action.description, 1, length('Penalty notice ' || n.id || ' to ')) "
        "= 'Penalty notice ' || n.id || ' to ' ORDER BY n.id LIMIT 1) "
        "WHERE kind = 'penalty notice'"
    )

    op.create_table(
        "meeting_workbook",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("officer", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_workbook_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_workbook")),
        sa.UniqueConstraint("sha256", name=op.f("uq_meeting_workbook_sha256")),
    )
    with op.batch_alter_table("meeting_workbook", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_workbook_meeting_id"), ["meeting_id"], unique=False
        )
    bind = op.get_bind()
    entries = bind.execute(
        sa.text(
            "SELECT entity_id, at, officer, detail FROM audit_log "
            "WHERE action = 'record_meeting_workbook' ORDER BY id"
        )
    ).fetchall()
    workbooks = sa.table(
        "meeting_workbook",
        sa.column("meeting_id", sa.Integer),
        sa.column("sha256", sa.String),
        sa.column("file_name", sa.String),
        sa.column("recorded_at", sa.String),
        sa.column("officer", sa.String),
    )
    seen: set[str] = set()
    rows = []
    for meeting_id, at, officer, detail in entries:
        data = json.loads(detail)
        sha256 = data.get("workbook_sha256")
        if not sha256 or sha256 in seen or meeting_id is None:
            continue
        seen.add(sha256)
        rows.append(
            {
                "meeting_id": meeting_id,
                "sha256": sha256,
                "file_name": data.get("file_name"),
                "recorded_at": at,
                "officer": officer,
            }
        )
    if rows:
        op.bulk_insert(workbooks, rows)


def downgrade() -> None:
    with op.batch_alter_table("meeting_workbook", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_workbook_meeting_id"))
    op.drop_table("meeting_workbook")
    with op.batch_alter_table("case_action", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_case_action_penalty_notice_id_penalty_notice"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_case_action_penalty_notice_id"))
        batch_op.drop_column("penalty_notice_id")
