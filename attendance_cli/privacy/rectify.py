"""Rectification of a contact (UK GDPR art. 16): a correction that roster imports respect.

A school's roster is the authority for its pupils' parents and carers: each import replaces a
pupil's contacts with the file's (``registers.roster``). When an officer learns that a contact's
name, relationship, parental responsibility, address, phone or e-mail is wrong,
``correct_contact`` writes the corrected value into the contact row and keeps a
``contact_correction`` row: the field, the value it replaced (the school's), the corrected
value, the reason, who and when. Both are in one transaction with an audit entry that commits
to the correction row (``cases.audited_tables``) and records the SHA-256 of the old and new
values, as ``att case note correct`` does for a note.

**How a contact is identified across imports.** A contact row's id does not survive an import
(a pupil's contacts are replaced wholesale) and a roster has no contact identifier, only
numbered columns (``Contact1Name``, ``Contact2Address`` ...) whose order the school may change.
So a correction is keyed by the pupil (their UPN: the same pupil row) and the contact's name as
the school's file writes it, compared as penalty notices compare parents' names
(``cases.penalty_rules.parent_key``: case, spacing, punctuation and a title ignored). A
correction of the name itself keeps the school's name as its key; the other fields of that
contact keep the same key.

**On the next roster import** (``apply_corrections``), for each pupil with corrections in force
and contacts in the file: a file contact whose name has the key (or, once the school has fixed
it, the corrected name) gets every corrected field back, and the import's notes say "kept N
corrected contact field(s); the school's file still says …" so that the officer can ask the
school to correct its MIS. A field on which the file now agrees with the correction (the same
text) retires that correction, quietly: no note, an audit entry, the row kept with
``retired_at``. When the school fixes a corrected name, the contact's other corrections are
re-keyed to the new name. A correction of a contact the file no longer lists stays in force
for a later file that lists it again. Letters, penalty notices and subject access read the
contact row, so they use the corrected value; erasing the pupil erases the corrections (and
their tombstones are written as for every row).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from attendance_cli.cases.penalty_rules import parent_key
from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError, UsageError

if TYPE_CHECKING:
    from attendance_cli.store.connection import Store
    from attendance_cli.store.privacy import CorrectionRecord

ENTITY = "contact_correction"
CORRECT_ACTION = "correct_contact"
RETIRE_ACTION = "retire_contact_correction"
REKEY_ACTION = "rekey_contact_correction"
# the contact fields an officer may correct, in the order they are shown
FIELDS = ("name", "relationship", "parental_responsibility", "address", "phone", "email")
FLAG = "parental_responsibility"
NOTES_SHOWN = 10  # kept corrections named in an import's notes (the count is always complete)


def flag_text(value: bool | None) -> str | None:
    return None if value is None else ("Y" if value else "N")


def _flag_value(text: str | None) -> bool | None:
    return None if text is None else text == "Y"


def _text(value: Any) -> str | None:
    if isinstance(value, bool):
        return flag_text(value)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _sha256(text: str | None) -> str | None:
    import hashlib

    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ContactCorrectionResult:
    contact_id: int
    upn: str
    corrections: list[int]  # the new contact_correction ids, one per field changed
    fields: list[str]
    superseded: list[int]  # earlier corrections of the same fields, now retired


def parse_flag_value(text: str) -> bool:
    """``--parental-responsibility Y|N``."""
    key = text.strip().upper()
    if key in ("Y", "YES", "TRUE", "1"):
        return True
    if key in ("N", "NO", "FALSE", "0"):
        return False
    raise UsageError(f"{text!r} is not Y or N", hint="Write --parental-responsibility Y or N.")


def contact_key_of(corrections: Sequence[CorrectionRecord], name: str) -> str:
    """The key a contact now called ``name`` is corrected under: that of a name correction in
    force whose corrected value is ``name``, else the name itself (``parent_key``)."""
    for c in corrections:
        if c.field == "name" and c.value is not None and parent_key(c.value) == parent_key(name):
            return c.contact_key
    return parent_key(name)


def find_contact(store: Store, *, upn: str, contact: str) -> int:
    """The id of the pupil's contact named ``contact`` (as parents' names are compared) or with
    that id; refused with the pupil's contacts listed when none or several match."""
    from attendance_cli.store import privacy as stored
    from attendance_cli.store.registers import find_pupil

    pupil = find_pupil(store, upn)
    rows = stored.contacts_of_pupils(store, [pupil.id])
    text = contact.strip()
    if text.isdigit():
        found = [r for r in rows if int(r.values["id"]) == int(text)]
    else:
        found = [r for r in rows if parent_key(str(r.values["name"])) == parent_key(text)]
    if len(found) == 1:
        return int(found[0].values["id"])
    listed = ", ".join(
        f"{r.values['id']} {r.values['name']} ({r.values['relationship'] or 'contact'})"
        for r in rows
    )
    raise NotFoundError(
        f"{contact!r} is not one of {pupil.upn}'s contacts"
        if not found
        else f"{contact!r} names {len(found)} of {pupil.upn}'s contacts",
        hint=f"Give --contact with one of: {listed or 'the pupil has no contacts'}.",
    )


