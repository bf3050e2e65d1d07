"""audit detail: an audit entry's personal part in an erasable table; the chain in version 2

- The table ``audit_detail(entry_id, upn, detail, row_digests, salt)``: each entry's personal
  part (the pupil's UPN, the detail JSON, the casework row's column digests) and a random salt
  of its own. ``audit_log`` loses ``upn``, ``detail`` and ``row_digests`` and gains
  ``personal_hash`` (SHA-256 of the salted personal part), ``v1_hash`` and ``erased_entries``.
- Every entry is re-chained in version 2 (``cases.audited_tables.entry_digest_v2``): its new
  hash covers its ``personal_hash`` and its old hash, kept in ``v1_hash``, so an anchor an
  officer took before the upgrade (``att audit verify``, a bundle's manifest, a backup) is still
  found at its id, and verify still recomputes the old hash while the personal part is held.
- The version-1 chain is recomputed first: a broken log is refused (the upgrade must not
  launder a tampered log into a chain that verifies); the database is then left as it was.

On SQLite ``secure_delete`` is switched on, so the pages of the old ``audit_log`` (UPNs and
details) are zeroed when the table is rebuilt rather than left in the file's free pages.

Revision ID: 0011_audit_detail
Revises: 0010_team
Create Date: 2026-12-01
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011_audit_detail"
down_revision = "0010_team"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
_COLUMNS = (
    "id, at, officer, action, entity, entity_id, upn, detail, prev_hash, hash, row_table, "
    "row_id, row_hash, row_digests"
)


def _at_text(value: Any) -> str:
    """The timestamp as the chain hashed it (SQLite gives the stored text; PostgreSQL a
    datetime, which att's PostgreSQL connection reads as the same text)."""
    if isinstance(value, dt.datetime):
        from attendance_cli.store.conversions import timestamp_text

        return timestamp_text(value) or ""
    return str(value)


def _check_v1(entries: list[Any]) -> None:
    """Recompute the version-1 chain; refuse to upgrade a broken one."""
    from attendance_cli.cases.audited_tables import entry_digest
    from attendance_cli.errors import DatabaseError

    prev_hash = GENESIS
    for e in entries:
        if e.prev_hash != prev_hash:
            problem = "it does not follow the entry before it (an entry was removed or reordered)"
        elif (
            entry_digest(
                e.prev_hash,
                _at_text(e.at),
                e.officer,
                e.action,
                e.entity,
                e.entity_id,
                e.upn,
                e.detail,
                e.row_table,
                e.row_id,
                e.row_hash,
                e.row_digests,
            )  # fmt: skip
            != e.hash
        ):
            problem = "its content was changed after it was written"
        else:
            prev_hash = e.hash
            continue
        raise DatabaseError(
            f"The audit log is broken at entry {e.id} ({problem}): att will not upgrade it, "
            "since the upgrade re-chains the log and would hide the break",
            hint="Nothing was changed. Restore the last backup whose log verifies "
            "(att db restore), or keep this release until the break is explained.",
        )


def upgrade() -> None:
    from attendance_cli.cases.audited_tables import entry_digest_v2, new_salt, personal_digest

    bind = op.get_bind()
    if bind.dialect.name == "sqlite":  # zero freed pages: the old table's UPNs and details
        bind.exec_driver_sql("PRAGMA secure_delete = ON")
    entries = bind.execute(sa.text(f"SELECT {_COLUMNS} FROM audit_log ORDER BY id")).fetchall()
    _check_v1(entries)
    op.create_table(
        "audit_detail",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("upn", sa.String(length=13), nullable=True),
        sa.Column("detail", sa.String(), nullable=False),
        sa.Column("row_digests", sa.String(), nullable=True),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["audit_log.id"], name=op.f("fk_audit_detail_entry_id_audit_log")
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_audit_detail")),
    )
    with op.batch_alter_table("audit_detail", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_detail_upn"), ["upn"], unique=False)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personal_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("v1_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("erased_entries", sa.String(), nullable=True))

    details: list[dict[str, Any]] = []
    chained: list[dict[str, Any]] = []
    prev_hash = GENESIS
    for e in entries:
        salt = new_salt()
        personal = personal_digest(salt, e.upn, e.detail, e.row_digests)
        entry_hash = entry_digest_v2(
            prev_hash, _at_text(e.at), e.officer, e.action, e.entity, e.entity_id, e.row_table,
            e.row_id, e.row_hash, personal, e.hash, None,
        )  # fmt: skip
        details.append(
            {
                "entry_id": e.id, "upn": e.upn, "detail": e.detail,
                "row_digests": e.row_digests, "salt": salt,
            }
        )  # fmt: skip
        chained.append(
            {"key": e.id, "prev": prev_hash, "hash": entry_hash, "personal": personal, "v1": e.hash}
        )
        prev_hash = entry_hash
    if entries:
        personal_table = sa.table(
            "audit_detail",
            sa.column("entry_id", sa.Integer),
            *(sa.column(c, sa.String) for c in ("upn", "detail", "row_digests", "salt")),
        )
        bind.execute(sa.insert(personal_table), details)
        bind.execute(
            sa.text(
                "UPDATE audit_log SET prev_hash = :prev, hash = :hash, "
                "personal_hash = :personal, v1_hash = :v1 WHERE id = :key"
            ),
            chained,
        )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_upn")
        batch_op.drop_column("upn")
        batch_op.drop_column("detail")
        batch_op.drop_column("row_digests")
        batch_op.alter_column("personal_hash", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    # Back to version 1 only while every personal part is still held: the v1 hashes of entries
    # written since the upgrade were never computed, and an erased detail cannot come back.
    raise NotImplementedError(
        "0011_audit_detail cannot be downgraded: restore the backup made before the upgrade"
    )
