"""``import_registers``: validate register and roster files and load them, one transaction each.

Guarantees (tested): a file with any error is rejected whole and nothing of it is written, unless
``skip_invalid`` (then its valid rows are loaded and the rejected ones written, with reasons, to
``<file>.rejected.csv`` beside it); re-importing a file changes no mark; a later export that
overlaps earlier data replaces the overlapping pupil-sessions, and each replaced mark is kept in
``mark_change``; a blank grid cell never erases a stored mark. Rosters are loaded before marks.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from attendance_cli import __version__, marks
from attendance_cli.config import os_user
from attendance_cli.db.engine import transaction
from attendance_cli.errors import InvalidInputError, Problem
from attendance_cli.exports.safety import neutralise
from attendance_cli.registers import roster as roster_module
from attendance_cli.registers import store
from attendance_cli.registers.layouts import LAYOUTS, Columns, detect_layout, map_columns
from attendance_cli.registers.readers import SourceFile, open_source
from attendance_cli.registers.sessions import collect_observations, validate_observations


@dataclass
class FileSummary:
    file: str
    path: str
    layout: str
    sha256: str
    status: str  # "imported", "dry_run", "rejected"
    rows: int = 0
    marks_added: int = 0
    marks_changed: int = 0
    marks_unchanged: int = 0
    missing_marks: int = 0
    duplicate_rows: int = 0
    rows_rejected: int = 0
    problems_total: int = 0
    problems: list[Problem] = field(default_factory=list)
    rejected_file: str | None = None
    schools: list[str] = field(default_factory=list)
    schools_added: int = 0
    pupils_added: int = 0
    pupils_updated: int = 0
    enrolments_added: int = 0
    contacts_written: int = 0
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    import_id: int | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    files: list[FileSummary]

    @property
    def ok(self) -> bool:
        return all(f.status != "rejected" for f in self.files)


ProgressCallback = Callable[[str, int], None]  # (file name, bytes read since last call)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(8 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def import_registers(
    conn: sqlite3.Connection,
    *,
    paths: Sequence[Path],
    school: str | None = None,
    layout: str = "auto",
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import each file in its own transaction; rosters first. Never raises for a bad file:
    its summary has status "rejected" and the problems; raises only for unusable arguments."""
    if layout not in ("auto", *LAYOUTS):
        raise InvalidInputError(
            f"Unknown layout {layout!r}", hint="Use auto, marks, grid or roster."
        )
    if school is not None:
        school = "".join(school.split()).replace("/", "")
        if not (school.isdigit() and len(school) == 7):
            raise InvalidInputError(
                f"--school {school!r} is not a LAESTAB",
                hint="Give the 7-digit DfE number, e.g. 8994001.",
            )
    opened: list[tuple[SourceFile | None, Columns | None, str, FileSummary | None]] = []
    for path in paths:
        try:
            source = open_source(Path(path))
            columns = map_columns(source.header)
            file_layout = detect_layout(source, columns, layout)
            opened.append((source, columns, file_layout, None))
        except InvalidInputError as exc:
            summary = FileSummary(Path(path).name, str(path), layout, "", "rejected")
            summary.problems = exc.problems or [
                Problem(exc.file or Path(path).name, exc.row, exc.column, exc.message, exc.hint)
            ]
            summary.problems_total = max(exc.total_problems, 1)
            opened.append((None, None, layout, summary))
    opened.sort(key=lambda item: 0 if item[2] == "roster" else 1)
    summaries = []
    for maybe_source, maybe_columns, file_layout, failed in opened:
        if failed is not None:
            summaries.append(failed)
            continue
        assert maybe_source is not None and maybe_columns is not None
        source, columns = maybe_source, maybe_columns
        summaries.append(
            _import_one(conn, source, columns, file_layout, school, dry_run, skip_invalid, progress)
        )
    if not dry_run:
        # fold the write-ahead log back into the database file: it stays compact and whole
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return ImportResult(summaries)