def correct_contact(
    store: Store, *, contact_id: int, changes: Mapping[str, Any], reason: str, officer: str
) -> ContactCorrectionResult:
    """Correct fields of one contact (``changes``: field -> new value; a flag is a bool, an
    empty text clears an optional field). Refused if a field already holds that value."""
    from attendance_cli.cases.audit import record_audit
    from attendance_cli.store import LOCK_AUDIT_CHAIN, LOCK_REGISTERS, writing
    from attendance_cli.store import privacy as stored

    why = (reason or "").strip()
    if not why:
        raise UsageError(
            "Say why with --reason", hint='e.g. --reason "mother phoned: new address".'
        )
    if not changes:
        raise UsageError(
            "Nothing to correct",
            hint="Give one or more of --name, --relationship, --parental-responsibility, "
            "--address, --phone, --email.",
        )
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise UsageError(
            f"Not a contact field: {', '.join(unknown)}", hint=f"Fields: {', '.join(FIELDS)}."
        )
    # LOCK_REGISTERS: it writes a contact row, which a roster import (holding that lock alone
    # on PostgreSQL) reads corrections for and rewrites; without it a correction made during an
    # import would be overwritten by the school's value (store.transactions)
    with writing(store, LOCK_AUDIT_CHAIN, LOCK_REGISTERS):
        contact = stored.get_contact(store, contact_id)
        if contact is None:
            raise NotFoundError(
                f"No contact with id {contact_id}",
                hint="Contact ids are in att pupil show UPN --format json or att privacy access.",
            )
        in_force = stored.contact_corrections(store, pupil_ids=[contact.pupil_id])
        key = contact_key_of(in_force, contact.name)
        new: list[int] = []
        superseded: list[int] = []
        done: list[str] = []
        for name in FIELDS:
            if name not in changes:
                continue
            old_value = getattr(contact, name)
            value = changes[name]
            if name == FLAG:
                if not isinstance(value, bool):
                    raise UsageError("--parental-responsibility is Y or N", hint="e.g. Y.")
            else:
                value = _text(value)
                if name == "name" and value is None:
                    raise InvalidInputError(
                        "A contact's name cannot be blank", hint="Give --name NAME."
                    )
            if value == old_value:
                raise RefusedError(
                    f"Contact {contact_id}'s {name.replace('_', ' ')} already says that",
                    hint="Give the corrected value.",
                )
            earlier = [c for c in in_force if c.contact_key == key and c.field == name]
            # the school's value stays what the school's file said before any correction
            school_value = earlier[0].school_value if earlier else _text(old_value)
            for c in earlier:
                stored.retire_contact_correction(store, c.id, by=officer)
                superseded.append(c.id)
                record_audit(
                    store, officer=officer, action=RETIRE_ACTION, entity=ENTITY, entity_id=c.id,
                    upn=contact.upn, detail={"why": "superseded"},
                )  # fmt: skip
            stored.set_contact_field(store, contact_id, name, value)
            correction_id = stored.add_contact_correction(
                store, pupil_id=contact.pupil_id, contact_key=key, field=name,
                school_value=school_value, value=_text(value), reason=why, officer=officer,
            )  # fmt: skip
            record_audit(
                store,
                officer=officer,
                action=CORRECT_ACTION,
                entity=ENTITY,
                entity_id=correction_id,
                upn=contact.upn,
                detail={
                    "contact_id": contact_id,
                    "field": name,
                    "old_sha256": _sha256(_text(old_value)),
                    "new_sha256": _sha256(_text(value)),
                    "reason": why,
                },
            )
            new.append(correction_id)
            done.append(name)
    return ContactCorrectionResult(contact_id, contact.upn, new, done, superseded)


