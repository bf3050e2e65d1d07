"""Subject access (UK GDPR art. 15): everything att holds about a child or a parent.

A child's report (``--upn``) holds every row ``store.privacy.walk`` finds from the pupil (the
pupil record, enrolments with their schools, each year's marks session by session and its
attendance figures, mark changes, contacts, cases, actions, leads, notes, documents, penalty
notices, letters), the meetings their actions were agreed at, and the audit entries about
them. A parent's report (``--parent NAME`` or a contact id) holds their contact rows, the
children they are a contact of, the penalty notices issued to them, the letters addressed to
them (and the documents those letters are filed as), the notes and actions of those children's
cases that name them, and the audit entries about those notices, letters and documents.

Third parties are redacted in every text value (names as people write them,
``referrals.names``): other children (any pupil in the database but the child, siblings
included; for a parent, any pupil who is not their child) become ``[another child]``; other
parents (a child's contacts other than the requester, when a parent asks) become
``[another parent]`` and their contact rows keep only the relationship. A child's own report
keeps their contacts (they are the child's record); when a parent asks for the child's record
on the child's behalf, ``requester`` names that parent and the other parents are redacted.

The report is the same data twice: JSON (stable keys, below) and a PDF for people
(``privacy.pdf``). Files are written private (0600), never over an existing file without
``force`` (``files.output_file``), and the disclosure is audited (``subject_access``: who, when,
which records, the files' SHA-256s; no personal data in the entry).

JSON keys: ``subject`` (kind, upn, name, contact_ids, requester), ``generated_at``,
``officer``, ``att_version``, ``redaction`` (placeholders, count), ``records`` with one list per
record type in ``SECTIONS`` (empty when there is none) and ``other`` (rows of tables a later
release adds, by table), each row keyed by its column names; ``documents`` also say where the
stored file is and (``with_documents``) the copy's name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attendance_cli import __version__
from attendance_cli.errors import InvalidInputError, NotFoundError, UsageError
from attendance_cli.referrals.names import PersonName, fold, redact_names

if TYPE_CHECKING:
    from attendance_cli.store.connection import Store
    from attendance_cli.store.privacy import HeldData, HeldRow

ANOTHER_CHILD = "[another child]"
ANOTHER_PARENT = "[another parent]"
WITHHELD = "[withheld: another parent]"
CHILD, PARENT = "child", "parent"
ACCESS_ACTION = "subject_access"
JSON_NAME, PDF_NAME, DOCUMENTS_FOLDER = "subject-access.json", "subject-access.pdf", "documents"

# record type -> the table its rows come from (the report's sections, in this order)
SECTIONS: dict[str, str | None] = {
    "pupil": "pupil",
    "enrolments": "enrolment",
    "attendance": None,  # figures per enrolment and academic year, from the marks
    "marks": "mark_year",
    "mark_changes": "mark_change",
    "contacts": "contact",
    "children": None,  # a parent's report: the children they are a contact of
    "cases": "pupil_case",
    "actions": "case_action",
    "leads": "lead_practitioner",
    "notes": "case_note",
    "meetings": "meeting",
    "documents": "case_document",
    "penalty_notices": "penalty_notice",
    "letters": "letter",
    "audit_entries": "audit_log",
}
_TABLE_SECTION = {table: name for name, table in SECTIONS.items() if table}
_CONTACT_PRIVATE = ("name", "address", "phone", "email")
# a contact correction's values and key (the contact's name) are that contact's data
_CORRECTION_PRIVATE = ("contact_key", "school_value", "value", "reason")


def _corrections_of(rows: Sequence[HeldRow], name: str) -> list[HeldRow]:
    """The contact corrections (``privacy.rectify``) of the contact now called ``name``: keyed
    by that name, or by the school's name of a contact whose name was corrected to it."""
    from attendance_cli.cases.penalty_rules import parent_key

    key = parent_key(name)
    keys = {key} | {
        str(r.values["contact_key"])
        for r in rows
        if r.values["field"] == "name" and parent_key(str(r.values["value"] or "")) == key
    }
    return [r for r in rows if r.values["contact_key"] in keys]