def _import_one(
    conn: sqlite3.Connection,
    source: SourceFile,
    columns: Columns,
    layout: str,
    school: str | None,
    dry_run: bool,
    skip_invalid: bool,
    progress: ProgressCallback | None,
) -> FileSummary:
    summary = FileSummary(
        source.path.name, str(source.path), layout, file_sha256(source.path), "imported"
    )
    if source.encoding_note:
        summary.notes.append(f"{source.path.name}: {source.encoding_note}")
    if columns.ignored and layout != "roster":
        shown = ", ".join(repr(c) for c in columns.ignored[:5])
        summary.notes.append(f"{source.display}: ignored column(s) {shown}")
    try:
        if layout == "roster":
            _import_roster(conn, source, columns, school, dry_run, skip_invalid, summary)
        else:
            _import_marks(
                conn, source, columns, layout, school, dry_run, skip_invalid, progress, summary
            )
    except InvalidInputError as exc:
        summary.status = "rejected"
        summary.problems = exc.problems or [
            Problem(exc.file or source.display, exc.row, exc.column, exc.message, exc.hint)
        ]
        summary.problems_total = max(exc.total_problems, 1)
    if dry_run and summary.status == "imported":
        summary.status = "dry_run"
    return summary


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back after measuring it."""


def _reject_or_continue(
    source: SourceFile,
    summary: FileSummary,
    problems: list[Problem],
    total: int,
    rejected: list[tuple[int, str, str, str, str]],
    skip_invalid: bool,
    dry_run: bool,
) -> None:
    summary.problems = problems
    summary.problems_total = total
    if not total:
        return
    if not skip_invalid:
        raise InvalidInputError(
            f"{source.display} has {total} problem(s); nothing from it was imported",
            problems=problems,
            total_problems=total,
        )
    summary.rows_rejected = len({r[0] for r in rejected})
    if not dry_run:
        summary.rejected_file = str(write_rejected(source.path, rejected))


def write_rejected(path: Path, rejected: list[tuple[int, str, str, str, str]]) -> Path:
    """``<name>.rejected.csv`` beside the input, private to its owner, formula-safe."""
    target = path.with_name(path.stem + ".rejected.csv")
    # written under a temporary name and renamed: a full disk never leaves half a list
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.chmod(temporary, 0o600)
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["row", "column", "value", "problem", "hint"])
            for row in sorted(rejected):
                writer.writerow([neutralise(v) if isinstance(v, str) else v for v in row])
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return target


def _import_marks(
    conn: sqlite3.Connection,
    source: SourceFile,
    columns: Columns,
    layout: str,
    school: str | None,
    dry_run: bool,
    skip_invalid: bool,
    progress: ProgressCallback | None,
    summary: FileSummary,
) -> None:
    report = (lambda n: progress(source.path.name, n)) if progress else None
    obs = collect_observations(source, columns, layout, report)
    valid = validate_observations(source, columns, layout, obs, school)
    summary.rows = obs.rows
    summary.duplicate_rows = valid.duplicate_rows
    summary.missing_marks = valid.missing_marks
    if valid.duplicate_rows:
        summary.notes.append(
            f"{source.display}: {valid.duplicate_rows} exact duplicate mark(s) ignored"
        )
    _reject_or_continue(
        source, summary, valid.problems, valid.problem_count, valid.rejected, skip_invalid, dry_run
    )
    if school is None and "laestab" not in columns.fields:
        kept_upns = sorted(
            {valid.upn_values[i] for i in np.unique(valid.pupil[valid.keep]).tolist()}
        )
        inferred, note = infer_school(conn, source, kept_upns)
        valid.school_values[-1] = inferred
        summary.notes.append(note)

    keep = valid.keep
    pupil = valid.pupil[keep]
    date_index = valid.date[keep]
    session = valid.session[keep].astype(np.int32)
    stored = valid.stored[keep]
    school_index = valid.school[keep]
    # Dense key spaces (distinct values in this file) let bincount replace sorting throughout.
    used_dates = np.flatnonzero(np.bincount(date_index, minlength=len(valid.date_values)))
    if len(used_dates):
        summary.date_from = min(valid.date_values[i] for i in used_dates.tolist())
        summary.date_to = max(valid.date_values[i] for i in used_dates.tolist())
    date_year = np.array([marks.academic_year(d) for d in valid.date_values] or [0], dtype=np.int32)
    date_pos = np.array(
        [marks.position(d, 0) if d.weekday() < 5 else 0 for d in valid.date_values] or [0],
        dtype=np.int32,
    )
    used_pupils = np.flatnonzero(np.bincount(pupil, minlength=len(valid.upn_values)))
    upns = [valid.upn_values[i] for i in used_pupils.tolist()]
    n_schools = len(valid.school_values)
    used_schools = np.flatnonzero(np.bincount(school_index, minlength=n_schools))
    laestabs = [valid.school_values[i] for i in used_schools.tolist()]
    summary.schools = [s for s in laestabs if s]
    details: dict[str, dict[str, str]] = {}
    for raw, info in obs.pupil_details.items():
        details.setdefault("".join(raw.split()).upper(), info)
    # enrolment slots: (pupil, school) pairs, then (enrolment, academic year) slots
    pair_code, pair_codes, pair_of_mark = _compact(
        pupil.astype(np.int64) * n_schools + school_index
    )
    first_year = int(date_year[used_dates].min()) if len(used_dates) else 0
    n_years = int(date_year[used_dates].max()) - first_year + 1 if len(used_dates) else 1
    mark_year = date_year[date_index]
    _, slot_codes, slot_of_mark = _compact(
        pair_of_mark.astype(np.int64) * n_years + (mark_year - first_year)
    )

    try:
        with transaction(conn):
            school_ids, summary.schools_added = store.ensure_schools(
                conn, [s for s in laestabs if s]
            )
            pupil_ids, summary.pupils_added = store.ensure_pupils(conn, upns, details)
            pairs = [
                (
                    pupil_ids[valid.upn_values[code // n_schools]],
                    school_ids[valid.school_values[code % n_schools]],  # type: ignore[index]
                )
                for code in pair_codes.tolist()
            ]
            year_groups = {}
            for code, (pid, sid) in zip(pair_codes.tolist(), pairs, strict=True):
                year = details.get(valid.upn_values[code // n_schools], {}).get("year_group")
                if year:
                    year_groups[(pid, sid)] = year
            enrolment_ids, summary.enrolments_added = store.ensure_enrolments(
                conn, pairs, year_groups
            )
            enrolment_of_pair = np.array([enrolment_ids[p] for p in pairs], dtype=np.int64)
            written = store.write_marks(
                conn,
                slot=slot_of_mark,
                slot_enrolment=enrolment_of_pair[slot_codes // n_years],
                slot_year=(slot_codes % n_years + first_year).astype(np.int64),
                position=date_pos[date_index] + session,
                stored=stored,
            )
            summary.marks_added, summary.marks_changed, summary.marks_unchanged = (
                written.added,
                written.changed,
                written.unchanged,
            )
            summary.import_id = store.record_import(
                conn,
                file_name=source.path.name,
                sha256=summary.sha256,
                file_format=f"{layout}/{source.kind}",
                school_id=school_ids[summary.schools[0]] if len(summary.schools) == 1 else None,
                rows=summary.rows,
                added=written.added,
                changed=written.changed,
                unchanged=written.unchanged,
                rejected=summary.rows_rejected,
                date_from=summary.date_from,
                date_to=summary.date_to,
                os_user=os_user(),
                tool_version=__version__,
            )
            store.record_changes(conn, summary.import_id, written.changes)
            if dry_run:
                raise _DryRun
    except _DryRun:
        summary.import_id = None


def _compact(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense small-integer codes -> (codes, distinct codes in order, index of each code among
    them), in O(n) with bincount instead of np.unique's sort."""
    if len(codes) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return codes, empty, empty
    present = np.bincount(codes) > 0
    distinct = np.flatnonzero(present)
    index = np.full(len(present), -1, dtype=np.int64)
    index[distinct] = np.arange(len(distinct))
    return codes, distinct, index[codes]


