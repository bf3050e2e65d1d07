"""Validating session marks (marks and grid layouts), vectorised.

A file becomes one long list of observations (row, column, pupil, date, session, code), held as
numpy arrays of small integers that point into tables of the distinct values seen. Each distinct
UPN, date and code is checked once, so an 18-million-mark file costs a few hundred checks plus
array arithmetic. Every problem keeps the row and column it came from.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from attendance_cli import codes, marks
from attendance_cli.errors import InvalidInputError, Problem
from attendance_cli.identifiers import normalise_upn, upn_problem
from attendance_cli.registers.layouts import Columns
from attendance_cli.registers.readers import Batch, SourceFile, is_footer_text, iter_batches
from attendance_cli.registers.values import check_date_order, parse_date, parse_session

BLANK = -1


class Interner:
    """Distinct values -> small integer ids (``None`` -> BLANK)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.values: list[str] = []

    def id(self, value: str | None) -> int:
        if value is None:
            return BLANK
        found = self.ids.get(value)
        if found is None:
            found = self.ids[value] = len(self.values)
            self.values.append(value)
        return found

    def encode(self, column: Any) -> np.ndarray:
        """Ids of a whole column (a pyarrow string array or a list), as int32."""
        if isinstance(column, list):
            return np.fromiter((self.id(v) for v in column), dtype=np.int32, count=len(column))
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(column)
        local = np.array(
            [self.id(v) for v in encoded.dictionary.to_pylist()] + [BLANK], dtype=np.int32
        )
        indices = encoded.indices.fill_null(len(local) - 1).to_numpy(zero_copy_only=False)
        return local[indices]


def _concat(columns: list[Any]) -> Any:
    if isinstance(columns[0], list):
        return [value for column in columns for value in column]
    import pyarrow as pa

    return pa.concat_arrays(columns)


# Reasons a mark is rejected, in the order they are checked (first one wins).
R_OK, R_UPN, R_DATE, R_WEEKEND, R_SESSION, R_CODE, R_CODE_SET, R_SCHOOL, R_CONFLICT, R_FUTURE = (
    range(10)
)


@dataclass
class Observations:
    """Every non-blank mark cell of a file, with where it came from."""

    row: np.ndarray  # int32 spreadsheet row numbers
    column: np.ndarray  # int16 header index of the cell to blame for a code problem
    upn: np.ndarray  # int32 ids into upns
    date: np.ndarray  # int32 ids into dates
    session: np.ndarray  # int32 ids into sessions (marks) or 0/1 (grid, via fixed table)
    code: np.ndarray  # int32 ids into codes
    school: np.ndarray  # int32 ids into schools (BLANK = the --school default)
    upns: Interner
    dates: Interner
    sessions: Interner
    codes: Interner
    schools: Interner
    pupil_details: dict[str, dict[str, str]] = field(default_factory=dict)  # raw upn -> fields
    rows: int = 0
    footer_rows: list[int] = field(default_factory=list)  # totals/key rows skipped


DETAIL_FIELDS = ("surname", "forename", "name", "year_group", "registration_group")


def _value(column: Any, index: int) -> str | None:
    value = column[index] if isinstance(column, list) else column[index].as_py()
    return value if value is None else str(value)


def _footer_mask(
    batch: Batch, columns: Columns, upn_ids: np.ndarray, upns: Interner, flags: list[bool]
) -> np.ndarray:
    """Rows below (or among) the register that are totals, keys or notes: no UPN, and a footer
    word in a field or the first column ("Total", "Key: / present", "Printed ..."), or no UPN
    and only numbers. ``flags`` caches, per distinct UPN cell, whether it is footer text."""
    mask = np.zeros(batch.rows, dtype=bool)
    flags.extend(is_footer_text(v) for v in upns.values[len(flags) :])
    blank = upn_ids == BLANK
    candidates = blank
    if any(flags):
        upn_text_footer = np.array([*flags, False], dtype=bool)
        candidates = blank | upn_text_footer[np.where(blank, -1, upn_ids)]
    if not candidates.any():
        return mask
    look = sorted({0, *columns.fields.values()})
    width = len(batch.columns)
    mark_columns = [
        c for c in (columns.fields.get("mark"), *columns.sessions) if c is not None and c < width
    ]
    for row_index in np.flatnonzero(candidates).tolist():
        texts = [_value(batch.columns[c], row_index) for c in look if c < width]
        if any(t and is_footer_text(t) for t in texts):
            # a footer word but a register mark where marks go ("%", 03/09/2025, AM, "/"): a
            # mark with a bad UPN, to be reported as such, never skipped as a footer
            if not _holds_a_mark(batch, mark_columns, row_index):
                mask[row_index] = True
        elif upn_ids[row_index] == BLANK:
            # no UPN and nothing but numbers: a totals row without a label
            cells = [_value(batch.columns[c], row_index) for c in range(width)]
            filled = [c.strip() for c in cells if c and c.strip()]
            if filled and all(_NUMBER.match(c) for c in filled):
                mask[row_index] = True
    return mask