@dataclass
class AccessReport:
    """A subject access report, already redacted, as JSON-ready values."""

    subject: dict[str, Any]
    generated_at: dt.datetime
    officer: str
    records: dict[str, list[dict[str, Any]]]
    other: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    redactions: int = 0
    stored_files: dict[int, Path] = field(default_factory=dict)  # document id -> stored file

    def as_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "generated_at": self.generated_at.isoformat(),
            "officer": self.officer,
            "att_version": __version__,
            "redaction": {
                "another_child": ANOTHER_CHILD,
                "another_parent": ANOTHER_PARENT,
                "count": self.redactions,
            },
            "records": self.records,
            "other": self.other,
        }

    def counts(self) -> dict[str, int]:
        counts = {name: len(rows) for name, rows in self.records.items()}
        counts.update({f"other:{t}": len(rows) for t, rows in self.other.items()})
        return counts


# ---------------------------------------------------------------------------- values


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


class _Redactor:
    """Replaces third parties' names in every text value, and counts what it replaced."""

    def __init__(self, children: Sequence[PersonName], parents: Sequence[PersonName]) -> None:
        self.groups = [(ANOTHER_CHILD, list(children)), (ANOTHER_PARENT, list(parents))]
        self.count = 0

    def text(self, value: str) -> str:
        out = value
        for placeholder, people in self.groups:
            if people:
                out = redact_names(out, people, placeholder=placeholder) or out
        if out != value:
            self.count += sum(out.count(p) - value.count(p) for p, _ in self.groups)
        return out

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            if value[:1] in "[{":  # JSON text (an audit entry's detail, a meeting's attendees)
                try:
                    parsed = json.loads(value)
                except ValueError:
                    return self.text(value)
                return json.dumps(self.value(parsed), ensure_ascii=False, sort_keys=True)
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def row(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {k: self.value(_plain(v)) for k, v in values.items()}


def _person(forename: str | None, surname: str | None, written: str | None) -> PersonName | None:
    if forename and surname:
        middle_and_first = forename.split()
        return PersonName(
            forename=middle_and_first[0],
            surname=surname.split()[-1],
            middle=tuple(middle_and_first[1:]),
        )
    return PersonName.parse(written or "")


def _words(texts: Iterable[str]) -> set[str]:
    words: set[str] = set()
    for text in texts:
        words.update(re.findall(r"[^\W\d_]+", fold(text)[0]))
    return words


def _strings(rows: Iterable[HeldRow]) -> list[str]:
    return [v for row in rows for v in row.values.values() if isinstance(v, str)]


def _other_children(
    store: Store, texts: list[str], exclude: set[int], keep: Sequence[PersonName]
) -> list[PersonName]:
    """Pupils other than ``exclude`` whose surname is a word of ``texts``, or begins or ends a
    joined one ("IslaMarsden"), never a name in ``keep``: a cheap first pass (a dictionary
    look-up per word and split point, whatever the number of pupils); ``redact_names`` then
    matches whole names only."""
    from attendance_cli.store import privacy as stored

    kept = {(fold(p.forename)[0], fold(p.surname)[0]) for p in keep}
    by_surname: dict[str, dict[tuple[str, str], PersonName]] = {}
    for record in stored.all_pupil_names(store):
        if record.pupil_id in exclude:
            continue
        person = _person(record.forename, record.surname, record.name)
        if person is None:
            continue
        folded = (fold(person.forename)[0], fold(person.surname)[0])
        if folded[1] and folded not in kept:
            by_surname.setdefault(folded[1], {}).setdefault(folded, person)
    found: dict[tuple[str, str], PersonName] = {}
    for word in _words(texts):
        parts = [word, *(piece for i in range(2, len(word) - 1) for piece in (word[:i], word[i:]))]
        for part in parts:
            found.update(by_surname.get(part, {}))
    return list(found.values())


# ------------------------------------------------------------------------- sections


def _marks_sessions(marks: str, year: int) -> list[dict[str, Any]]:
    from attendance_cli.codes import NO_MARK, describe_stored
    from attendance_cli.marks import SESSION_NAMES, date_at

    sessions = []
    for pos, char in enumerate(marks):
        if char == NO_MARK:
            continue
        day, session = date_at(year, pos)
        code, meaning, _category = describe_stored(char, day)
        sessions.append(
            {
                "date": day.isoformat(),
                "session": SESSION_NAMES[session],
                "code": code,
                "meaning": meaning,
            }
        )
    return sessions


def _attendance(row: HeldRow) -> dict[str, Any]:
    from attendance_cli.analysis.figures import count_sessions
    from attendance_cli.marks import year_end, year_start

    year = int(row.values["academic_year"])
    figures = count_sessions(
        marks={year: row.values["marks"]}, start=year_start(year), end=year_end(year)
    )
    values = {f.name: _plain(getattr(figures, f.name)) for f in dataclasses.fields(figures)}
    return {"enrolment_id": row.values["enrolment_id"], "academic_year": year, **values}


def _sections(
    data: HeldData,
    context: HeldData,
    audit: list[HeldRow],
    redactor: _Redactor,
    *,
    hidden_contacts: set[int],
    documents: Path,
    hidden_corrections: set[int] | None = None,
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]], dict[int, Path]]:
    records: dict[str, list[dict[str, Any]]] = {name: [] for name in SECTIONS}
    other: dict[str, list[dict[str, Any]]] = {}
    schools = {r.values["id"]: r.values for r in context.of("school")}
    enrolment_school = {r.values["id"]: r.values["school_id"] for r in data.of("enrolment")}
    stored_files: dict[int, Path] = {}
    for table, rows in data.rows.items():
        section = _TABLE_SECTION.get(table)
        for row in rows:
            values = redactor.row(row.values)
            if table == "enrolment":
                school = schools.get(row.values["school_id"], {})
                values["school_name"] = redactor.value(school.get("name"))
                values["laestab"] = school.get("laestab")
            elif table == "mark_year":
                year = int(row.values["academic_year"])
                values = {
                    "enrolment_id": row.values["enrolment_id"],
                    "academic_year": year,
                    "laestab": schools.get(
                        enrolment_school.get(row.values["enrolment_id"]), {}
                    ).get("laestab"),
                    "sessions": _marks_sessions(row.values["marks"], year),
                }
                records["attendance"].append(_attendance(row))
            elif table == "contact" and row.values["id"] in hidden_contacts:
                values = {
                    k: (WITHHELD if k in _CONTACT_PRIVATE and v is not None else v)
                    for k, v in values.items()
                }
            elif table == "contact_correction" and row.values["id"] in (hidden_corrections or ()):
                values = {
                    k: (WITHHELD if k in _CORRECTION_PRIVATE and v is not None else v)
                    for k, v in values.items()
                }
            elif table == "case_document":
                path = documents / str(row.values["sha256"])
                stored_files[int(row.values["id"])] = path
                values["stored"] = path.is_file()
            if section is None:
                other.setdefault(table, []).append(values)
            else:
                records[section].append(values)
    for row in context.of("meeting"):
        records["meetings"].append(redactor.row(row.values))
    from attendance_cli.cases.audit import ERASED

    for row in audit:  # an entry whose personal part was erased shows "[erased]"
        shown: Mapping[str, Any] = row.values
        if shown.get("detail") is None:
            shown = {**shown, "detail": ERASED}
        records["audit_entries"].append(redactor.row(shown))
    return records, other, stored_files


