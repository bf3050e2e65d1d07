"""What goes into a legal referral bundle, read once and redacted once.

``gather_bundle_content`` reads everything the bundle shows (register extract, imports, mark
changes, the case documents as exhibits, chronology, actions, the readiness checklist) and
applies the sibling redaction here, once: a sibling's full name in free text (notes, actions,
document descriptions and file names, checklist findings) becomes ``[sibling]``, and the
check's "siblings" item (which names them) is left out. ``referrals.pdf`` only draws this and
``referrals.bundle`` only packs it, so neither redacts.

Exhibits are the case documents in the order listed, labelled ``EX1``, ``EX2`` ... or, for a
prosecution (whose witness statement produces them), with the witness's initials: ``JO/1``,
``JO/2`` (``docs/domain/prosecution-file.md``). The court copy (``copy="court"``) holds no
readiness checklist: it is the LA's internal assessment, kept in the legal team's copy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attendance_cli import __version__
from attendance_cli.errors import NotFoundError, RefusedError
from attendance_cli.referrals.check import CheckItem, ReferralCheck
from attendance_cli.referrals.evidence import (
    CaseFile,
    ImportRef,
    MarkChangeRow,
    RegisterSession,
    database_as_at,
    mark_changes,
    register_extract,
    register_imports,
)

if TYPE_CHECKING:
    from attendance_cli.store.cases import StoredDocument
    from attendance_cli.store.connection import Store

SIBLINGS_ITEM = "siblings"  # the check item naming the siblings: never in a bundle


@dataclass(frozen=True)
class Exhibit:
    id: int
    label: str  # EX1, EX2, ... or JO/1, JO/2 ... (a prosecution: the witness's initials)
    path: str  # inside the zip
    kind: str
    date: dt.date | None
    description: str | None
    file_name: str
    sha256: str
    bytes: int


@dataclass(frozen=True)
class BundleAction:
    """An action as the bundle shows it (free text redacted)."""

    id: int
    tier: str
    kind: str
    action: str | None
    owner: str | None
    agency: str | None
    agreed_on: dt.date
    status: str
    ended_on: dt.date | None
    outcome: str | None
    due: dt.date | None = None  # a penalty notice's: the last day to pay (from receipt)


@dataclass
class BundleContent:
    """Everything the PDF shows (already redacted)."""

    check: ReferralCheck
    case_file: CaseFile
    generated_at: dt.datetime
    officer: str
    forced: bool
    reason: str | None
    as_at: ImportRef | None
    extract: list[RegisterSession]
    changes: list[MarkChangeRow]
    imports: list[ImportRef]
    exhibits: list[Exhibit]
    chronology: list[Any]
    actions: list[BundleAction]
    checklist: list[CheckItem]  # the check's items, redacted, without the siblings item
    attachments: dict[str, bytes] = dataclasses.field(default_factory=dict)  # zip path -> bytes
    tool_version: str = __version__
    copy: str = "legal"  # legal (the LA's, with the checklist) or court (without it)
    statement: Any | None = None  # referrals.statement.WitnessStatement (prosecution)


def sanitise_name(name: str, *, limit: int = 80) -> str:
    """A file name safe inside the zip: no folders, ASCII letters, digits, ``.``, ``-``, ``_``."""
    base = re.split(r"[\\/]", name)[-1]
    plain = unicodedata.normalize("NFKD", base)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    plain = re.sub(r"[^A-Za-z0-9._-]+", "_", plain).strip("._-")
    if len(plain) > limit:
        stem, dot, suffix = plain.rpartition(".")
        if dot and 0 < len(suffix) <= 10:
            plain = stem[: limit - len(suffix) - 1].rstrip("._-") + "." + suffix
        else:
            plain = plain[:limit]
    return plain or "document"


def redact_siblings(text: str | None, siblings: list[str]) -> str | None:
    """Replace a sibling's name, however it is written (``referrals.names``: either order,
    initials, middle names, accents, joined or as in file names, invisible characters), with
    ``[sibling]``."""
    from attendance_cli.referrals.names import PersonName, redact_names

    return redact_names(text, [p for name in siblings if (p := PersonName.parse(name))])


def read_document(store: Path, document: StoredDocument) -> bytes:
    """A case document's bytes from the store, refused when they no longer match its SHA-256."""
    path = store / document.sha256
    if not path.is_file():
        raise NotFoundError(
            f"Document {document.id} ({document.file_name}) is missing from the document "
            f"store {store}",
            hint="Restore the document store from a backup, or attach the document again.",
        )
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise RefusedError(
            f"Document {document.id} ({document.file_name}) has changed since it was "
            "attached (its SHA-256 no longer matches): it cannot go into an evidence bundle",
            hint="Attach the original document again (att case attach).",
        )
    return data


