"""Writing validated register data: schools, pupils, enrolments and mark strings.

All functions run inside the caller's transaction (see ``db.engine.transaction``) and use the
tables defined in ``db.models`` through stdlib sqlite3, for speed.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from attendance_cli import codes, marks
from attendance_cli.store.chunking import CHUNK_SIZE, chunked
from attendance_cli.store.conversions import now_text

# one chunk size and one timestamp form, the store's (store.chunking, store.conversions)
CHUNK = CHUNK_SIZE
chunks = chunked


def ensure_schools(conn: sqlite3.Connection, laestabs: Iterable[str]) -> tuple[dict[str, int], int]:
    """School ids by LAESTAB, creating unknown schools (named after their LAESTAB until a roster
    names them). Returns (ids, number created)."""
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
    conn: sqlite3.Connection, upns: Sequence[str], details: dict[str, dict[str, str]]
) -> tuple[dict[str, int], int]:
    """Pupil ids by UPN, creating missing pupils with the names a register file carries and
    filling names that are still blank (a single name without a comma is kept as written in
    ``name_as_written``). Returns (ids, number created)."""
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
    conn: sqlite3.Connection,
    pairs: Sequence[tuple[int, int]],
    details: dict[tuple[int, int], dict[str, str]],
) -> tuple[dict[tuple[int, int], int], int]:
    """Enrolment ids by (pupil_id, school_id), creating missing ones and filling a blank year
    group or registration group from ``details``. Returns (ids, created)."""
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


def write_marks(
    conn: sqlite3.Connection,
    *,
    slot: np.ndarray,  # per mark: index of its (enrolment, academic year) slot
    slot_enrolment: np.ndarray,  # per slot: enrolment id
    slot_year: np.ndarray,  # per slot: academic year
    position: np.ndarray,  # per mark: position in the year's string
    stored: np.ndarray,  # per mark: uint8 stored character
    soft: np.ndarray | None = None,  # per mark: True = only fills a session with no mark
) -> MarkWrite:
    """Overlay marks onto the stored year strings; write the rows that changed. A soft mark
    (a rejected mark kept as '-' no mark yet) never replaces a mark already held."""
    if len(slot) == 0:
        return MarkWrite(0, 0, 0, [])
    pair, pair_enrolment, pair_year = slot, slot_enrolment, slot_year
    matrix = np.full((len(slot_enrolment), marks.YEAR_LENGTH), ord(codes.NO_MARK), dtype=np.uint8)
    lookup = {
        (int(e), int(y)): i for i, (e, y) in enumerate(zip(pair_enrolment, pair_year, strict=True))
    }
    years = sorted(set(pair_year.tolist()))
    enrolment_ids = sorted(set(pair_enrolment.tolist()))
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
                row = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
                matrix[index, : len(row)] = row[: marks.YEAR_LENGTH]
    old = matrix[pair, position]
    blank = ord(codes.NO_MARK)
    if soft is not None and soft.any():
        stored = np.where(soft & (old != blank), old, stored)
    is_added = old == blank
    is_changed = (old != blank) & (old != stored)
    matrix[pair, position] = stored
    touched = np.flatnonzero(np.bincount(pair[is_added | is_changed], minlength=len(matrix)))
    conn.executemany(
        "INSERT INTO mark_year (enrolment_id, academic_year, marks) VALUES (?, ?, ?) "
        "ON CONFLICT (enrolment_id, academic_year) DO UPDATE SET marks = excluded.marks",
        (
            (int(pair_enrolment[i]), int(pair_year[i]), matrix[i].tobytes().decode("ascii"))
            for i in touched.tolist()
        ),
    )
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
    )


def record_import(
    conn: sqlite3.Connection,
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
) -> int:
    cursor = conn.execute(
        "INSERT INTO import_log (file_name, sha256, file_format, school_id, rows, marks_added, "
        "marks_changed, marks_unchanged, rows_rejected, date_from, date_to, imported_at, os_user, "
        "tool_version, code_map) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        ),
    )
    return int(cursor.lastrowid or 0)


def record_changes(
    conn: sqlite3.Connection, import_id: int, changes: list[tuple[int, str, int, str, str]]
) -> None:
    conn.executemany(
        "INSERT INTO mark_change (import_id, enrolment_id, date, session, old_mark, new_mark) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        ((import_id, *change) for change in changes),
    )