def _import_roster(
    conn: sqlite3.Connection,
    source: SourceFile,
    columns: Columns,
    school: str | None,
    dry_run: bool,
    skip_invalid: bool,
    summary: FileSummary,
) -> None:
    parsed = roster_module.parse_roster(source, columns, school)
    summary.rows = parsed.total_rows
    _reject_or_continue(
        source,
        summary,
        parsed.problems,
        len(parsed.rejected),
        parsed.rejected,
        skip_invalid,
        dry_run,
    )
    try:
        with transaction(conn):
            written = roster_module.write_roster(conn, parsed.rows)
            summary.schools = sorted({r.laestab for r in parsed.rows if r.laestab})
            summary.schools_added = written.schools_added
            summary.pupils_added = written.pupils_added
            summary.pupils_updated = written.pupils_updated
            summary.enrolments_added = written.enrolments_added
            summary.contacts_written = written.contacts_written
            summary.import_id = store.record_import(
                conn,
                file_name=source.path.name,
                sha256=summary.sha256,
                file_format=f"roster/{source.kind}",
                school_id=None,
                rows=summary.rows,
                added=0,
                changed=0,
                unchanged=0,
                rejected=summary.rows_rejected,
                date_from=None,
                date_to=None,
                os_user=os_user(),
                tool_version=__version__,
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        summary.import_id = None


def infer_school(conn: sqlite3.Connection, source: SourceFile, upns: list[str]) -> tuple[str, str]:
    """The school a register file without a LAESTAB is for, from the rosters already loaded:
    the school with most of the file's pupils on roll, if that is at least half of them and
    more than any other school."""
    hint = "Pass --school LAESTAB (the 7-digit DfE number), add a LAESTAB column, or import the roster first."
    if not upns:
        raise InvalidInputError(
            f"{source.display} does not say which school it is for", file=source.display, hint=hint
        )
    on_roll: dict[str, int] = {}
    for part in store.chunks(upns):
        placeholders = ",".join("?" * len(part))
        for laestab, pupils in conn.execute(
            "SELECT s.laestab, count(DISTINCT p.id) FROM enrolment e JOIN pupil p ON p.id = e.pupil_id "
            f"JOIN school s ON s.id = e.school_id WHERE p.upn IN ({placeholders}) GROUP BY s.laestab",
            list(part),
        ):
            on_roll[laestab] = on_roll.get(laestab, 0) + pupils
    ranked = sorted(on_roll.items(), key=lambda item: -item[1])
    if (
        not ranked
        or 2 * ranked[0][1] < len(upns)
        or (len(ranked) > 1 and ranked[1][1] == ranked[0][1])
    ):
        found = (
            ", ".join(f"{laestab} ({n} of {len(upns)} pupils)" for laestab, n in ranked[:3])
            or "no school"
        )
        raise InvalidInputError(
            f"{source.display} does not say which school it is for, and the rosters loaded do not "
            f"settle it (pupils on roll at: {found})",
            file=source.display,
            hint=hint,
        )
    laestab, count = ranked[0]
    return (
        laestab,
        f"{source.display}: school {laestab} taken from the roster ({count} of {len(upns)} pupils on its roll)",
    )
