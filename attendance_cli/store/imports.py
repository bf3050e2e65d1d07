"""The registers aggregate, write side: what ``att import`` writes (schools, pupils,
enrolments, mark strings, rosters and their contacts, the import log and replaced marks) and
the reads it makes while writing.

All functions run inside the caller's transaction (``registers.importer`` opens one per file)
and use the tables defined in ``db.models`` through raw sqlite3 on the store's connection
(``executemany`` for the bulk rows): the import is a hot path measured by
``bench/bench_import.py`` on the 120-school LA (18.7M marks; targets grid CSVs <= 10 s, long
CSVs <= 20 s). Core statements would add the SQLAlchemy and models import (0.27 s) and, per
``executemany`` row, SQLAlchemy's parameter processing, for statements that compile to the same
SQL. Moved here unchanged from ``registers/store.py`` and ``registers/roster.py`` (issue 11).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from attendance_cli import codes, marks
from attendance_cli.store.chunking import CHUNK_SIZE, chunked
from attendance_cli.store.connection import Store
from attendance_cli.store.conversions import now_text

if TYPE_CHECKING:
    from attendance_cli.registers.roster import RosterRow

# one chunk size and one timestamp form, the store's (store.chunking, store.conversions)
CHUNK = CHUNK_SIZE
chunks = chunked


def ensure_schools(db: Store, laestabs: Iterable[str]) -> tuple[dict[str, int], int]:
    """School ids by LAESTAB, creating unknown schools (named after their LAESTAB until a roster
    names them). Returns (ids, number created)."""
    conn = db.connection
    ids: dict[str, int] = {}
    created = 0
    for laestab in sorted(set(laestabs)):
        row = conn.execute("SELECT id FROM school WHERE laestab = ?", (laestab,)).fetchone()
        if row is None:
            cursor = conn.execute(
                "INSERT INTO school (laestab, name, created_at) VALUES (?, ?, ?)",
                (laestab, f"School {laestab}", now_text()),
            )
            ids[laestab] = int(cursor.lastrowid or 0)
            created += 1
        else:
            ids[laestab] = int(row[0])
    return ids, created


def ensure_pupils(
    db: Store, upns: Sequence[str], details: dict[str, dict[str, str]]
) -> tuple[dict[str, int], int]:
    """Pupil ids by UPN, creating missing pupils with the names a register file carries and
    filling names that are still blank (a single name without a comma is kept as written in
    ``name_as_written``). Returns (ids, number created)."""
    conn = db.connection
    ids: dict[str, int] = {}
    known: dict[str, tuple[str | None, str | None, str | None]] = {}
    for part in chunks(list(upns)):
        marks_ = ",".join("?" * len(part))
        for pid, upn, surname, forename, as_written in conn.execute(
            f"SELECT id, upn, surname, forename, name_as_written FROM pupil WHERE upn IN ({marks_})",
            list(part),
        ):
            ids[upn] = pid
            known[upn] = (surname, forename, as_written)
    stamp = now_text()
    new_rows = []
    fill_rows = []
    written_rows = []
    for upn in upns:
        info = details.get(upn, {})
        if upn not in ids:
            new_rows.append(
                (
                    upn,
                    info.get("surname"),
                    info.get("forename"),
                    info.get("name_as_written"),
                    stamp,
                    stamp,
                )
            )
        elif known[upn][:2] == (None, None) and (info.get("surname") or info.get("forename")):
            fill_rows.append((info.get("surname"), info.get("forename"), stamp, ids[upn]))
        elif known[upn] == (None, None, None) and info.get("name_as_written"):
            written_rows.append((info["name_as_written"], stamp, ids[upn]))
    conn.executemany(
        "INSERT INTO pupil (upn, surname, forename, name_as_written, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        new_rows,
    )
    conn.executemany(
        "UPDATE pupil SET surname = ?, forename = ?, updated_at = ? WHERE id = ?", fill_rows
    )
    conn.executemany(
        "UPDATE pupil SET name_as_written = ?, updated_at = ? WHERE id = ?", written_rows
    )
    if new_rows:
        new_upns = [r[0] for r in new_rows]
        for part in chunks(new_upns):
            marks_ = ",".join("?" * len(part))
            for pid, upn in conn.execute(
                f"SELECT id, upn FROM pupil WHERE upn IN ({marks_})", list(part)
            ):
                ids[upn] = pid
    return ids, len(new_rows)


def ensure_enrolments(
    db: Store,
    pairs: Sequence[tuple[int, int]],
    details: dict[tuple[int, int], dict[str, str]],
) -> tuple[dict[tuple[int, int], int], int]:
    """Enrolment ids by (pupil_id, school_id), creating missing ones and filling a blank year
    group or registration group from ``details``. Returns (ids, created)."""
    conn = db.connection
    ids: dict[tuple[int, int], int] = {}
    school_ids = sorted({s for _, s in pairs})
    for school_id in school_ids:
        for eid, pid, sid, year, group in conn.execute(
            "SELECT id, pupil_id, school_id, year_group, registration_group FROM enrolment "
            "WHERE school_id = ?",
            (school_id,),
        ):
            ids[(pid, sid)] = eid
            info = details.get((pid, sid))
            if info and (
                (year is None and info.get("year_group"))
                or (group is None and info.get("registration_group"))
            ):
                conn.execute(
                    "UPDATE enrolment SET year_group = coalesce(year_group, ?), "
                    "registration_group = coalesce(registration_group, ?) WHERE id = ?",
                    (info.get("year_group"), info.get("registration_group"), eid),
                )
    missing = [pair for pair in pairs if pair not in ids]
    for pid, sid in missing:
        info = details.get((pid, sid), {})
        cursor = conn.execute(
            "INSERT INTO enrolment (pupil_id, school_id, year_group, registration_group) "
            "VALUES (?, ?, ?, ?)",
            (pid, sid, info.get("year_group"), info.get("registration_group")),
        )
        ids[(pid, sid)] = int(cursor.lastrowid or 0)
    return ids, len(missing)


@dataclass
class MarkWrite:
    added: int
    changed: int
    unchanged: int
    changes: list[tuple[int, str, int, str, str]]  # (enrolment_id, date, session, old, new)
    # '-' (no mark yet) in the file where a real mark is already recorded: the mark is kept
    missing_not_applied: int = 0


def write_marks(
    db: Store,
    *,
    slot: np.ndarray,  # per mark: index of its (enrolment, academic year) slot
    slot_enrolment: np.ndarray,  # per slot: enrolment id
    slot_year: np.ndarray,  # per slot: academic year
    position: np.ndarray,  # per mark: position in the year's string
    stored: np.ndarray,  # per mark: uint8 stored character
    soft: np.ndarray | None = None,  # per mark: True = only fills a session with no mark
) -> MarkWrite:
    """Overlay marks onto the stored year strings; write the rows that changed. A soft mark
    (a rejected mark kept as '-' no mark yet) never replaces a mark already held, and no '-'
    replaces a real mark: a re-export made before the school entered a session's mark (or after
    a mark was cleared in the MIS but not replaced) must not erase the mark att holds. A real
    mark replaces '-' or another real mark (the school corrected it); each change is logged."""
    conn = db.connection
    if len(slot) == 0:
        return MarkWrite(0, 0, 0, [])
    pair, pair_enrolment, pair_year = slot, slot_enrolment, slot_year
    matrix = np.full((len(slot_enrolment), marks.YEAR_LENGTH), ord(codes.NO_MARK), dtype=np.uint8)
    lookup = {
        (int(e), int(y)): i for i, (e, y) in enumerate(zip(pair_enrolment, pair_year, strict=True))
    }
    years = sorted(set(pair_year.tolist()))
    enrolment_ids = sorted(set(pair_enrolment.tolist()))
    held: set[int] = set()  # slots with a stored row already
    for part in chunks(enrolment_ids):
        marks_ = ",".join("?" * len(part))
        year_marks = ",".join("?" * len(years))
        for eid, ay, text in conn.execute(
            f"SELECT enrolment_id, academic_year, marks FROM mark_year "
            f"WHERE enrolment_id IN ({marks_}) AND academic_year IN ({year_marks})",
            [*part, *years],
        ):
            index = lookup.get((eid, ay))
            if index is not None:
                held.add(index)
                row = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
                matrix[index, : len(row)] = row[: marks.YEAR_LENGTH]
    old = matrix[pair, position]
    blank = ord(codes.NO_MARK)
    if soft is not None and soft.any():
        stored = np.where(soft & (old != blank), old, stored)
    missing = ord(codes.MISSING_MARK)
    over_real = (stored == missing) & (old != blank) & (old != missing)
    missing_not_applied = int(over_real.sum())
    if missing_not_applied:
        stored = np.where(over_real, old, stored)
    is_added = old == blank
    is_changed = (old != blank) & (old != stored)
    matrix[pair, position] = stored
    touched = np.flatnonzero(np.bincount(pair[is_added | is_changed], minlength=len(matrix)))
    upserts = touched.tolist()
    if getattr(conn, "dialect", "sqlite") == "postgresql":
        # new rows by COPY (the LA grid import on PostgreSQL 1.59x SQLite -> 1.11x in one run of
        # bench_import --postgresql); no
        # other writer can add them meanwhile (the import holds the writers' lock)
        new = [i for i in upserts if i not in held]
        upserts = [i for i in upserts if i in held]
        conn.copy_rows(
            "mark_year",
            ("enrolment_id", "academic_year", "marks"),
            (
                (int(pair_enrolment[i]), int(pair_year[i]), matrix[i].tobytes().decode("ascii"))
                for i in new
            ),
        )
    conn.executemany(
        "INSERT INTO mark_year (enrolment_id, academic_year, marks) VALUES (?, ?, ?) "
        "ON CONFLICT (enrolment_id, academic_year) DO UPDATE SET marks = excluded.marks",
        (
            (int(pair_enrolment[i]), int(pair_year[i]), matrix[i].tobytes().decode("ascii"))
            for i in upserts
        ),
    )
    if len(touched):  # the LA benchmark cache is for the marks before this write
        from attendance_cli.store.benchmark import marks_changed

        marks_changed(db)
    changes = []
    for i in np.nonzero(is_changed)[0].tolist():
        slot_index = int(pair[i])
        day, session = marks.date_at(int(pair_year[slot_index]), int(position[i]))
        changes.append(
            (int(pair_enrolment[slot_index]), day.isoformat(), session, chr(old[i]), chr(stored[i]))
        )
    return MarkWrite(
        added=int(is_added.sum()),
        changed=int(is_changed.sum()),
        unchanged=int(len(stored) - is_added.sum() - is_changed.sum()),
        changes=changes,
        missing_not_applied=missing_not_applied,
    )


def record_import(
    db: Store,
    *,
    file_name: str,
    sha256: str,
    file_format: str,
    school_id: int | None,
    rows: int,
    added: int,
    changed: int,
    unchanged: int,
    rejected: int,
    date_from: dt.date | None,
    date_to: dt.date | None,
    os_user: str,
    tool_version: str,
    code_map: str | None = None,
    column_map: str | None = None,
) -> int:
    conn = db.connection
    cursor = conn.execute(
        "INSERT INTO import_log (file_name, sha256, file_format, school_id, rows, marks_added, "
        "marks_changed, marks_unchanged, rows_rejected, date_from, date_to, imported_at, os_user, "
        "tool_version, code_map, column_map) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            file_name,
            sha256,
            file_format,
            school_id,
            rows,
            added,
            changed,
            unchanged,
            rejected,
            date_from.isoformat() if date_from else None,
            date_to.isoformat() if date_to else None,
            now_text(),
            os_user,
            tool_version,
            code_map,
            column_map,
        ),
    )
    return int(cursor.lastrowid or 0)


def record_changes(
    db: Store, import_id: int, changes: list[tuple[int, str, int, str, str]]
) -> None:
    conn = db.connection
    conn.executemany(
        "INSERT INTO mark_change (import_id, enrolment_id, date, session, old_mark, new_mark) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        ((import_id, *change) for change in changes),
    )


# ----------------------------------------------------------------------------------- rosters
@dataclass
class RosterWrite:
    schools_added: int = 0
    schools_renamed: int = 0
    pupils_added: int = 0
    pupils_updated: int = 0
    enrolments_added: int = 0
    enrolments_updated: int = 0
    contacts_written: int = 0
    # contact corrections (privacy.rectify): kept over the file's values, and retired
    corrections_kept: list[Any] = field(default_factory=list)
    corrections_retired: int = 0


_PUPIL_FIELDS = (
    "surname",
    "forename",
    "date_of_birth",
    "gender",
    "fsm",
    "sen",
    "social_worker",
    "looked_after",
    "name_as_written",
)
_ENROLMENT_FIELDS = ("entry_date", "leaving_date", "year_group", "registration_group")


def _db_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def write_roster(
    db: Store, rows: Sequence[RosterRow], contacts_by_pupil: dict[str, list[dict[str, Any]]]
) -> RosterWrite:
    """Write a roster's rows (``registers.roster``: non-blank values replace what is held) and
    replace each pupil's parents/carers in ``contacts_by_pupil`` where they differ."""
    conn = db.connection
    out = RosterWrite()
    stamp = now_text()
    school_ids: dict[str, int] = {}
    pupil_ids: dict[str, int] = {}
    # what is held already, read in chunks rather than a statement per row: on PostgreSQL each
    # statement is a round trip to the server (the LA roster, 48,000 rows, took 47 s of them)
    pupils = _held_pupils(conn, [row.upn for row in rows])
    enrolments = _held_enrolments(conn, [p[0] for p in pupils.values()])
    for row in rows:
        assert row.laestab is not None
        if row.laestab not in school_ids:
            found = conn.execute(
                "SELECT id, name, phase FROM school WHERE laestab = ?", (row.laestab,)
            ).fetchone()
            if found is None:
                cursor = conn.execute(
                    "INSERT INTO school (laestab, name, phase, created_at) VALUES (?, ?, ?, ?)",
                    (row.laestab, row.school_name or f"School {row.laestab}", row.phase, stamp),
                )
                school_ids[row.laestab] = int(cursor.lastrowid or 0)
                out.schools_added += 1
            else:
                school_ids[row.laestab] = found[0]
                if (row.school_name and row.school_name != found[1]) or (
                    row.phase and row.phase != found[2]
                ):
                    conn.execute(
                        "UPDATE school SET name = ?, phase = ? WHERE id = ?",
                        (row.school_name or found[1], row.phase or found[2], found[0]),
                    )
                    out.schools_renamed += 1
        school_id = school_ids[row.laestab]
        found = pupils.get(row.upn)
        values = {k: _db_value(v) for k, v in row.pupil.items()}
        if found is None:
            cols = ["upn", *values, "created_at", "updated_at"]
            cursor = conn.execute(
                f"INSERT INTO pupil ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                [row.upn, *values.values(), stamp, stamp],
            )
            pupil_id = int(cursor.lastrowid or 0)
            pupils[row.upn] = (pupil_id, *(values.get(k) for k in _PUPIL_FIELDS))
            out.pupils_added += 1
        else:
            pupil_id = found[0]
            current = dict(zip(_PUPIL_FIELDS, found[1:], strict=True))
            changed = {k: v for k, v in values.items() if current.get(k) != v}
            if changed:
                sets = ", ".join(f"{k} = ?" for k in changed)
                conn.execute(
                    f"UPDATE pupil SET {sets}, updated_at = ? WHERE id = ?",
                    [*changed.values(), stamp, pupil_id],
                )
                current.update(changed)
                pupils[row.upn] = (pupil_id, *(current[k] for k in _PUPIL_FIELDS))
                out.pupils_updated += 1
        evalues = {k: _db_value(v) for k, v in row.enrolment.items()}
        found = enrolments.get((pupil_id, school_id))
        if found is None:
            cols = ["pupil_id", "school_id", *evalues]
            cursor = conn.execute(
                f"INSERT INTO enrolment ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                [pupil_id, school_id, *evalues.values()],
            )
            enrolments[(pupil_id, school_id)] = (
                int(cursor.lastrowid or 0),
                *(evalues.get(k) for k in _ENROLMENT_FIELDS),
            )
            out.enrolments_added += 1
        else:
            current = dict(zip(_ENROLMENT_FIELDS, found[1:], strict=True))
            changed = {k: v for k, v in evalues.items() if current.get(k) != v}
            if changed:
                sets = ", ".join(f"{k} = ?" for k in changed)
                conn.execute(
                    f"UPDATE enrolment SET {sets} WHERE id = ?", [*changed.values(), found[0]]
                )
                current.update(changed)
                enrolments[(pupil_id, school_id)] = (
                    found[0],
                    *(current[k] for k in _ENROLMENT_FIELDS),
                )
                out.enrolments_updated += 1
        pupil_ids[row.upn] = pupil_id
    _replace_contacts(conn, {pupil_ids[u]: c for u, c in contacts_by_pupil.items()}, out)
    return out