# --------------------------------------------------------------------------- gather


def _pupil_name(values: Mapping[str, Any]) -> str:
    name = " ".join(filter(None, [values.get("forename"), values.get("surname")]))
    return name or str(values.get("name_as_written") or "")


def child_access(
    store: Store,
    *,
    upn: str,
    documents: Path,
    officer: str,
    requester: str | None = None,
    now: dt.datetime | None = None,
) -> AccessReport:
    """A child's report. ``requester``: the parent (name or contact id) asking on the child's
    behalf; the child's other contacts are then redacted as other parents."""
    from attendance_cli.store import privacy as stored
    from attendance_cli.store.registers import find_pupil

    pupil = find_pupil(store, upn)
    data = stored.pupil_rows(store, pupil.id)
    context = stored.context_rows(store, data)
    audit = stored.audit_rows(store, [pupil.upn])
    contacts = data.of("contact")
    hidden: set[int] = set()
    requester_row: HeldRow | None = None
    hidden_corrections: set[int] = set()
    if requester is not None:
        requester_row = _requester(contacts, requester)
        hidden = {int(c.values["id"]) for c in contacts if c is not requester_row}
        # the other parents' corrected fields (privacy.rectify) are theirs too
        mine = _corrections_of(data.of("contact_correction"), str(requester_row.values["name"]))
        hidden_corrections = {
            int(r.values["id"]) for r in data.of("contact_correction") if r not in mine
        }
    subject_values = data.of("pupil")[0].values
    me = _person(
        subject_values.get("forename"),
        subject_values.get("surname"),
        subject_values.get("name_as_written"),
    )
    other_parents = [
        p
        for c in contacts
        if int(c.values["id"]) in hidden
        if (p := PersonName.parse(str(c.values["name"])))
    ]
    texts = _strings(r for rows in data.rows.values() for r in rows) + _strings(audit)
    children = _other_children(store, texts, {pupil.id}, [me] if me else [])
    redactor = _Redactor(children, other_parents)
    records, other, files = _sections(
        data,
        context,
        audit,
        redactor,
        hidden_contacts=hidden,
        documents=documents,
        hidden_corrections=hidden_corrections,
    )
    subject: dict[str, Any] = {
        "kind": CHILD,
        "upn": pupil.upn,
        "name": _pupil_name(subject_values),
        "contact_ids": [],
        "requester": (
            {"contact_id": requester_row.values["id"], "name": requester_row.values["name"]}
            if requester_row is not None
            else None
        ),
    }
    return AccessReport(
        subject, now or dt.datetime.now(dt.UTC), officer, records, other, redactor.count, files
    )


