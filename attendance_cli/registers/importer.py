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
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from attendance_cli import __version__, codes, marks
from attendance_cli.config import os_user
from attendance_cli.errors import InvalidInputError, Problem
from attendance_cli.exports.safety import neutralise
from attendance_cli.registers import roster as roster_module
from attendance_cli.registers.headers import normalise_header
from attendance_cli.registers.layouts import (
    LAYOUTS,
    Columns,
    detect_layout,
    map_columns,
    upn_headers,
)
from attendance_cli.registers.readers import SourceFile, open_sources
from attendance_cli.registers.sessions import collect_observations, validate_observations
from attendance_cli.registers.values import normalise_year_group, split_name
from attendance_cli.store import LOCK_AUDIT_CHAIN, LOCK_REGISTERS, Store, writing
from attendance_cli.store import column_maps as store_column_maps
from attendance_cli.store import imports as store_imports
from attendance_cli.store.column_maps import SavedColumnMap
from attendance_cli.text import plural


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
    sheets: list[str] = field(default_factory=list)  # sheets read (workbooks)
    sheets_skipped: list[dict[str, str]] = field(default_factory=list)  # {"sheet", "reason"}
    footer_rows: int = 0  # totals/key rows below the register, skipped
    marks_kept_as_missing: int = 0  # --skip-invalid: rejected marks kept as '-' no mark yet
    # '-' (no mark yet) in this file for a session att already holds a real mark for: kept
    marks_kept_over_missing: int = 0
    # False when the file is refused as a whole (absence report, totals, US dates): then
    # --skip-invalid cannot help and is not suggested
    skippable: bool = True
    rejected_rows: list[tuple[int, str, str, str, str]] = field(default_factory=list, repr=False)


@dataclass
class ImportResult:
    files: list[FileSummary]

    @property
    def ok(self) -> bool:
        return all(f.status != "rejected" for f in self.files)


@dataclass
class CodeMap:
    """The LA's map of local register codes to statutory codes (see ``codes_map.read_code_map``)."""

    name: str  # file name, for notes and the import log
    sha256: str
    codes: dict[str, str]  # normalised local code -> statutory code

    @property
    def label(self) -> str:
        return f"{self.name} (sha256 {self.sha256[:12]})"


ProgressCallback = Callable[[str, int], None]  # (file name, bytes read since last call)

