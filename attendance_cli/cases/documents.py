"""Documents attached to a case: copied into the private store beside the database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from attendance_cli.cases import kinds
from attendance_cli.cases.audit import record_audit
from attendance_cli.cases.case import casework_day, ensure_open_case, find_pupil
from attendance_cli.errors import InvalidInputError
from attendance_cli.store import cases as stored
from attendance_cli.store import transaction
from attendance_cli.store.cases import StoredDocument
from attendance_cli.store.connection import Store
from attendance_cli.store.registers import Pupil

if TYPE_CHECKING:
    from attendance_cli.store.database import Database


@dataclass(frozen=True)
class DocumentRecord(StoredDocument):
    """A case document with where its bytes are: the document store, named by SHA-256."""

    stored_path: str = ""


def _record(document: StoredDocument, store_folder: Path) -> DocumentRecord:
    values = {f.name: getattr(document, f.name) for f in dataclasses.fields(StoredDocument)}
    return DocumentRecord(**values, stored_path=str(store_folder / document.sha256))


def attach_document(
    db: Database,
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
    received or sent on ``on`` (default today). The store never uses the file's own name on
    disk, so names cannot escape the folder."""
    database = Store.of(db)
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
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    sha256 = digest.hexdigest()
    store.mkdir(mode=0o700, parents=True, exist_ok=True)
    if store.stat().st_mode & 0o077:  # an older or hand-made folder: children's documents
        store.chmod(0o700)
    target = store / sha256
    if not target.exists():  # files.PartialFile: removed on failure, swept after a kill
        from attendance_cli.files import output_file

        with output_file(target, force=True) as partial:
            with open(partial.path, "wb") as out, file.open("rb") as source:
                shutil.copyfileobj(source, out)
            partial.commit()
    size = target.stat().st_size
    with transaction(database):
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
    return _record(document, store)


def file_document(
    db: Database,
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
) -> StoredDocument:
    """Record a document already in the store on the pupil's open case (opened if none is)
    with its ``attach_document`` audit entry, inside the caller's transaction: what
    ``attach_document`` and a filed letter (``letters``) both record."""
    store = Store.of(db)
    day = on or dt.date.today()
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


def list_documents(db: Database, *, upn: str, store: Path) -> list[DocumentRecord]:
    database = Store.of(db)
    pupil = find_pupil(database, upn)
    return [_record(d, store) for d in stored.documents_of_pupil(database, pupil.id)]
