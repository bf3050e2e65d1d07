"""Documents attached to a case: copied into the private store beside the database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from attendance_cli.cases import kinds
from attendance_cli.cases.audit import record_audit
from attendance_cli.cases.case import casework_day, ensure_open_case, find_pupil
from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError
from attendance_cli.store import cases as stored
from attendance_cli.store import transaction
from attendance_cli.store.cases import StoredDocument
from attendance_cli.store.connection import Store
from attendance_cli.store.registers import Pupil


@dataclass(frozen=True)
class DocumentRecord(StoredDocument):
    """A case document with where its bytes are: the document store, named by SHA-256."""

    stored_path: str = ""
    repaired: bool = False  # this attachment replaced a damaged stored copy of the same bytes


def _record(
    document: StoredDocument, store_folder: Path, *, repaired: bool = False
) -> DocumentRecord:
    values = {f.name: getattr(document, f.name) for f in dataclasses.fields(StoredDocument)}
    return DocumentRecord(
        **values, stored_path=str(store_folder / document.sha256), repaired=repaired
    )


def _file_sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def attach_document(
    database: Store,
    *,
    upn: str,
    file: Path,
    kind: str,
    store: Path,
    officer: str,
    document_date: dt.date | None = None,
    description: str | None = None,
    on: dt.date | None = None,
    today: dt.date | None = None,
) -> DocumentRecord:
    """Copy ``file`` into the private document store, named by its SHA-256, and record it as
    received or sent on ``on`` (default today).

    The file is read ONCE, into a private temporary file in the store (``files.PartialFile``:
    0600, removed on failure, swept after a kill) while it is hashed, so the bytes stored are
    the bytes hashed even if the file changes meanwhile (a file still being saved). When the
    store already holds a file under that hash whose bytes no longer match it (a damaged
    copy), the new bytes replace it and every document of those bytes gets a
    ``repair_document`` audit entry; if this pupil already has that document, attaching it
    again is the repair and adds no second document. The store never uses the file's own
    name on disk, so names cannot escape the folder."""
    from attendance_cli.files import PartialFile

    pupil = find_pupil(database, upn)
    day = casework_day(on, today=today)
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
    store.mkdir(mode=0o700, parents=True, exist_ok=True)
    if store.stat().st_mode & 0o077:  # an older or hand-made folder: children's documents
        store.chmod(0o700)
    partial = PartialFile(store / "attachment", force=True)
    try:
        digest, size = hashlib.sha256(), 0
        with file.open("rb") as source, open(partial.fd, "wb", closefd=False) as out:
            while chunk := source.read(1024 * 1024):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        sha256 = digest.hexdigest()
        target = store / sha256
        repaired = False
        if not target.exists():
            partial.target = target
            partial.commit()
        elif _file_sha256(target) != sha256:  # a damaged (or unreadable) copy: replace it
            partial.target = target
            partial.commit()
            repaired = True
    finally:
        partial.discard()
        partial.close()
    with transaction(database):
        if repaired:
            same = stored.documents_with_sha256(database, sha256)
            for earlier in same:
                record_audit(
                    database,
                    officer=officer,
                    action="repair_document",
                    entity="document",
                    entity_id=earlier.document.id,
                    upn=earlier.upn,
                    detail={"sha256": sha256, "bytes": size, "from_file": file.name},
                )
            mine = [d.document for d in same if d.upn == pupil.upn]
            if mine:
                return _record(mine[0], store, repaired=True)
        document = file_document(
            database,
            pupil,
            kind=found_kind,
            file_name=file.name,
            sha256=sha256,
            size=size,
            document_date=document_date,
            description=description,
            officer=officer,
            on=day,
        )
    return _record(document, store, repaired=repaired)


def withdraw_document(
    database: Store, *, document_id: int, reason: str, officer: str, store: Path
) -> DocumentRecord:
    """Mark a document withdrawn (audited): it stays in the case and the store, listed as
    withdrawn, but goes in no new referral bundle (so a damaged or wrong document no longer
    blocks the export)."""
    if not reason or not reason.strip():
        raise InvalidInputError("Say why the document is withdrawn", hint='Give --reason "...".')
    found = stored.get_document(database, document_id)
    if found is None:
        raise NotFoundError(
            f"No document with id {document_id}",
            hint="`att case documents UPN` lists a pupil's documents.",
        )
    if found.document.withdrawn_at is not None:
        raise RefusedError(
            f"Document {document_id} was already withdrawn on {found.document.withdrawn_at[:10]}"
        )
    with transaction(database):
        stored.set_document_withdrawn(
            database, document_id=document_id, reason=reason.strip(), officer=officer
        )
        record_audit(
            database,
            officer=officer,
            action="withdraw_document",
            entity="document",
            entity_id=document_id,
            upn=found.upn,
            detail={"reason": reason.strip(), "file_name": found.document.file_name},
        )
    updated = stored.get_document(database, document_id)
    assert updated is not None
    return _record(updated.document, store)


def file_document(
    store: Store,
    pupil: Pupil,
    *,
    kind: str,
    file_name: str,
    sha256: str,
    size: int,
    document_date: dt.date | None,
    description: str | None,
    officer: str,
    on: dt.date | None = None,
    case_id: int | None = None,
) -> StoredDocument:
    """Record a document already in the store on the pupil's open case (opened if none is),
    or on ``case_id`` when given, with its ``attach_document`` audit entry, inside the caller's
    transaction: what ``attach_document`` and a filed letter (``letters``) both record."""
    day = on or dt.date.today()
    if case_id is None:
        case_id = ensure_open_case(store, pupil, officer, on=day)
    document = stored.insert_document(
        store,
        case_id=case_id,
        kind=kind,
        file_name=file_name,
        sha256=sha256,
        size=size,
        document_date=document_date,
        description=description,
        officer=officer,
        on=day,
    )
    record_audit(
        store,
        officer=officer,
        action="attach_document",
        entity="document",
        entity_id=document.id,
        upn=pupil.upn,
        detail={
            "kind": kind,
            "file_name": file_name,
            "sha256": sha256,
            "bytes": size,
            "happened_on": day,
        },
    )
    return document


def list_documents(database: Store, *, upn: str, store: Path) -> list[DocumentRecord]:
    pupil = find_pupil(database, upn)
    return [_record(d, store) for d in stored.documents_of_pupil(database, pupil.id)]