def _redacted_checklist(check: ReferralCheck, siblings: list[str]) -> list[CheckItem]:
    return [
        dataclasses.replace(
            item,
            detail=redact_siblings(item.detail, siblings) or "",
            evidence=[
                dataclasses.replace(e, text=redact_siblings(e.text, siblings) or "")
                for e in item.evidence
            ],
        )
        for item in check.items
        if item.id != SIBLINGS_ITEM
    ]


def gather_bundle_content(
    db: Store,
    *,
    check: ReferralCheck,
    store: Path,
    generated_at: dt.datetime,
    officer: str,
    forced: bool,
    reason: str | None,
    exhibit_prefix: str | None = None,
    copy: str = "legal",
) -> BundleContent:
    """Read and redact everything the bundle holds for an already made readiness check;
    ``exhibit_prefix`` labels the exhibits ``PREFIX/1`` ... (else ``EX1`` ...); the court
    ``copy`` leaves out the checklist."""
    from attendance_cli.cases.chronology import action_date

    case_file = check.case_file
    siblings = case_file.siblings
    view = case_file.view
    extract = register_extract(case_file)
    imports = register_imports(db, case_file)

    attachments: dict[str, bytes] = {}
    exhibits: list[Exhibit] = []
    live = [d for d in view.documents if d.withdrawn_at is None]  # withdrawn: in no new bundle
    for number, document in enumerate(live, start=1):
        data = read_document(store, document)
        file_name = redact_siblings(document.file_name, siblings) or document.file_name
        path = f"attachments/{document.id}-{sanitise_name(file_name or 'document')}"
        attachments[path] = data
        exhibits.append(
            Exhibit(
                id=document.id,
                label=f"{exhibit_prefix}/{number}" if exhibit_prefix else f"EX{number}",
                path=path,
                kind=document.kind,
                date=document.document_date,
                description=redact_siblings(document.description, siblings),
                file_name=file_name,
                sha256=document.sha256,
                bytes=len(data),
            )
        )
    chronology = [
        dataclasses.replace(entry, summary=redact_siblings(entry.summary, siblings) or "")
        for entry in view.chronology
    ]
    meeting_dates = {m.id: m.date for m in view.meetings}
    actions = [
        BundleAction(
            id=a.id,
            tier=a.tier,
            kind=a.kind,
            action=redact_siblings(a.action, siblings),
            owner=a.owner,
            agency=a.agency,
            agreed_on=action_date(a, meeting_dates),
            status=a.status,
            ended_on=a.ended_on,
            outcome=redact_siblings(a.outcome, siblings),
            due=a.due,
        )
        for a in view.actions
    ]
    return BundleContent(
        check=check,
        case_file=case_file,
        generated_at=generated_at,
        officer=officer,
        forced=forced,
        reason=reason,
        as_at=database_as_at(imports, case_file.period),
        extract=extract,
        changes=mark_changes(db, case_file),
        imports=imports,
        exhibits=exhibits,
        chronology=chronology,
        actions=actions,
        checklist=_redacted_checklist(check, siblings) if copy != "court" else [],
        attachments=attachments,
        copy=copy,
    )
