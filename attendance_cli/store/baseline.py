"""The statements of a migration's audit baseline (``cases.audited_tables.baseline_rows``).

They run at upgrade time over the migration's own connection (Alembic's ``op.get_bind()``), on
tables reflected from the database as it is at that revision, never today's models: a later
model may have columns the database does not have yet. What is hashed and chained is decided in
``cases.audited_tables``; this module only reads and writes the rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_TEXT_COLUMNS = ("officer", "action", "entity", "prev_hash", "hash", "row_table", "row_hash")
# chain version 1 keeps the personal part in audit_log; version 2 (0011_audit_detail) in
# audit_detail, committed to by audit_log.personal_hash
_V1_COLUMNS = ("upn", "detail", "row_digests")
_PERSONAL_COLUMNS = ("upn", "detail", "row_digests", "salt")


def table_names(bind: Any) -> set[str]:
    """The tables the database has at this revision."""
    import sqlalchemy as sa

    return set(sa.inspect(bind).get_table_names())


def pupil_upns(bind: Any) -> dict[int, str]:
    """Every pupil's UPN by pupil id."""
    import sqlalchemy as sa

    pupil = sa.table("pupil", sa.column("id"), sa.column("upn"))
    return {row.id: row.upn for row in bind.execute(sa.select(pupil.c.id, pupil.c.upn))}


def case_pupils(bind: Any) -> dict[int, int]:
    """Every case's pupil id by case id."""
    import sqlalchemy as sa

    case = sa.table("pupil_case", sa.column("id"), sa.column("pupil_id"))
    return {row.id: row.pupil_id for row in bind.execute(sa.select(case.c.id, case.c.pupil_id))}


def last_entry_hash(bind: Any) -> str | None:
    """The hash of the audit log's last entry (the chain's head), None when the log is empty."""
    import sqlalchemy as sa

    log = sa.table("audit_log", sa.column("id"), sa.column("hash"))
    found = bind.execute(sa.select(log.c.hash).order_by(log.c.id.desc()).limit(1)).fetchone()
    return found[0] if found else None


def table_rows(bind: Any, name: str) -> Iterator[dict[str, Any]]:
    """Every row of table ``name`` in id order, typed by the reflected table (dates, timestamps
    and booleans as Python values, as the canonical form needs them)."""
    import sqlalchemy as sa

    table = sa.Table(name, sa.MetaData(), autoload_with=bind)
    for found in bind.execute(sa.select(table).order_by(table.c.id)).mappings():
        yield dict(found)


def insert_entries(
    bind: Any, entries: list[dict[str, Any]], *, personal_parts: list[dict[str, Any]] | None = None
) -> None:
    """Append audit entries (already chained) to the log. ``personal_parts`` (chain version 2):
    each entry's part for ``audit_detail``, in the same order; it is given the id its entry got.
    The migration is the only writer, so the new ids are the ones after the last before it."""
    import sqlalchemy as sa

    v2 = personal_parts is not None
    log = sa.table(
        "audit_log",
        *(sa.column(name, sa.String) for name in _TEXT_COLUMNS),
        *(sa.column(name, sa.String) for name in (("personal_hash",) if v2 else _V1_COLUMNS)),
        sa.column("id", sa.Integer),
        sa.column("at", sa.DateTime),
        sa.column("entity_id", sa.Integer),
        sa.column("row_id", sa.Integer),
    )
    last = bind.execute(sa.select(sa.func.max(log.c.id))).scalar()
    bind.execute(sa.insert(log), entries)
    if not personal_parts:
        return
    ids = [
        r[0]
        for r in bind.execute(sa.select(log.c.id).where(log.c.id > (last or 0)).order_by(log.c.id))
    ]
    assert len(ids) == len(personal_parts)
    personal = sa.table(
        "audit_detail",
        sa.column("entry_id", sa.Integer),
        *(sa.column(name, sa.String) for name in _PERSONAL_COLUMNS),
    )
    bind.execute(
        sa.insert(personal),
        [
            {**part, "entry_id": entry_id}
            for entry_id, part in zip(ids, personal_parts, strict=True)
        ],
    )