def _held_pupils(conn: Any, upns: Sequence[str]) -> dict[str, tuple[Any, ...]]:
    """(id, *_PUPIL_FIELDS) of the pupils held with these UPNs, by UPN."""
    held: dict[str, tuple[Any, ...]] = {}
    for part in chunks(sorted(set(upns))):
        placeholders = ",".join("?" * len(part))
        for found in conn.execute(
            f"SELECT id, {', '.join(_PUPIL_FIELDS)}, upn FROM pupil WHERE upn IN ({placeholders})",
            list(part),
        ):
            held[found[-1]] = tuple(found[:-1])
    return held


def _held_enrolments(conn: Any, pupil_ids: Sequence[int]) -> dict[tuple[int, int], tuple[Any, ...]]:
    """(id, *_ENROLMENT_FIELDS) of these pupils' enrolments, by (pupil id, school id)."""
    held: dict[tuple[int, int], tuple[Any, ...]] = {}
    for part in chunks(sorted(set(pupil_ids))):
        placeholders = ",".join("?" * len(part))
        for found in conn.execute(
            f"SELECT id, {', '.join(_ENROLMENT_FIELDS)}, pupil_id, school_id FROM enrolment "
            f"WHERE pupil_id IN ({placeholders})",
            list(part),
        ):
            held[(found[-2], found[-1])] = tuple(found[:-2])
    return held