_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?%?$")


def _holds_a_mark(batch: Batch, mark_columns: list[int], row_index: int) -> bool:
    """Whether any of the row's mark cells holds a code of either set (or a sub-code)."""
    for column in mark_columns:
        value = _value(batch.columns[column], row_index)
        if value and value.strip():
            code, _ = resolve_code(codes.normalise_code(value), {})
            if code in codes.CODES_2024 or code in codes.CODES_2006:
                return True
    return False


def _week_characters(column: Any, offset: int) -> Any:
    """The character at ``offset`` of each weekly-grid cell (cells shorter than 10 are padded:
    trailing spaces are often trimmed)."""
    if isinstance(column, list):
        return [
            None if not v or v.ljust(10)[offset] == " " else v.ljust(10)[offset] for v in column
        ]
    import pyarrow as pa
    import pyarrow.compute as pc

    chars = pc.utf8_slice_codeunits(pc.utf8_rpad(column, 10, " "), offset, offset + 1)
    return pc.if_else(pc.equal(chars, " "), pa.scalar(None, pa.string()), chars)


def _session_columns(batch: Batch, columns: Columns, session_cols: list[int]) -> list[Any]:
    """The batch's column for each session: a real column, or one character of a weekly one."""
    return [
        _week_characters(batch.columns[columns.virtual[c][0]], columns.virtual[c][1])
        if c in columns.virtual
        else batch.columns[c]
        for c in session_cols
    ]


def _check_week_cells(source: SourceFile, columns: Columns, batch: Batch) -> None:
    import pyarrow.compute as pc

    for index in sorted(columns.weeks):
        column = batch.columns[index]
        # trailing spaces past Friday PM are padding, not sessions
        if isinstance(column, list):
            lengths = np.array([len(v.rstrip()) if v else 0 for v in column], dtype=np.int64)
        else:
            trimmed = pc.utf8_rtrim(column, characters=" ")
            lengths = pc.fill_null(pc.utf8_length(trimmed), 0).to_numpy(zero_copy_only=False)
        long = np.flatnonzero(lengths > 10)
        if len(long):
            row = batch.first_row + int(long[0])
            raise InvalidInputError(
                f"{source.display}, row {row}, column {columns.labels[index]!r}: a weekly-grid "
                f"cell has {int(lengths[long[0]])} characters; each holds 10 (Mon AM ... Fri PM)"
                + (f" ({len(long)} such cells)" if len(long) > 1 else ""),
                file=source.display,
                row=row,
                column=columns.labels[index],
                hint="Export the weekly register again: one character per session, a space "
                "where no mark applies, or export one column per session.",
            )


def _first_values(
    details: dict[str, dict[str, str]],
    upn_ids: np.ndarray,
    upns: Interner,
    batch: Batch,
    columns: Columns,
) -> None:
    """Remember each pupil's first non-blank surname/forename/year group."""
    wanted = [(name, columns.fields[name]) for name in DETAIL_FIELDS if name in columns.fields]
    if not wanted:
        return
    unique_ids, first_index = np.unique(upn_ids, return_index=True)
    lists = {name: batch.columns[index] for name, index in wanted}
    for upn_id, row_index in zip(unique_ids.tolist(), first_index.tolist(), strict=True):
        if upn_id == BLANK:
            continue
        record = details.setdefault(upns.values[upn_id], {})
        for name, column in lists.items():
            if name not in record:
                value = column[row_index] if isinstance(column, list) else column[row_index].as_py()
                if value is not None and value.strip():
                    record[name] = value.strip()