def _requester(contacts: Sequence[HeldRow], requester: str) -> HeldRow:
    from attendance_cli.cases.penalty_rules import parent_key

    text = requester.strip()
    if text.isdigit():
        found = [c for c in contacts if c.values["id"] == int(text)]
    else:
        found = [c for c in contacts if parent_key(str(c.values["name"])) == parent_key(text)]
    if len(found) != 1:
        names = ", ".join(
            f"{c.values['id']} ({c.values['relationship'] or 'contact'})" for c in contacts
        )
        raise NotFoundError(
            f"{requester!r} is not one of this child's contacts"
            if not found
            else f"{requester!r} names {len(found)} of this child's contacts",
            hint=f"Give the contact's id with --requester: {names or 'the child has no contacts'}.",
        )
    return found[0]


def find_parent(store: Store, parent: str) -> list[HeldRow]:
    """The contact rows of one parent: a contact id, or a name (every contact of that name,
    spacing, case and a title aside, at one address; several addresses need the id)."""
    from attendance_cli.cases.penalty_rules import parent_key
    from attendance_cli.store import privacy as stored

    text = parent.strip()
    if not text:
        raise UsageError(
            "--parent needs a name or a contact id", hint='e.g. --parent "Claire Marsden".'
        )
    if text.isdigit():
        rows = stored.contacts_named(store, [int(text)])
        if not rows:
            raise NotFoundError(
                f"No contact {text}", hint="Contact ids are in att privacy access --upn UPN."
            )
        return rows
    key = parent_key(text)
    last = key.split()[-1] if key else ""
    word = last if last.isascii() else ""
    rows = [
        r
        for r in stored.contacts_named(store, word=word)
        if parent_key(str(r.values["name"])) == key
    ]
    if not rows:
        raise NotFoundError(
            f"No parent or carer named {parent!r}",
            hint="Check the spelling (att pupil show UPN lists a child's contacts), or give the contact id.",
        )
    addresses = {" ".join(str(r.values.get("address") or "").lower().split()) for r in rows}
    if len(addresses) > 1:
        ids = ", ".join(str(r.values["id"]) for r in rows)
        raise InvalidInputError(
            f"{len(rows)} contacts named {parent!r} live at {len(addresses)} different addresses: "
            "att cannot tell whether they are one person",
            hint=f"Give one contact id with --parent (one of {ids}), and run it once per id that is this person.",
        )
    return rows


