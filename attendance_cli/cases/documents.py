"""Documents attached to a case: copied into the private store beside the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from attendance_cli.cases import kinds
from attendance_cli.cases.audit import record_audit
from attendance_cli.cases.case import ensure_open_case, find_pupil
from attendance_cli.db.engine import transaction
from attendance_cli.errors import InvalidInputError
from attendance_cli.registers.store import now_text


@dataclass
class DocumentRecord:
    id: int
    kind: str
    file_name: str
    sha256: str
    bytes: int
    document_date: dt.date | None
    description: str | None
    created_at: str
    officer: str
    stored_path: str


def attach_document(
    conn: sqlite3.Connection,
    *,
    upn: str,
    file: Path,
    kind: str,
    store: Path,
    officer: str,
    document_date: dt.date | None = None,
    description: str | None = None,
) -> DocumentRecord:
    """Copy ``file`` into the private document store, named by its SHA-256, and record it.
    The store never uses the file's own name on disk, so names cannot escape the folder."""
    pupil = find_pupil(conn, upn)
    found_kind = kinds.choose(kind, kinds.DOCUMENT_KINDS, "document kind", "--kind")
    if found_kind is None:
        raise InvalidInputError(
            "A document needs a kind",
            hint=f"Use one of: {', '.join(kinds.DOCUMENT_KINDS)} (--kind).",
        )
    if not file.is_file():
        raise InvalidInputError(
            f"No such file: {file}", hint="Check the path of the document to attach."
        )
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    sha256 = digest.hexdigest()
    store.mkdir(mode=0o700, parents=True, exist_ok=True)
    if store.stat().st_mode & 0o077:  # an older or hand-made folder: children's documents
        store.chmod(0o700)
    target = store / sha256
    if not target.exists():
        partial = store / f".{sha256}.partial"
        fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out, file.open("rb") as source:
            shutil.copyfileobj(source, out)
        os.replace(partial, target)
    size = target.stat().st_size
    with transaction(conn):
        case_id = ensure_open_case(conn, pupil, officer)
        stamp = now_text()
        cursor = conn.execute(
            "INSERT INTO case_document (case_id, kind, file_name, sha256, bytes, document_date, description, created_at, officer) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                case_id,
                found_kind,
                file.name,
                sha256,
                size,
                document_date.isoformat() if document_date else None,
                description,
                stamp,
                officer,
            ),
        )
        document_id = int(cursor.lastrowid or 0)
        record_audit(
            conn,
            officer=officer,
            action="attach_document",
            entity="document",
            entity_id=document_id,
            upn=pupil.upn,
            detail={"kind": found_kind, "file_name": file.name, "sha256": sha256, "bytes": size},
        )
    return DocumentRecord(
        document_id,
        found_kind,
        file.name,
        sha256,
        size,
        document_date,
        description,
        stamp,
        officer,
        str(target),
    )


def list_documents(conn: sqlite3.Connection, *, upn: str, store: Path) -> list[DocumentRecord]:
    pupil = find_pupil(conn, upn)
    rows = conn.execute(
        "SELECT d.id, d.kind, d.file_name, d.sha256, d.bytes, d.document_date, d.description, d.created_at, d.officer "
        "FROM case_document d JOIN pupil_case c ON c.id = d.case_id WHERE c.pupil_id = ? ORDER BY d.id",
        (pupil.id,),
    ).fetchall()
    return [
        DocumentRecord(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            dt.date.fromisoformat(r[5]) if r[5] else None,
            r[6],
            r[7],
            r[8],
            str(store / r[3]),
        )
        for r in rows
    ]