def collect_observations(
    source: SourceFile, columns: Columns, layout: str, progress: Callable[[int], None] | None = None
) -> Observations:
    upns, dates, sessions, code_ids, schools = (Interner() for _ in range(5))
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("row", "column", "upn", "date", "session", "code", "school")
    }
    details: dict[str, dict[str, str]] = {}
    total_rows = 0
    school_col = columns.fields.get("laestab")
    labels = columns.labels or source.header
    footer_rows: list[int] = []
    footer_flags: list[bool] = []
    if layout != "marks":
        session_cols = sorted(columns.sessions)
        for name in session_cols:  # grid columns carry their date and session in the header
            dates.id(labels[name])
        date_ids = np.array([dates.ids[labels[c]] for c in session_cols], dtype=np.int32)
        session_ids = np.array([columns.sessions[c].session for c in session_cols], dtype=np.int32)
        sessions.id("AM")
        sessions.id("PM")
    for batch in iter_batches(source, progress=progress):
        n = batch.rows
        total_rows += n
        if n == 0:
            continue
        upn_ids = upns.encode(batch.columns[columns.fields["upn"]])
        footer = _footer_mask(batch, columns, upn_ids, upns, footer_flags)
        if footer.any():
            footer_rows.extend((np.flatnonzero(footer) + batch.first_row).tolist())
        if columns.weeks:
            _check_week_cells(source, columns, batch)
        school_ids = (
            schools.encode(batch.columns[school_col])
            if school_col is not None
            else np.full(n, BLANK, np.int32)
        )
        rows = batch.numbers()
        _first_values(details, upn_ids, upns, batch, columns)
        if layout == "marks":
            code = code_ids.encode(batch.columns[columns.fields["mark"]])
            date = dates.encode(batch.columns[columns.fields["date"]])
            session = sessions.encode(batch.columns[columns.fields["session"]])
            kept: Any = ~footer if footer.any() else slice(None)  # a view when nothing is cut
            parts["row"].append(rows[kept])
            parts["column"].append(np.full(len(rows[kept]), columns.fields["mark"], np.int16))
            parts["upn"].append(upn_ids[kept])
            parts["date"].append(date[kept])
            parts["session"].append(session[kept])
            parts["code"].append(code[kept])
            parts["school"].append(school_ids[kept])
        else:
            # one dictionary encoding for the whole grid: (columns, rows)
            grid = code_ids.encode(_concat(_session_columns(batch, columns, session_cols)))
            grid = grid.reshape(len(session_cols), n)
            if footer.any():
                grid[:, footer] = BLANK
            col_index, row_index = np.nonzero(grid != BLANK)
            parts["row"].append(rows[row_index])
            parts["column"].append(np.asarray(session_cols, dtype=np.int16)[col_index])
            parts["upn"].append(upn_ids[row_index])
            parts["date"].append(date_ids[col_index])
            parts["session"].append(session_ids[col_index])
            parts["code"].append(grid[col_index, row_index])
            parts["school"].append(school_ids[row_index])
    joined = {k: (np.concatenate(v) if v else np.zeros(0, np.int32)) for k, v in parts.items()}
    return Observations(
        row=joined["row"],
        column=joined["column"],
        upn=joined["upn"],
        date=joined["date"],
        session=joined["session"],
        code=joined["code"],
        school=joined["school"],
        upns=upns,
        dates=dates,
        sessions=sessions,
        codes=code_ids,
        schools=schools,
        pupil_details=details,
        rows=total_rows,
        footer_rows=footer_rows,
    )


@dataclass
class ValidatedMarks:
    """The accepted marks, resolved to canonical values, and every problem found."""

    keep: np.ndarray  # bool per observation
    upn_values: list[str]  # canonical UPN per pupil index
    pupil: np.ndarray  # int32 pupil index per observation (valid where keep)
    date_values: list[dt.date]  # canonical date per date index
    date: np.ndarray  # int32 date index per observation
    session: np.ndarray  # int8 0/1
    stored: np.ndarray  # uint8 stored character per observation
    school_values: list[str | None]  # LAESTAB per school index (None = --school default)
    school: np.ndarray  # int32 school index per observation
    problems: list[Problem]
    problem_count: int
    duplicate_rows: int
    missing_marks: int  # '-' no mark yet
    rejected: list[tuple[int, str, str, str, str]]  # (row, column, value, problem, hint)
    code_notes: list[str] = field(default_factory=list)  # sub-codes and local codes read
    kept_as_missing: int = 0  # rejected marks kept as '-' (no mark yet) by --skip-invalid
    soft: np.ndarray | None = None  # bool per observation: a kept '-' that never replaces a mark