def parent_access(
    store: Store, *, parent: str, documents: Path, officer: str, now: dt.datetime | None = None
) -> AccessReport:
    """A parent's report (module docstring)."""
    from attendance_cli.cases.penalty_rules import parent_key
    from attendance_cli.store import privacy as stored
    from attendance_cli.store.privacy import HeldData

    mine = find_parent(store, parent)
    key = parent_key(str(mine[0].values["name"]))
    me = PersonName.parse(str(mine[0].values["name"]))
    child_ids = sorted({int(r.values["pupil_id"]) for r in mine})
    mine_ids = {int(r.values["id"]) for r in mine}
    others = [
        r
        for r in stored.contacts_of_pupils(store, child_ids)
        if int(r.values["id"]) not in mine_ids
    ]
    other_parents = [
        p
        for r in others
        if (p := PersonName.parse(str(r.values["name"])))
        and parent_key(str(r.values["name"])) != key
    ]
    pupils = stored.pupils_by_id(store, child_ids)
    notices = [
        r
        for r in stored.penalty_notices_to(store, child_ids)
        if parent_key(str(r.values["parent_name"])) == key
    ]
    letters = [
        r
        for r in stored.letters_of_pupils(store, child_ids)
        if r.values.get("addressee_key") == key or parent_key(str(r.values["addressee"])) == key
    ]
    document_ids = [int(r.values["document_id"]) for r in letters if r.values.get("document_id")]
    named: dict[str, list[HeldRow]] = {"case_note": [], "case_action": [], "case_document": []}
    if me is not None:
        for pupil_id in child_ids:
            held = stored.pupil_rows(store, pupil_id)
            for table in named:
                for row in held.of(table):
                    text = " ".join(v for v in row.values.values() if isinstance(v, str))
                    if redact_names(text, [me], placeholder="\0") != text:
                        named[table].append(row)
    # the documents filed as their letters, and those whose name or description names them
    documents_rows = {
        r.key: r
        for r in [*stored.documents_by_id(store, document_ids), *named.pop("case_document")]
    }.values()
    document_ids = sorted({int(r.values["id"]) for r in documents_rows})
    audit = (
        stored.audit_rows_about(store, "penalty_notice", [int(r.values["id"]) for r in notices])
        + stored.audit_rows_about(store, "letter", [int(r.values["id"]) for r in letters])
        + stored.audit_rows_about(store, "document", document_ids)
        + stored.audit_rows_about(store, "contact", sorted(mine_ids))
    )
    audit = sorted({r.key: r for r in audit}.values(), key=lambda r: r.key)
    corrections = [
        r
        for pupil_id in child_ids
        for r in _corrections_of(
            stored.corrections_of_pupils(store, [pupil_id]), str(mine[0].values["name"])
        )
    ]
    data = HeldData()
    for table, rows in (
        ("contact", mine),
        ("contact_correction", corrections),
        ("case_action", named["case_action"]),
        ("case_note", named["case_note"]),
        ("case_document", list(documents_rows)),
        ("penalty_notice", notices),
        ("letter", letters),
    ):
        if rows:
            data.rows[table] = sorted(rows, key=lambda r: r.key)
    texts = _strings(r for rows in data.rows.values() for r in rows) + _strings(audit)
    children = _other_children(store, texts, set(child_ids), [me] if me else [])
    redactor = _Redactor(children, other_parents)
    records, other, files = _sections(
        data, HeldData(), audit, redactor, hidden_contacts=set(), documents=documents
    )
    relationship = {int(r.values["pupil_id"]): r.values.get("relationship") for r in mine}
    records["children"] = [
        {
            "upn": p.values["upn"],
            "name": redactor.value(_pupil_name(p.values)),
            "date_of_birth": _plain(p.values.get("date_of_birth")),
            "relationship": relationship.get(int(p.values["id"])),
        }
        for p in pupils
    ]
    subject: dict[str, Any] = {
        "kind": PARENT,
        "upn": None,
        "name": mine[0].values["name"],
        "contact_ids": sorted(mine_ids),
        "requester": None,
    }
    return AccessReport(
        subject, now or dt.datetime.now(dt.UTC), officer, records, other, redactor.count, files
    )


# ---------------------------------------------------------------------------- write


@dataclass(frozen=True)
class AccessFiles:
    json: Path | None
    pdf: Path | None
    documents: list[Path]
    json_sha256: str | None
    pdf_sha256: str | None
    audit_id: int
    mismatched_documents: list[int]  # stored copies whose bytes are not their SHA-256


def _document_name(values: Mapping[str, Any]) -> str:
    suffix = Path(str(values.get("file_name") or "")).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        suffix = ""
    return f"DOC{values['id']}{suffix}"