# An absence report lists only absences: refused when a file holds at least this many absence
# marks for at least two pupils and not one present mark (a file of closure or not-on-roll
# codes is not an absence report; one pupil absent throughout is a real register).
ABSENCE_REPORT_MARKS = 10
# A pupil with marks for under this share of the sessions the school's file covers is noted.
FEW_SESSIONS_SHARE = 0.5
FEW_SESSIONS_MIN_CALENDAR = 10


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(8 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class _Sheet:
    source: SourceFile
    columns: Columns
    layout: str
    column_map_label: str | None = None  # the column map used, for notes and the import log
    column_map_note: str | None = None  # why a school's saved map was not used for this sheet


@dataclass
class _Opened:
    path: Path
    sheets: list[_Sheet]
    skipped: list[tuple[str, str]]
    failed: FileSummary | None = None

    @property
    def roster_only(self) -> bool:
        return bool(self.sheets) and all(s.layout == "roster" for s in self.sheets)


def _summary_from_error(path: Path, layout: str, exc: InvalidInputError) -> FileSummary:
    summary = FileSummary(path.name, str(path), layout, "", "rejected")
    summary.problems = exc.problems or [
        Problem(exc.file or path.name, exc.row, exc.column, exc.message, exc.hint)
    ]
    summary.problems_total = max(exc.total_problems, 1)
    summary.skippable = False
    return summary


def _open_file(
    path: Path,
    layout: str,
    sheet: str | None,
    column_map: dict[str, str],
    saved: SavedColumnMap | None = None,
) -> _Opened:
    """Open a file and recognise the layout of each sheet. A workbook's sheets that hold no
    register are skipped (with why) when another sheet holds one. ``column_map`` (--columns)
    applies to every sheet; else the school's ``saved`` map to each sheet that has all its
    columns."""
    extra_upn = upn_headers(column_map or (saved.columns if saved else {}))
    try:
        opened = open_sources(path, sheet=sheet, upn_headers=extra_upn)
    except InvalidInputError as exc:
        return _Opened(path, [], [], _summary_from_error(path, layout, exc))
    sheets: list[_Sheet] = []
    errors: list[InvalidInputError] = []
    skipped = list(opened.skipped_sheets)
    for source in opened.sources:
        mapping, label, note = _choose_column_map(source, column_map, saved)
        columns = map_columns(source.header, mapping)
        try:
            found = detect_layout(source, columns, layout)
            sheets.append(_Sheet(source, columns, found, label, note))
        except InvalidInputError as exc:
            errors.append(exc)
            skipped.append((source.sheet or source.path.name, _short_reason(exc)))
    if not sheets:
        first = errors[0] if errors else InvalidInputError(f"{path.name} holds no register")
        summary = _summary_from_error(path, layout, first)
        if len(errors) > 1:  # say what each sheet was
            summary.problems = [
                Problem(e.file or path.name, e.row, e.column, e.message, e.hint) for e in errors
            ][:50]
            summary.problems_total = len(errors)
        summary.sheets_skipped = [{"sheet": n, "reason": r} for n, r in skipped]
        return _Opened(path, [], skipped, summary)
    return _Opened(path, sheets, skipped)


def _choose_column_map(
    source: SourceFile, column_map: dict[str, str], saved: SavedColumnMap | None
) -> tuple[dict[str, str], str | None, str | None]:
    """(mapping, label for the log, note) for one sheet: --columns, else the saved map when the
    sheet has every column it names, else none."""
    if column_map:
        return column_map, "--columns " + _map_text(column_map), None
    if saved is None or source.kind == "ctf":
        return {}, None, None
    present = {normalise_header(h) for h in source.header}
    missing = [h for h in saved.columns.values() if normalise_header(h) not in present]
    if missing:
        shown = ", ".join(repr(h) for h in missing[:5])
        return (
            {},
            None,
            f"{source.display}: the column map saved for {saved.laestab} was not used (no "
            f"column {shown}); its headers were read as usual",
        )
    return dict(saved.columns), f"saved for {saved.laestab}: {saved.text}", None


def _map_text(column_map: dict[str, str]) -> str:
    return ",".join(f"{field}={header}" for field, header in column_map.items())


def _short_reason(exc: InvalidInputError) -> str:
    message = exc.message
    if "totals, not session marks" in message:
        return "it holds totals, not session marks"
    if ": " in message:
        message = message.split(": ", 1)[1]
    return message.split(". Columns found")[0]


def import_registers(
    conn: Store,
    *,
    paths: Sequence[Path],
    school: str | None = None,
    layout: str = "auto",
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: ProgressCallback | None = None,
    sheet: str | None = None,
    column_map: dict[str, str] | None = None,
    code_map: CodeMap | None = None,
) -> ImportResult:
    """Import each file in its own transaction (a workbook's sheets together); rosters first.
    Never raises for a bad file: its summary has status "rejected" and the problems; raises
    only for unusable arguments."""
    if layout not in ("auto", *LAYOUTS):
        raise InvalidInputError(
            f"Unknown layout {layout!r}", hint="Use auto, marks, grid, weekly or roster."
        )
    if school is not None:
        school = "".join(school.split()).replace("/", "")
        if not (school.isdigit() and len(school) == 7):
            raise InvalidInputError(
                f"--school {school!r} is not a LAESTAB",
                hint="Give the 7-digit DfE number, e.g. 8994001.",
            )
    saved = (
        store_column_maps.column_map_for(conn, school)
        if school is not None and not column_map
        else None
    )
    opened = [_open_file(Path(path), layout, sheet, column_map or {}, saved) for path in paths]
    opened.sort(key=lambda item: 0 if item.roster_only else 1)
    summaries = []
    for item in opened:
        if item.failed is not None:
            summaries.append(item.failed)
            continue
        summaries.append(_import_one(conn, item, school, dry_run, skip_invalid, progress, code_map))
    if not dry_run:
        store_imports.fold_write_ahead_log(conn)
    return ImportResult(summaries)


def _import_one(
    conn: Store,
    opened: _Opened,
    school: str | None,
    dry_run: bool,
    skip_invalid: bool,
    progress: ProgressCallback | None,
    code_map: CodeMap | None,
) -> FileSummary:
    path = opened.path
    layouts = sorted({s.layout for s in opened.sheets}, key=LAYOUTS.index)
    layout_name = "ctf" if opened.sheets[0].source.kind == "ctf" else "+".join(layouts)
    summary = FileSummary(path.name, str(path), layout_name, file_sha256(path), "imported")
    workbook = opened.sheets[0].source.kind == "xlsx"
    if workbook:
        summary.sheets = [s.source.sheet or "" for s in opened.sheets]
        summary.sheets_skipped = [{"sheet": n, "reason": r} for n, r in opened.skipped]
        for name, reason in opened.skipped:
            summary.notes.append(f"{path.name}: sheet {name!r} skipped: {reason}")
    ordered = sorted(opened.sheets, key=lambda s: 0 if s.layout == "roster" else 1)
    try:
        prepared: list[tuple[_Sheet, Any]] = []
        for item in ordered:
            source, columns = item.source, item.columns
            if source.encoding_note:
                summary.notes.append(f"{path.name}: {source.encoding_note}")
            if source.data_start > 1:
                summary.notes.append(f"{source.display}: header found on row {source.header_row}")
            if item.column_map_note:
                summary.notes.append(item.column_map_note)
            if columns.mapped:
                label = item.column_map_label or "--columns"
                chosen_by = (  # "--columns", or "the column map saved for 8994001"
                    "--columns"
                    if label.startswith("--columns")
                    else "the column map " + label.split(":", 1)[0]
                )
                summary.notes.append(
                    f"{source.display}: columns chosen by {chosen_by}: "
                    + ", ".join(f"{k}={v!r}" for k, v in columns.mapped.items())
                )
            if columns.ignored and item.layout != "roster":
                shown = ", ".join(repr(c) for c in columns.ignored[:5])
                summary.notes.append(f"{source.display}: ignored column(s) {shown}")
            if columns.totals:
                shown = ", ".join(repr(c) for c in columns.totals[:5])
                summary.notes.append(
                    f"{source.display}: totals column(s) {shown} ignored: att counts figures "
                    "from the session marks"
                )
            if item.layout == "roster":
                prepared.append((item, _prepare_roster(source, columns, school, summary)))
            else:
                prepared.append(
                    (
                        item,
                        _prepare_marks(
                            conn,
                            source,
                            columns,
                            item.layout,
                            school,
                            skip_invalid,
                            progress,
                            summary,
                            code_map,
                        ),
                    )
                )
        _reject_or_continue(path, summary, skip_invalid, dry_run)
        try:
            # all of the file, or none of it; imports one at a time (their marks are merged),
            # alongside casework on PostgreSQL (store.transactions). A roster may append audit
            # entries (contact corrections it keeps or retires, privacy.rectify), so it takes
            # the audit chain's lock from the start, and with it the writers' lock.
            locks: tuple[str, ...] = (LOCK_REGISTERS,)
            if any(item.layout == "roster" for item, _ in prepared):
                locks = (LOCK_REGISTERS, LOCK_AUDIT_CHAIN)
            with writing(conn, *locks):
                for item, ready in prepared:
                    if item.layout == "roster":
                        _write_roster(conn, item.source, ready, summary, item.column_map_label)
                    else:
                        _write_marks(
                            conn, item.source, ready, summary, code_map, item.column_map_label
                        )
                if dry_run:
                    raise _DryRun
        except _DryRun:
            summary.import_id = None
    except InvalidInputError as exc:
        summary.status = "rejected"
        if exc.problems:  # problems row by row: --skip-invalid can load the rest
            summary.problems = exc.problems
            summary.problems_total = max(exc.total_problems, 1)
        else:  # the file refused as a whole (absence report, US dates, ...)
            summary.problems = [
                Problem(exc.file or path.name, exc.row, exc.column, exc.message, exc.hint)
            ]
            summary.problems_total = 1
            summary.skippable = False
    if dry_run and summary.status == "imported":
        summary.status = "dry_run"
    return summary


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back after measuring it."""


def _reject_or_continue(
    path: Path, summary: FileSummary, skip_invalid: bool, dry_run: bool
) -> None:
    if not summary.problems_total:
        return
    if not skip_invalid:
        raise InvalidInputError(
            f"{path.name} has {summary.problems_total} problem(s); nothing from it was imported",
            problems=summary.problems,
            total_problems=summary.problems_total,
        )
    if not dry_run:
        summary.rejected_file = str(write_rejected(path, summary.rejected_rows))


def _add_problems(
    summary: FileSummary,
    problems: list[Problem],
    total: int,
    rejected: list[tuple[int, str, str, str, str]],
) -> None:
    summary.problems = (summary.problems + problems)[:50]
    summary.problems_total += total
    summary.rejected_rows.extend(rejected)
    summary.rows_rejected += len({r[0] for r in rejected})


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


def pupil_details(raw: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Per canonical UPN: surname/forename (split from a single name column where needed),
    name as written, normalised year group and registration group."""
    details: dict[str, dict[str, str]] = {}
    for upn, info in raw.items():
        record = dict(info)
        name = record.pop("name", None)
        if name and not (record.get("surname") or record.get("forename")):
            surname, forename, as_written = split_name(name)
            for key, value in (
                ("surname", surname),
                ("forename", forename),
                ("name_as_written", as_written),
            ):
                if value:
                    record[key] = value
        year = normalise_year_group(record.get("year_group"))
        if year:
            record["year_group"] = year
        details.setdefault("".join(upn.split()).upper(), record)
    return details


@dataclass
class _PreparedMarks:
    obs: Any
    valid: Any
    inferred_school: str | None


def _prepare_marks(
    conn: Store,
    source: SourceFile,
    columns: Columns,
    layout: str,
    school: str | None,
    skip_invalid: bool,
    progress: ProgressCallback | None,
    summary: FileSummary,
    code_map: CodeMap | None,
) -> _PreparedMarks:
    report = (lambda n: progress(source.path.name, n)) if progress else None
    obs = collect_observations(source, columns, layout, report)
    valid = validate_observations(
        source,
        columns,
        layout,
        obs,
        school,
        code_map=code_map.codes if code_map else None,
        code_map_name=code_map.label if code_map else None,
        keep_dropped_as_missing=skip_invalid,
    )
    summary.rows += obs.rows
    summary.duplicate_rows += valid.duplicate_rows
    summary.missing_marks += valid.missing_marks
    summary.marks_kept_as_missing += valid.kept_as_missing
    footers = len(obs.footer_rows) + source.footer_rows
    summary.footer_rows += footers
    if footers:
        shown = ", ".join(str(r) for r in obs.footer_rows[:5])
        summary.notes.append(
            f"{source.display}: {footers} totals/key row(s) below the register skipped"
            + (f" (row {shown})" if shown else "")
        )
    if valid.duplicate_rows:
        summary.notes.append(
            f"{source.display}: {valid.duplicate_rows} exact duplicate mark(s) ignored"
        )
    for note in valid.code_notes:
        summary.notes.append(f"{source.display}: {note}")
    if valid.kept_as_missing:
        summary.notes.append(
            f"{source.display}: {valid.kept_as_missing} rejected mark(s) kept as '-' (no mark "
            "yet): those pupils' figures are incomplete until the school sends the marks"
        )
    _refuse_absence_report(source, columns, layout, valid)
    _add_problems(summary, valid.problems, valid.problem_count, valid.rejected)
    inferred = None
    if school is None and "laestab" not in columns.fields and valid.keep.any():
        kept_upns = sorted(
            {valid.upn_values[i] for i in np.unique(valid.pupil[valid.keep]).tolist()}
        )
        inferred, note = infer_school(conn, source, kept_upns)
        summary.notes.append(note)
    _note_few_sessions(source, valid, summary)
    return _PreparedMarks(obs, valid, inferred)


def _refuse_absence_report(source: SourceFile, columns: Columns, layout: str, valid: Any) -> None:
    """A file with many marks and no present mark at all lists absences only: importing it would
    make every listed pupil severely absent and drop the pupils who were never absent."""
    keep = valid.keep
    kept = valid.stored[keep]
    if len(kept) < ABSENCE_REPORT_MARKS:
        return

    def table(*categories: codes.Category) -> np.ndarray:  # stored character -> in categories
        lookup = np.zeros(256, dtype=bool)
        lookup[np.frombuffer(codes.stored_chars(*categories).encode(), np.uint8)] = True
        return lookup

    if table(codes.Category.PRESENT, codes.Category.AEA)[kept].any():
        return
    absences = int(table(codes.Category.AUTHORISED, codes.Category.UNAUTHORISED)[kept].sum())
    pupils = int((np.bincount(valid.pupil[keep]) > 0).sum())
    if absences < ABSENCE_REPORT_MARKS or pupils < 2:
        return
    column = source.header[columns.fields["mark"]] if layout == "marks" else "session columns"
    raise InvalidInputError(
        f"{source.display} looks like an absence report: {len(kept):,} marks for {pupils:,} "
        "pupils and not one present mark (/, \\, L or an approved activity). att needs every session's mark, present "
        "ones too: from absences alone every listed pupil would look severely absent and pupils "
        "never absent would vanish",
        file=source.display,
        column=column,
        hint="Export the full register (every pupil, every session, present marks included) "
        "from the school's system instead of an absence list.",
    )


def _note_few_sessions(source: SourceFile, valid: Any, summary: FileSummary) -> None:
    """Note pupils with marks for far fewer sessions than their school's calendar in the file
    (a pupil who joined or left part-way, or an export cut short). Kept marks are one per pupil
    per session (duplicates and conflicts are resolved first), so counts are bincounts."""
    keep = valid.keep
    if not keep.any():
        return
    n_slots = max(len(valid.date_values), 1) * 2
    n_schools = len(valid.school_values)
    school = valid.school[keep]
    slot = valid.date[keep] * 2 + valid.session[keep]
    if (school == school[0]).all():  # one school (the usual file): no school key needed
        calendar_size = np.full(n_schools, int((np.bincount(slot, minlength=n_slots) > 0).sum()))
        sessions_of = np.bincount(valid.pupil[keep] * n_schools + school)
    else:
        school64 = school.astype(np.int64)
        calendar = np.zeros(n_schools * n_slots, dtype=bool)
        calendar[school64 * n_slots + slot] = True
        calendar_size = calendar.reshape(n_schools, n_slots).sum(axis=1)
        sessions_of = np.bincount(valid.pupil[keep].astype(np.int64) * n_schools + school64)
    pairs = np.flatnonzero(sessions_of)
    size = calendar_size[pairs % n_schools]
    few = (size >= FEW_SESSIONS_MIN_CALENDAR) & (sessions_of[pairs] < FEW_SESSIONS_SHARE * size)
    if few.any():
        upns = [valid.upn_values[int(p)] for p in (pairs[few] // n_schools)[:3]]
        summary.notes.append(
            f"{source.display}: {int(few.sum())} pupil(s) have marks for under half of the "
            f"{int(size[few].max())} sessions the file covers for their school (e.g. "
            + ", ".join(upns)
            + "): joined or left part-way, or the export is incomplete"
        )


def _write_marks(
    conn: Store,
    source: SourceFile,
    prepared: _PreparedMarks,
    summary: FileSummary,
    code_map: CodeMap | None,
    column_map: str | None = None,
) -> None:
    """Write one sheet's validated marks inside the caller's transaction."""
    obs, valid = prepared.obs, prepared.valid
    if prepared.inferred_school is not None:
        valid.school_values[-1] = prepared.inferred_school
    layout_name = summary.layout
    keep = valid.keep
    pupil = valid.pupil[keep]
    date_index = valid.date[keep]
    session = valid.session[keep].astype(np.int32)
    stored = valid.stored[keep]
    school_index = valid.school[keep]
    # Dense key spaces (distinct values in this file) let bincount replace sorting throughout.
    used_dates = np.flatnonzero(np.bincount(date_index, minlength=len(valid.date_values)))
    date_from = date_to = None
    if len(used_dates):
        date_from = min(valid.date_values[i] for i in used_dates.tolist())
        date_to = max(valid.date_values[i] for i in used_dates.tolist())
        summary.date_from = min(filter(None, [summary.date_from, date_from]))
        summary.date_to = max(filter(None, [summary.date_to, date_to]))
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
    sheet_schools = [s for s in laestabs if s]
    summary.schools = sorted(set(summary.schools) | set(sheet_schools))
    details = pupil_details(obs.pupil_details)
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

    school_ids, added = store_imports.ensure_schools(conn, sheet_schools)
    summary.schools_added += added
    pupil_ids, added = store_imports.ensure_pupils(conn, upns, details)
    summary.pupils_added += added
    pairs = [
        (
            pupil_ids[valid.upn_values[code // n_schools]],
            school_ids[valid.school_values[code % n_schools]],  # type: ignore[index]
        )
        for code in pair_codes.tolist()
    ]
    enrolment_details: dict[tuple[int, int], dict[str, str]] = {}
    for code, (pid, sid) in zip(pair_codes.tolist(), pairs, strict=True):
        info = details.get(valid.upn_values[code // n_schools], {})
        wanted = {k: info[k] for k in ("year_group", "registration_group") if info.get(k)}
        if wanted:
            enrolment_details[(pid, sid)] = wanted
    enrolment_ids, added = store_imports.ensure_enrolments(conn, pairs, enrolment_details)
    summary.enrolments_added += added
    enrolment_of_pair = np.array([enrolment_ids[p] for p in pairs], dtype=np.int64)
    written = store_imports.write_marks(
        conn,
        slot=slot_of_mark,
        slot_enrolment=enrolment_of_pair[slot_codes // n_years],
        slot_year=(slot_codes % n_years + first_year).astype(np.int64),
        position=date_pos[date_index] + session,
        stored=stored,
        soft=valid.soft[keep] if valid.soft is not None else None,
    )
    summary.marks_added += written.added
    summary.marks_changed += written.changed
    summary.marks_unchanged += written.unchanged
    if written.missing_not_applied:
        summary.marks_kept_over_missing += written.missing_not_applied
        summary.notes.append(
            f"{source.display}: {plural(written.missing_not_applied, 'session')} marked '-' "
            "(no mark yet) in this file already had a mark in att; the recorded mark was kept "
            "(a '-' never erases a mark; a real code in a later file does replace it)"
        )
    import_id = store_imports.record_import(
        conn,
        file_name=source.path.name,
        sha256=summary.sha256,
        file_format=f"{layout_name}/{source.kind}" + (f":{source.sheet}" if source.sheet else ""),
        school_id=school_ids[sheet_schools[0]] if len(sheet_schools) == 1 else None,
        rows=obs.rows,
        added=written.added,
        changed=written.changed,
        unchanged=written.unchanged,
        rejected=summary.rows_rejected,
        date_from=date_from,
        date_to=date_to,
        os_user=os_user(),
        tool_version=__version__,
        code_map=code_map.label if code_map else None,
        column_map=column_map,
    )
    summary.import_id = summary.import_id or import_id
    store_imports.record_changes(conn, import_id, written.changes)


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


def _prepare_roster(
    source: SourceFile, columns: Columns, school: str | None, summary: FileSummary
) -> Any:
    parsed = roster_module.parse_roster(source, columns, school)
    summary.rows += parsed.total_rows
    _add_problems(summary, parsed.problems, len(parsed.rejected), parsed.rejected)
    return parsed


def _write_roster(
    conn: Store,
    source: SourceFile,
    parsed: Any,
    summary: FileSummary,
    column_map: str | None = None,
) -> None:
    written = roster_module.write_roster(conn, parsed.rows)
    summary.schools = sorted(set(summary.schools) | {r.laestab for r in parsed.rows if r.laestab})
    summary.schools_added += written.schools_added
    summary.pupils_added += written.pupils_added
    summary.pupils_updated += written.pupils_updated
    summary.enrolments_added += written.enrolments_added
    summary.contacts_written += written.contacts_written
    from attendance_cli.privacy.rectify import kept_note

    kept = kept_note(written.corrections_kept)
    if kept:
        summary.notes.append(f"{source.display}: {kept}")
    import_id = store_imports.record_import(
        conn,
        file_name=source.path.name,
        sha256=summary.sha256,
        file_format=f"roster/{source.kind}" + (f":{source.sheet}" if source.sheet else ""),
        school_id=None,
        rows=parsed.total_rows,
        added=0,
        changed=0,
        unchanged=0,
        rejected=summary.rows_rejected,
        date_from=None,
        date_to=None,
        os_user=os_user(),
        tool_version=__version__,
        column_map=column_map,
    )
    summary.import_id = summary.import_id or import_id


def infer_school(conn: Store, source: SourceFile, upns: list[str]) -> tuple[str, str]:
    """The school a register file without a LAESTAB is for, from the rosters already loaded:
    the school with most of the file's pupils on roll, if that is at least half of them and
    more than any other school."""
    hint = "Pass --school LAESTAB (the 7-digit DfE number), add a LAESTAB column, or import the roster first."
    if not upns:
        raise InvalidInputError(
            f"{source.display} does not say which school it is for", file=source.display, hint=hint
        )
    on_roll = store_imports.pupils_on_roll(conn, upns)
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