_SUBCODE = re.compile(r"^([A-Z])(\d{2,3})$")


def resolve_code(code: str, code_map: dict[str, str]) -> tuple[str, str | None]:
    """(the statutory code a normalised register code stands for, how it was read): a code of
    either set as it is; a local code by the LA's code map ("map"); a management-system sub-code
    that begins with a statutory code and adds digits (``I01``, ``X01``) as that code ("sub")."""
    if code == codes.MISSING_MARK or code in codes.CODES_2024 or code in codes.CODES_2006:
        return code, None
    if code in code_map:
        return code_map[code], "map"
    match = _SUBCODE.match(code)
    if match and (match.group(1) in codes.CODES_2024 or match.group(1) in codes.CODES_2006):
        return match.group(1), "sub"
    return code, None


def _check_date_order(source: SourceFile, columns: Columns, layout: str, obs: Observations) -> None:
    if layout == "marks":
        texts = obs.dates.values
        column = source.header[columns.fields["date"]]
    else:
        texts = list(dict.fromkeys(h.text for h in columns.sessions.values() if h.text))
        column = "session column headers"
    found = check_date_order(texts)
    if found:
        why, example = found
        row: int | None = source.header_row
        if layout == "marks":
            date_id = obs.dates.ids.get(example)
            hits = np.flatnonzero(obs.date == date_id) if date_id is not None else np.zeros(0)
            row = int(obs.row[hits[0]]) if len(hits) else None
        else:
            labels = columns.labels or source.header
            column = next(
                (labels[c] for c, h in columns.sessions.items() if h.text == example), column
            )
        raise InvalidInputError(
            f"{source.display}, column {column!r}: {why}",
            file=source.display,
            row=row,
            column=column,
            hint="Export the register again with dates as DD/MM/YYYY or YYYY-MM-DD (UK order); "
            "att will not guess which order a file uses.",
        )


def _lookup(table: list[Any], ids: np.ndarray, fill: Any) -> np.ndarray:
    """table[ids] with BLANK ids -> fill (table as a numpy array)."""
    array = np.asarray(table + [fill])
    return array[np.where(ids == BLANK, len(table), ids)]