# the columns referring to contact.id (db.models; tests/privacy/test_rectify.py checks the list):
# a contact they name is kept when the school's file no longer lists it
CONTACT_REFERENCES = (("penalty_notice", "contact_id"),)
_CONTACT_COLUMNS = ("priority", "name", "relationship", "address", "phone", "email",
                    "parental_responsibility")  # fmt: skip


def _replace_contacts(
    conn: Any, contacts_by_pupil: dict[int, list[dict[str, Any]]], out: RosterWrite
) -> None:
    """Make each pupil's parents/carers the file's, where they differ from those held (read in
    chunks; the writes each one ``executemany``). A contact is the same person across imports
    when its name is, as parents' names are compared (``cases.penalty_rules.parent_key``):
    that row is updated in place and keeps its id, so a penalty notice naming it still does.
    A held contact the file no longer lists is deleted, unless a penalty notice names it: then
    it is kept, after the file's contacts."""
    from attendance_cli.cases.penalty_rules import parent_key

    existing: dict[int, list[tuple[Any, ...]]] = {}
    for part in chunks(sorted(contacts_by_pupil)):
        placeholders = ",".join("?" * len(part))
        for found in conn.execute(
            f"SELECT pupil_id, id, {', '.join(_CONTACT_COLUMNS)} FROM contact "
            f"WHERE pupil_id IN ({placeholders}) ORDER BY pupil_id, priority, id",
            list(part),
        ):
            existing.setdefault(found[0], []).append(tuple(found[1:]))
    referenced: set[int] | None = None
    updates: list[tuple[Any, ...]] = []
    inserts: list[tuple[Any, ...]] = []
    deletes: list[tuple[int]] = []
    for pupil_id, contacts in contacts_by_pupil.items():
        wanted = [
            (
                priority,
                c.get("name"),
                c.get("relationship"),
                c.get("address"),
                c.get("phone"),
                c.get("email"),
                None
                if c.get("parental_responsibility") is None
                else int(c["parental_responsibility"]),
            )
            for priority, c in enumerate(contacts, start=1)
        ]
        held = existing.get(pupil_id, [])
        if [h[1:] for h in held] == wanted:
            continue
        unused = list(held)
        for w in wanted:
            key = parent_key(str(w[1] or ""))
            same = next((h for h in unused if parent_key(str(h[2] or "")) == key), None)
            if same is None:
                inserts.append((pupil_id, *w))
                out.contacts_written += 1
                continue
            unused.remove(same)
            if same[1:] != w:
                updates.append((*w, same[0]))
                out.contacts_written += 1
        if unused and referenced is None:
            referenced = set()
            for table, column in CONTACT_REFERENCES:
                referenced.update(
                    r[0]
                    for r in conn.execute(
                        f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL"
                    )
                )
        after = len(wanted)
        for h in unused:
            if h[0] in (referenced or set()):
                after += 1
                if h[1] != after:
                    updates.append((after, *h[2:], h[0]))
            else:
                deletes.append((h[0],))
    conn.executemany("DELETE FROM contact WHERE id = ?", deletes)
    conn.executemany(
        f"UPDATE contact SET {', '.join(f'{c} = ?' for c in _CONTACT_COLUMNS)} WHERE id = ?",
        updates,
    )
    conn.executemany(
        "INSERT INTO contact (pupil_id, priority, name, relationship, address, phone, email, "
        "parental_responsibility) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        inserts,
    )


