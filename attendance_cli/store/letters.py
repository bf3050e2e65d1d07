"""Letters in the database: the ``letter`` table of migration ``0005_letters`` (issue 15).

A letter to a parent is also a case document (``store.cases.insert_document``); this module
keeps the letter's own row: which template and version made it, to whom, on what date, and
the stored file's SHA-256.

Writes are SQLAlchemy Core over ``db.models`` and run inside the caller's
``transaction``/``writing`` block; ``letters.sources.file_letters`` already pays for
SQLAlchemy there (``store.cases.insert_document`` is Core).

Reads are raw sqlite3 on ``store.connection``, as in ``store.cases``: ``att letter list`` and
the duplicate check before any letter is rendered would otherwise import SQLAlchemy and the
models first, measured at 0.27 s (``sqlalchemy`` 0.14 s + ``sqlmodel`` models 0.13 s,
``python -X importtime``) for statements that compile to the same SQL.

Timestamps stay in records as the stored text (``YYYY-MM-DD HH:MM:SS.ffffff``, UTC), the form
the JSON output has always printed; dates are ``dt.date``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from attendance_cli.store.connection import Store
from attendance_cli.store.conversions import date_text, to_date


@dataclass(frozen=True, slots=True)
class LetterRecord:
    """A letter made, with its pupil's UPN and name and its school, where it has them."""

    id: int
    letter_date: dt.date
    template: str
    template_version: str
    addressee: str
    upn: str | None
    surname: str | None
    forename: str | None
    school_laestab: str | None
    school_name: str | None
    file_name: str
    sha256: str
    bytes: int
    document_id: int | None
    batch: str | None
    created_at: str
    officer: str


def _letter(row: Any) -> LetterRecord:
    return LetterRecord(row[0], to_date(row[1]) or dt.date.min, *row[2:])


def letter_sent(
    store: Store,
    *,
    pupil_id: int | None,
    school_id: int | None,
    template: str,
    addressee_key: str,
    letter_date: dt.date,
) -> int | None:
    """The id of the first letter made for this pupil (or, with no pupil, this school),
    addressee, template and date, else None."""
    whose = (
        ("pupil_id = ?", pupil_id)
        if pupil_id is not None
        else ("pupil_id IS NULL AND school_id = ?", school_id)
    )
    row = store.connection.execute(
        f"SELECT id FROM letter WHERE {whose[0]} AND template = ? "
        "AND addressee_key = ? AND letter_date = ? ORDER BY id LIMIT 1",
        (whose[1], template, addressee_key, date_text(letter_date)),
    ).fetchone()
    return row[0] if row else None


def insert_letter(
    store: Store,
    *,
    document_id: int | None,
    pupil_id: int | None,
    school_id: int | None,
    template: str,
    template_version: str,
    template_sha256: str,
    addressee: str,
    addressee_key: str,
    letter_date: dt.date,
    file_name: str,
    sha256: str,
    size: int,
    batch: str | None,
    officer: str,
) -> int:
    """Record one letter (created now); returns its id."""
    from sqlalchemy import insert

    from attendance_cli.db import models

    result = store.execute(
        insert(models.metadata.tables["letter"]).values(
            document_id=document_id,
            pupil_id=pupil_id,
            school_id=school_id,
            template=template,
            template_version=template_version,
            template_sha256=template_sha256,
            addressee=addressee,
            addressee_key=addressee_key,
            letter_date=letter_date,
            file_name=file_name,
            sha256=sha256,
            bytes=size,
            batch=batch,
            created_at=dt.datetime.now(dt.UTC),  # UTC, as store.conversions.now_text writes it
            officer=officer,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def letters(
    store: Store, *, pupil_id: int | None = None, school_id: int | None = None
) -> list[LetterRecord]:
    """The letters made (for a pupil, a school, or both), by date then id."""
    where, args = [], []
    if pupil_id is not None:
        where.append("l.pupil_id = ?")
        args.append(pupil_id)
    if school_id is not None:
        where.append("l.school_id = ?")
        args.append(school_id)
    sql = (
        "SELECT l.id, l.letter_date, l.template, l.template_version, l.addressee, p.upn, p.surname, "
        "p.forename, s.laestab, s.name, l.file_name, l.sha256, l.bytes, l.document_id, l.batch, "
        "l.created_at, l.officer FROM letter l LEFT JOIN pupil p ON p.id = l.pupil_id "
        "LEFT JOIN school s ON s.id = l.school_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY l.letter_date, l.id"
    )
    return [_letter(r) for r in store.connection.execute(sql, args)]


def notice_copy_batch(notice_id: int) -> str:
    """The ``batch`` of the letter that is a penalty notice's filed copy (``att penalty add``):
    how a notice finds its copies without a column of its own."""
    return f"penalty-notice-{notice_id}"


@dataclass(frozen=True, slots=True)
class NoticeCopyRow:
    notice_id: int
    letter_id: int
    document_id: int
    withdrawn: bool


def notice_copies(store: Store, notice_ids: list[int]) -> dict[int, list[NoticeCopyRow]]:
    """Per notice id: its filed copies (letter and case document), oldest first (raw, as the
    module's other reads: ``att case show`` lists every notice of the pupil)."""
    from attendance_cli.store.chunking import chunked

    wanted = {notice_copy_batch(i): i for i in notice_ids}
    found: dict[int, list[NoticeCopyRow]] = {}
    for part in chunked(list(wanted)):
        marks = ",".join("?" * len(part))
        rows = store.connection.execute(
            "SELECT l.batch, l.id, l.document_id, d.withdrawn_at FROM letter l "
            f"JOIN case_document d ON d.id = l.document_id WHERE l.batch IN ({marks}) "
            "ORDER BY l.id",
            list(part),
        )
        for batch, letter_id, document_id, withdrawn_at in rows:
            notice_id = wanted[batch]
            found.setdefault(notice_id, []).append(
                NoticeCopyRow(notice_id, letter_id, document_id, withdrawn_at is not None)
            )
    return found