def release_report(
    store: Store,
    report: AccessReport,
    *,
    out: Path | None,
    force: bool = False,
    with_documents: bool = False,
) -> AccessFiles:
    """Write the report's JSON and PDF into ``out`` (and, ``with_documents``, copies of the
    documents into ``out/documents``), then record the disclosure in the audit log. With no
    ``out`` nothing is written but the audit entry (the report was shown on screen).

    Order: every file is written to a private partial file and synced; the audit entry is
    committed; then the files are moved to their names. A failure before the commit leaves no
    file and no entry; a kill after it leaves the entry (the disclosure is recorded even if a
    file did not arrive) and no partial file once att next writes in that folder."""
    from attendance_cli.cases.audit import record_audit
    from attendance_cli.files import PartialFile, check_output_path
    from attendance_cli.store import transaction

    if with_documents and out is None:
        raise UsageError(
            "--with-documents needs --out FOLDER", hint="Say where to copy the documents."
        )
    json_bytes = (json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    partials: list[PartialFile] = []
    targets: list[Path] = []
    copied: list[Path] = []
    mismatched: list[int] = []
    pdf_sha = json_sha = None
    try:
        if out is not None:
            out = Path(out)
            if out.exists() and not out.is_dir():
                raise InvalidInputError(
                    f"{out} is a file", hint="--out names a folder for the report."
                )
            out.mkdir(mode=0o700, parents=False, exist_ok=True)
            from attendance_cli.privacy.pdf import access_pdf

            pdf_bytes = access_pdf(report)
            files: list[tuple[Path, bytes | Path]] = [
                (out / JSON_NAME, json_bytes),
                (out / PDF_NAME, pdf_bytes),
            ]
            if with_documents and report.stored_files:
                folder = out / DOCUMENTS_FOLDER
                folder.mkdir(mode=0o700, exist_ok=True)
                by_id = {int(r["id"]): r for r in report.records["documents"]}
                for doc_id, source in sorted(report.stored_files.items()):
                    if source.is_file():
                        files.append((folder / _document_name(by_id[doc_id]), source))
            for target, _ in files:
                check_output_path(target, force=force)
            for target, content in files:
                partial = PartialFile(target, force=force)
                partials.append(partial)
                digest = hashlib.sha256()
                if isinstance(content, bytes):
                    digest.update(content)
                    with open(partial.fd, "wb", closefd=False) as handle:
                        handle.write(content)
                else:
                    with open(partial.fd, "wb", closefd=False) as handle, content.open("rb") as src:
                        while chunk := src.read(1024 * 1024):
                            digest.update(chunk)
                            handle.write(chunk)
                    if digest.hexdigest() != content.name:
                        mismatched.append(int(target.stem[3:]))
                targets.append(target)
                if target.name == JSON_NAME:
                    json_sha = digest.hexdigest()
                elif target.name == PDF_NAME:
                    pdf_sha = digest.hexdigest()
        subject = report.subject
        detail = {
            "requester": subject["kind"],
            "on_behalf_of_child": subject.get("requester") is not None,
            "released": report.counts(),
            "redacted": report.redactions,
            "output": "folder" if out is not None else "screen",
            "json_sha256": json_sha or hashlib.sha256(json_bytes).hexdigest(),
            "pdf_sha256": pdf_sha,
            "documents_copied": len(targets) - 2 if out is not None else 0,
        }
        with transaction(store):
            if subject["kind"] == CHILD:
                pupil_id = report.records["pupil"][0]["id"]
                audit_id = record_audit(
                    store,
                    officer=report.officer,
                    action=ACCESS_ACTION,
                    entity="pupil",
                    entity_id=int(pupil_id),
                    upn=subject["upn"],
                    detail=detail,
                )
            else:
                audit_id = record_audit(
                    store,
                    officer=report.officer,
                    action=ACCESS_ACTION,
                    entity="contact",
                    entity_id=int(subject["contact_ids"][0]),
                    upn=None,
                    detail={**detail, "contact_ids": subject["contact_ids"]},
                )
        for partial in partials:
            partial.commit()
            if partial.target.parent.name == DOCUMENTS_FOLDER:
                copied.append(partial.target)
    finally:
        for partial in partials:
            partial.discard()
            partial.close()
    return AccessFiles(
        json=out / JSON_NAME if out is not None else None,
        pdf=out / PDF_NAME if out is not None else None,
        documents=copied,
        json_sha256=detail["json_sha256"],  # type: ignore[arg-type]
        pdf_sha256=pdf_sha,
        audit_id=audit_id,
        mismatched_documents=mismatched,
    )