def contact_corrections_in_force(db: Store) -> list[Any]:
    """The contact corrections in force (``store.privacy.CorrectionRecord``), oldest first.
    Raw and portable like the rest of the roster write: a small table read once per roster
    file, without importing SQLAlchemy on the import path (0.27 s, module docstring)."""
    from attendance_cli.store.conversions import to_datetime
    from attendance_cli.store.privacy import CorrectionRecord

    conn = db.connection
    found = []
    for r in conn.execute(
        "SELECT c.id, c.pupil_id, p.upn, c.contact_key, c.field, c.school_value, c.value, "
        "c.reason, c.corrected_at, c.officer FROM contact_correction c "
        "JOIN pupil p ON p.id = c.pupil_id WHERE c.retired_at IS NULL ORDER BY c.id"
    ):
        corrected_at = to_datetime(r[8])
        assert corrected_at is not None
        found.append(
            CorrectionRecord(
                int(r[0]),
                int(r[1]),
                str(r[2]),
                str(r[3]),
                str(r[4]),
                r[5],
                r[6],
                str(r[7]),
                corrected_at,
                str(r[9]),
                None,
                None,
            )  # fmt: skip
        )
    return found


# ------------------------------------------------------------------------ reads while writing
_ON_ROLL = (
    "SELECT s.laestab, count(DISTINCT p.id) FROM enrolment e JOIN pupil p ON p.id = e.pupil_id "
    "JOIN school s ON s.id = e.school_id WHERE p.upn {} GROUP BY s.laestab"
)


def pupils_on_roll(db: Store, upns: Sequence[str]) -> dict[str, int]:
    """How many of these pupils (by UPN) each school has on roll, by LAESTAB. On PostgreSQL one
    array parameter (no IN list for psycopg to send and the server to parse: ~1.2 s of the LA's
    grid import, one statement per file); on SQLite IN lists of CHUNK_SIZE."""
    batches: list[tuple[str, list[Any]]]
    if db.dialect == "postgresql":
        batches = [("= ANY(?)", [list(upns)])]
    else:
        batches = [(f"IN ({','.join('?' * len(part))})", list(part)) for part in chunks(upns)]
    on_roll: dict[str, int] = {}
    for condition, parameters in batches:  # distinct UPNs per batch: the counts add up
        for laestab, pupils in db.connection.execute(_ON_ROLL.format(condition), parameters):
            on_roll[laestab] = on_roll.get(laestab, 0) + pupils
    return on_roll


def fold_write_ahead_log(db: Store) -> None:
    """Fold the write-ahead log back into the database file after an import (outside any
    transaction): it stays compact and whole."""
    db.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