def validate_observations(
    source: SourceFile,
    columns: Columns,
    layout: str,
    obs: Observations,
    default_school: str | None,
    *,
    today: dt.date | None = None,
    code_map: dict[str, str] | None = None,
    code_map_name: str | None = None,
    keep_dropped_as_missing: bool = False,
) -> ValidatedMarks:
    """Check every observation. With ``keep_dropped_as_missing`` (``--skip-invalid``) a mark
    rejected for its code (unknown, wrong code set, conflicting) whose pupil, date and session
    are sound is kept as ``-`` "no mark yet": missing data, never "not on roll"."""
    n = len(obs.row)
    reason = np.zeros(n, dtype=np.int8)
    _check_date_order(source, columns, layout, obs)

    # UPNs: canonical pupil index per distinct raw value
    canonical: dict[str, int] = {}
    upn_values: list[str] = []
    upn_ok: list[bool] = []
    upn_index: list[int] = []
    for raw in obs.upns.values:
        upn = normalise_upn(raw)
        upn_ok.append(upn_problem(upn) is None)
        if upn not in canonical:
            canonical[upn] = len(upn_values)
            upn_values.append(upn)
        upn_index.append(canonical[upn])
    pupil = _lookup(upn_index, obs.upn, -1).astype(np.int32)
    bad = ~_lookup(upn_ok, obs.upn, False).astype(bool)
    reason[bad & (reason == 0)] = R_UPN

    # Dates
    date_canonical: dict[dt.date, int] = {}
    date_values: list[dt.date] = []
    date_index: list[int] = []
    date_state: list[int] = []  # 0 ok, R_DATE, R_WEEKEND, R_FUTURE
    latest = today or dt.date.today()
    labels = columns.labels or source.header
    session_of_header = {labels[c]: h for c, h in reversed(columns.sessions.items())}
    for raw in obs.dates.values:
        if layout != "marks":
            header = session_of_header.get(raw)
            parsed, why = (header.date, header.problem) if header else (None, "bad header")
        else:
            parsed, why = parse_date(raw, allow_serial=True)
        if parsed is None:
            date_state.append(R_DATE)
            date_index.append(-1)
            continue
        date_state.append(
            R_WEEKEND if parsed.weekday() >= 5 else R_FUTURE if parsed > latest else R_OK
        )
        if parsed not in date_canonical:
            date_canonical[parsed] = len(date_values)
            date_values.append(parsed)
        date_index.append(date_canonical[parsed])
    date = _lookup(date_index, obs.date, -1).astype(np.int32)
    state = _lookup(date_state, obs.date, R_DATE).astype(np.int8)
    reason[(state != 0) & (reason == 0)] = state[(state != 0) & (reason == 0)]

    # Sessions
    if layout != "marks":
        session = obs.session.astype(np.int8)
    else:
        parsed_sessions = [parse_session(v) for v in obs.sessions.values]
        session = _lookup(
            [-1 if s is None else s for s in parsed_sessions], obs.session, -1
        ).astype(np.int8)
        reason[(session < 0) & (reason == 0)] = R_SESSION

    # Codes: known in some set (directly, by the code map, or as a sub-code)? then valid for the
    # date's set?
    code_norm = []
    readings: dict[tuple[str, str, str], int] = {}
    code_used: np.ndarray | None = None
    for code_id, raw in enumerate(obs.codes.values):
        written = codes.normalise_code(raw)
        resolved, how = resolve_code(written, code_map or {})
        code_norm.append(resolved)
        if how:
            if code_used is None:  # counted only when some code needed reading
                code_used = np.bincount(
                    obs.code[obs.code != BLANK], minlength=len(obs.codes.values)
                )
            reading = (how, written, resolved)
            readings[reading] = readings.get(reading, 0) + int(code_used[code_id])
    known = [
        c == codes.MISSING_MARK or c in codes.CODES_2024 or c in codes.CODES_2006 for c in code_norm
    ]
    is_blank_code = _lookup([c == "" for c in code_norm], obs.code, True).astype(bool)
    unknown = ~_lookup(known, obs.code, True).astype(bool) & ~is_blank_code
    reason[unknown & (reason == 0)] = R_CODE
    stored = np.full(n, ord(codes.NO_MARK), dtype=np.uint8)
    ok_so_far = (reason == 0) & ~is_blank_code
    if ok_so_far.any() and date_values:
        ncodes = len(code_norm)
        pair = date[ok_so_far].astype(np.int64) * ncodes + obs.code[ok_so_far]
        present = np.bincount(pair, minlength=len(date_values) * ncodes) > 0  # dense: dates x codes
        unique_pairs = np.flatnonzero(present)
        compact = np.zeros(len(present), dtype=np.int64)
        compact[unique_pairs] = np.arange(len(unique_pairs))
        inverse = compact[pair]
        pair_stored = np.zeros(len(unique_pairs), dtype=np.uint8)
        for i, date_code in enumerate(unique_pairs.tolist()):
            day, code_id = divmod(date_code, ncodes)
            code = code_norm[code_id]
            if code == codes.MISSING_MARK:
                pair_stored[i] = ord(codes.MISSING_MARK)
                continue
            found = codes.lookup(code, date_values[day])
            pair_stored[i] = ord(found.stored) if found else 0
        values = pair_stored[inverse]
        stored[ok_so_far] = np.where(values == 0, ord(codes.NO_MARK), values)
        wrong_set = np.zeros(n, dtype=bool)
        wrong_set[np.nonzero(ok_so_far)[0][values == 0]] = True
        reason[wrong_set & (reason == 0)] = R_CODE_SET

    # Schools
    school_values: list[str | None] = []
    school_index: list[int] = []
    school_ok: list[bool] = []
    for raw in obs.schools.values:
        laestab = "".join(ch for ch in raw if not ch.isspace()).replace("/", "")
        good = (
            laestab.isascii()
            and laestab.isdigit()
            and len(laestab) == 7
            and (default_school is None or laestab == default_school)
        )
        school_ok.append(good)
        if laestab not in school_values:
            school_values.append(laestab)
        school_index.append(school_values.index(laestab))
    school_values.append(default_school)
    school = _lookup(school_index, obs.school, len(school_values) - 1).astype(np.int32)
    school_bad = ~_lookup(school_ok, obs.school, True).astype(bool)
    reason[school_bad & (reason == 0)] = R_SCHOOL

    # Blank codes in a marks file are "no mark": dropped silently, never stored.
    usable = (reason == 0) & ~is_blank_code

    # Conflicts and exact duplicates within the file
    duplicates = 0
    conflict_partner: dict[int, int] = {}
    if usable.any():
        idx = np.nonzero(usable)[0]
        key = (pupil[idx].astype(np.int64) * max(len(date_values), 1) + date[idx]) * 2 + session[
            idx
        ]
        space = max(len(upn_values), 1) * max(len(date_values), 1) * 2
        if space <= DENSE_KEY_LIMIT:  # O(n): only keys seen twice go on to the sort below
            repeated = np.bincount(key, minlength=space)[key] > 1
            idx, key = idx[repeated], key[repeated]
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        same_as_prev = np.zeros(len(idx), dtype=bool)
        same_as_prev[1:] = sorted_key[1:] == sorted_key[:-1]
        if same_as_prev.any():
            dup_positions = np.nonzero(same_as_prev)[0]
            starts = np.nonzero(~same_as_prev)[0]  # each group's first element
            first_of_group = starts[np.searchsorted(starts, dup_positions, side="right") - 1]
            a = idx[order[dup_positions]]
            b = idx[order[first_of_group]]
            differs = stored[a] != stored[b]
            duplicates = int((~differs).sum())
            usable[a[~differs]] = False  # an exact repeat adds nothing
            for later, earlier in zip(a[differs].tolist(), b[differs].tolist(), strict=True):
                reason[later] = R_CONFLICT
                reason[earlier] = R_CONFLICT
                conflict_partner[later] = earlier
                conflict_partner.setdefault(earlier, later)
    keep = usable & (reason == 0)
    kept_as_missing = 0
    soft = None
    if keep_dropped_as_missing:
        placeable = np.isin(reason, (R_CODE, R_CODE_SET, R_CONFLICT)) & ~is_blank_code
        placeable &= pupil >= 0
        if placeable.any():
            stored[placeable] = ord(codes.MISSING_MARK)
            keep |= placeable
            soft = placeable
            kept_as_missing = int(placeable.sum())
            if conflict_partner:  # the marks of a conflict become one '-' for their session
                seen: set[tuple[int, int, int]] = set()
                for i in sorted(conflict_partner):
                    key3 = (int(pupil[i]), int(date[i]), int(session[i]))
                    if key3 in seen:
                        keep[i] = False
                        kept_as_missing -= 1
                    seen.add(key3)

    problems, rejected, count = _describe_problems(
        source,
        columns,
        layout,
        obs,
        reason,
        code_norm,
        date,
        date_values,
        session,
        conflict_partner,
    )
    missing = int((keep & (stored == ord(codes.MISSING_MARK))).sum())
    return ValidatedMarks(
        keep=keep,
        upn_values=upn_values,
        pupil=pupil,
        date_values=date_values,
        date=date,
        session=session,
        stored=stored,
        school_values=school_values,
        school=school,
        problems=problems,
        problem_count=count,
        duplicate_rows=duplicates,
        missing_marks=missing,
        rejected=rejected,
        code_notes=_code_notes(readings, code_map_name),
        kept_as_missing=kept_as_missing,
        soft=soft,
    )