def list_corrections(
    store: Store, *, upn: str | None = None, include_retired: bool = False
) -> list[CorrectionRecord]:
    from attendance_cli.store import privacy as stored
    from attendance_cli.store.registers import find_pupil

    pupil_ids = [find_pupil(store, upn).id] if upn else None
    return stored.contact_corrections(store, pupil_ids=pupil_ids, in_force_only=not include_retired)


# ------------------------------------------------------------------------ roster imports


@dataclass(frozen=True)
class KeptCorrection:
    """A corrected field a roster import did not overwrite: what the school's file says."""

    correction_id: int
    upn: str
    contact: str  # the contact's name as corrected
    field: str
    file_value: str | None
    value: str | None


@dataclass
class CorrectionOutcome:
    kept: list[KeptCorrection] = field(default_factory=list)
    retired: list[CorrectionRecord] = field(default_factory=list)  # the file agrees
    rekeyed: list[tuple[CorrectionRecord, str]] = field(default_factory=list)  # (row, new key)


def apply_corrections(
    contacts_by_upn: dict[str, list[dict[str, Any]]],
    corrections: Sequence[CorrectionRecord],
) -> CorrectionOutcome:
    """Put the corrections in force back into the file's contacts (``contacts_by_upn`` is
    changed in place) and say which were kept and which the file now agrees with (module
    docstring). Pure: the caller writes the outcome."""
    outcome = CorrectionOutcome()
    groups: dict[tuple[str, str], list[CorrectionRecord]] = {}
    for c in corrections:
        groups.setdefault((c.upn, c.contact_key), []).append(c)
    for (upn, key), group in sorted(groups.items()):
        contacts = contacts_by_upn.get(upn)
        if not contacts:
            continue
        name_fix = next((c for c in group if c.field == "name"), None)
        keys = {key}
        if name_fix is not None and name_fix.value is not None:
            keys.add(parent_key(name_fix.value))
        target = next((c for c in contacts if parent_key(str(c.get("name") or "")) in keys), None)
        if target is None:
            continue  # the file does not list this contact: the correction waits
        file_key = parent_key(str(target.get("name") or ""))
        kept: list[tuple[CorrectionRecord, str | None]] = []
        for c in group:
            file_value = _text(target.get(c.field))
            if file_value == c.value:
                outcome.retired.append(c)
                continue
            target[c.field] = _flag_value(c.value) if c.field == FLAG else c.value
            kept.append((c, file_value))
        shown = str(target.get("name") or "")
        outcome.kept += [
            KeptCorrection(c.id, upn, shown, c.field, file_value, c.value) for c, file_value in kept
        ]
        if file_key != key and name_fix is not None and name_fix in outcome.retired:
            outcome.rekeyed += [(c, file_key) for c in group if c not in outcome.retired]
    return outcome


def kept_note(kept: Sequence[KeptCorrection]) -> str | None:
    """The import's note for corrections it kept (None: none kept)."""
    from attendance_cli.text import plural

    if not kept:
        return None
    shown = "; ".join(
        f"{k.upn} {k.contact}: {k.field.replace('_', ' ')} "
        + (repr(k.file_value) if k.file_value is not None else "blank")
        + f" (corrected to {k.value!r})"
        for k in kept[:NOTES_SHOWN]
    )
    more = f"; and {len(kept) - NOTES_SHOWN} more" if len(kept) > NOTES_SHOWN else ""
    return (
        f"kept {plural(len(kept), 'corrected contact field')}; the school's file still says: "
        f"{shown}{more} (ask the school to correct its records; att privacy corrections lists them)"
    )


def record_outcome(store: Store, outcome: CorrectionOutcome, *, officer: str) -> None:
    """Retire and re-key corrections as an import found (inside the import's transaction),
    each with its audit entry."""
    from attendance_cli.cases.audit import record_audit
    from attendance_cli.store import privacy as stored

    for c in outcome.retired:
        stored.retire_contact_correction(store, c.id, by=officer)
        record_audit(
            store, officer=officer, action=RETIRE_ACTION, entity=ENTITY, entity_id=c.id,
            upn=c.upn, detail={"why": "the school's file agrees"},
        )  # fmt: skip
    for c, key in outcome.rekeyed:
        stored.rekey_contact_correction(store, c.id, key)
        record_audit(
            store, officer=officer, action=REKEY_ACTION, entity=ENTITY, entity_id=c.id,
            upn=c.upn, detail={"why": "the school's file names the contact as corrected"},
        )  # fmt: skip