def _code_notes(readings: dict[tuple[str, str, str], int], code_map_name: str | None) -> list[str]:
    notes = []
    subs = sorted((w, r, k) for (how, w, r), k in readings.items() if how == "sub" and k)
    mapped = sorted((w, r, k) for (how, w, r), k in readings.items() if how == "map" and k)
    if subs:
        notes.append(
            "sub-codes read as their statutory code: "
            + ", ".join(f"{w} as {r} ({k:,})" for w, r, k in subs)
        )
    if mapped:
        notes.append(
            f"local codes mapped by {code_map_name or 'the code map'}: "
            + ", ".join(f"{w} as {r} ({k:,})" for w, r, k in mapped)
        )
    return notes


PROBLEM_LIMIT = 50
DENSE_KEY_LIMIT = 20_000_000  # bincount array of at most 160 MB


def _describe_problems(
    source: SourceFile,
    columns: Columns,
    layout: str,
    obs: Observations,
    reason: np.ndarray,
    code_norm: list[str],
    date: np.ndarray,
    date_values: list[dt.date],
    session: np.ndarray,
    conflict_partner: dict[int, int],
) -> tuple[list[Problem], list[tuple[int, str, str, str, str]], int]:
    bad = np.nonzero(reason)[0]
    if len(bad) == 0:
        return [], [], 0
    bad = bad[np.argsort(obs.row[bad], kind="stable")]
    header = columns.labels or source.header
    f = columns.fields
    problems: list[Problem] = []
    rejected: list[tuple[int, str, str, str, str]] = []
    for i in bad.tolist():
        r = int(reason[i])
        row = int(obs.row[i])
        mark_col = header[int(obs.column[i])]
        raw_code = obs.codes.values[obs.code[i]] if obs.code[i] != BLANK else ""
        if r == R_UPN:
            raw = obs.upns.values[obs.upn[i]] if obs.upn[i] != BLANK else ""
            column = header[f["upn"]]
            message = upn_problem(normalise_upn(raw)) or "UPN is blank"
            hint, value = "Correct the UPN in the school's system and export again.", raw
        elif r == R_DATE:
            raw = obs.dates.values[obs.date[i]] if obs.date[i] != BLANK else ""
            column = mark_col if layout != "marks" else header[f["date"]]
            message = (parse_date(raw, allow_serial=True)[1] if layout == "marks" else None) or (
                f"column header {raw!r} is not a real date"
                if layout != "marks"
                else "date is blank"
            )
            hint, value = "Dates must be YYYY-MM-DD or DD/MM/YYYY (UK order).", raw
        elif r == R_WEEKEND:
            day = date_values[date[i]]
            column = mark_col if layout != "marks" else header[f["date"]]
            message = f"{day.isoformat()} is a {day:%A}: registers have no weekend sessions"
            hint, value = "Check the date (is it in US order?).", day.isoformat()
        elif r == R_FUTURE:
            day = date_values[date[i]]
            column = mark_col if layout != "marks" else header[f["date"]]
            message = (
                f"{day.isoformat()} is after today: a register holds marks only for sessions "
                "already held"
            )
            hint, value = (
                "Check the date (its year, or whether it is in US order).",
                day.isoformat(),
            )
        elif r == R_SESSION:
            raw = obs.sessions.values[obs.session[i]] if obs.session[i] != BLANK else ""
            column = header[f["session"]]
            message = f"session {raw!r} is not AM or PM" if raw else "session is blank"
            hint, value = "Use AM or PM.", raw
        elif r == R_CODE:
            column, value = mark_col, raw_code
            message = f"{raw_code!r} is not a DfE attendance code"
            hint = (
                "Use a code from the DfE register code sets (att codes lists them); a school's "
                "local code can be mapped to its statutory code with --code-map FILE."
            )
        elif r == R_CODE_SET:
            day = date_values[date[i]]
            code = code_norm[obs.code[i]]
            in_force = codes.code_set_name(day)
            column, value = mark_col, raw_code
            message = (
                f"code {code!r} is not in the {in_force} code set in force on {day.isoformat()}"
            )
            hint = (
                "From 19 Aug 2024 the 2024 codes apply (e.g. J1 not J, Y1-Y7 not Y)."
                if in_force == "2024"
                else "Before 19 Aug 2024 the 2006 codes apply."
            )
        elif r == R_SCHOOL:
            raw = obs.schools.values[obs.school[i]]
            column, value = header[f["laestab"]], raw
            compact = raw.replace(" ", "").replace("/", "")
            message = (
                f"LAESTAB {raw!r} is not 7 digits (0-9)"
                if not (compact.isascii() and compact.isdigit()) or len(compact) != 7
                else f"row is for school {raw} but --school was given as a different school"
            )
            hint = "LAESTAB is the 7-digit DfE number (LA code + establishment number)."
        else:  # conflict
            other = conflict_partner.get(i)
            day = date_values[date[i]]
            column, value = mark_col, raw_code
            message = (
                f"conflicting marks for {day.isoformat()} {marks.SESSION_NAMES[session[i]]}: "
                f"{raw_code!r} here and {obs.codes.values[obs.code[other]]!r} in row {int(obs.row[other])}"
                if other is not None
                else "conflicting marks for the same session"
            )
            hint = "Keep one mark per pupil per session."
        rejected.append((row, column, value, message, hint))
        if len(problems) < PROBLEM_LIMIT:
            problems.append(source.problem(message, hint, row=row, column=column))
    return problems, rejected, len(bad)
