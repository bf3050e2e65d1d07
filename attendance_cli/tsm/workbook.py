"""The TSM pack as the Excel workbook an LA sends a school before a Targeting Support Meeting.

Sheets, in order:

* **Summary**: the school, period and date generated; headline figures for the school, the LA
  and England with the raw counts beside every rate; native Excel charts (weekly attendance, PA
  and SA by year group); the cohort table; the charts' data (two small tables at the bottom).
* **Severe**, **Persistent**, **At risk**: one row per listed pupil of compulsory school age
  (``PUPIL_HEADERS``), header on row 1, frozen, auto-filtered; a "No pupils" note on row 2 when
  the band is empty. **Below school age**: listed pupils below compulsory school age, apart
  from legal-age PA; **Also listed**: pupils outside the bands the meeting must still see (a
  child with a social worker or looked after with unexplained absence, a part-time
  timetable), with the reason. The same columns on each (``tsm.pack.SECTIONS``).
* **Actions**: the form the meeting fills in, read back by ``att tsm record --from-workbook``:
  the header (``ACTIONS_HEADERS``) on row 1 and one listed pupil per row (severe, persistent, at
  risk, in the pack's order), pre-filled columns first, then the empty ``ACTIONS_FILL_IN``
  columns with dropdowns for "Action kind" and "Agency" and a date check on "Review date".
* **Lists** (hidden): the dropdown values.

Conventions: percentages are stored as the pack holds them, 0-100 with one decimal (93.1 means
93.1%), number format ``0.0`` under a header ending in "%"; counts are whole numbers; dates are
real Excel dates shown dd/mm/yyyy; yes/no as the text "Yes"/"No". Every text cell goes through
the formula-injection guard (``exports.xlsx.write_cell``), so a pupil named ``=HYPERLINK(...)``
is stored as the text ``'=HYPERLINK(...)``.

How a reader recognises a pack: the custom document property ``att_tsm_pack`` holds
``FORMAT_VERSION`` (with ``att_school`` = LAESTAB, ``att_period_from`` / ``att_period_to`` as
ISO dates, ``att_version``), and the defined name ``att_tsm_actions`` covers the Actions header
and pupil rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attendance_cli.exports.cohorts import write_cohort_table
from attendance_cli.exports.xlsx import (
    COUNT_FORMAT,
    DATE_FORMAT,
    DAYS_FORMAT,
    INPUT_FILL,
    PERCENT_FORMAT,
    autosize_columns,
    fit_row_heights,
    freeze_and_filter,
    header_footer_text,
    print_landscape,
    safe_cell_value,
    save_workbook,
    style_header,
    write_cell,
    write_table,
)
from attendance_cli.text import plural

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from attendance_cli.analysis.summary import GroupSummary
from attendance_cli.analysis.summary import cohort_label
from attendance_cli.cases import kinds
from attendance_cli.tsm.pack import SECTION_TITLES, PupilEntry, TsmPack

FORMAT_VERSION = "1"
MARKER_PROPERTY = "att_tsm_pack"
ACTIONS_RANGE_NAME = "att_tsm_actions"

BANDS = (
    ("severe", "Severe"),
    ("persistent", "Persistent"),
    ("at_risk", "At risk"),
    ("below_school_age", "Below school age"),
    ("also_listed", "Also listed"),
)  # the pack's listed sections (tsm.pack.SECTIONS) and their sheets
SHEET_NAMES = ("Summary", *(title for _, title in BANDS), "Actions", "Lists")
BAND_TITLES = {section: SECTION_TITLES[section] for section, _ in BANDS}

# One list of agencies and action kinds for the whole tool (the workbook's dropdowns included).
AGENCIES = kinds.AGENCIES
ACTION_KINDS = kinds.AGREEABLE_ACTION_KINDS  # a penalty notice: `att penalty add`
SPARE_ACTION_ROWS = 50  # rows below the pupils that keep the dropdowns, for pupils added by hand


@dataclass(frozen=True)
class _Column:
    header: str
    value: Callable[[PupilEntry], Any]
    number_format: str | None = None
    wrap: bool = False


def _year(value: str | None) -> int | str | None:
    return int(value) if value and value.isdigit() else value


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("Yes" if value else "No")


def _joined(items: Sequence[str], separator: str = "; ") -> str | None:
    return separator.join(items) if items else None


def _context(p: PupilEntry) -> str | None:
    parts = [f"reg {p.registration_group}"] if p.registration_group else []
    if p.fsm:
        parts.append("FSM")
    parts.extend({"K": ["SEN support"], "E": ["EHC plan"]}.get(p.sen or "", []))
    if p.social_worker:
        parts.append({"SW": "social worker"}.get(p.social_worker, p.social_worker))
    if p.looked_after:
        parts.append("looked after")
    if p.missing:
        parts.append(f"incomplete: {plural(p.missing, 'session')} not yet marked")
    return _joined(parts, ", ")


def _recovery(p: PupilEntry) -> int | str | None:
    if p.leaving_date is not None:
        return "left: none"
    if p.pa_unavoidable_this_year:
        return "PA unavoidable this year"
    return p.recovery_sessions_year


def _siblings(p: PupilEntry) -> str | None:
    return _joined([f"{s.text}, {s.shared}" for s in p.siblings])


def _agreed(p: PupilEntry) -> str | None:
    return _joined([f"{a.agreed_on:%d/%m/%Y}: {a.text}" for a in p.actions_since_last_meeting])


PUPIL_COLUMNS = (
    _Column("UPN", lambda p: p.upn),
    _Column("Surname", lambda p: p.surname),
    _Column("Forename", lambda p: p.forename),
    _Column("Year", lambda p: _year(p.year_group)),
    _Column("Context", _context),
    _Column("Possible", lambda p: p.figures.possible, COUNT_FORMAT),
    _Column("Attended", lambda p: p.figures.attended, COUNT_FORMAT),
    _Column("Authorised", lambda p: p.figures.authorised, COUNT_FORMAT),
    _Column("Unauthorised", lambda p: p.figures.unauthorised, COUNT_FORMAT),
    _Column("Late", lambda p: p.figures.late, COUNT_FORMAT),
    _Column("Attendance %", lambda p: p.figures.attendance_pct, PERCENT_FORMAT),
    _Column("Absence %", lambda p: p.figures.absence_pct, PERCENT_FORMAT),
    _Column("Days missed", lambda p: p.figures.days_missed, DAYS_FORMAT),
    _Column("Penalty threshold met", lambda p: _yes_no(p.penalty_threshold_met)),
    _Column("Penalty threshold date", lambda p: p.penalty_threshold_date, DATE_FORMAT),
    _Column("Longest absence (days)", lambda p: p.longest_absence_days, COUNT_FORMAT),
    _Column("Flags", lambda p: _joined(p.flags), wrap=True),
    _Column("At-risk reasons", lambda p: _joined(p.at_risk_reasons), wrap=True),
    _Column("Recovery (sessions in a row to leave PA by July)", _recovery, COUNT_FORMAT),
    _Column("Pattern", lambda p: _joined(p.pattern), wrap=True),
    _Column("Top reasons", lambda p: _joined(p.top_reasons, ", "), wrap=True),
    _Column("Lead practitioner", lambda p: p.lead_practitioner),
    _Column("Open actions", lambda p: p.open_actions, COUNT_FORMAT),
    _Column("Next review", lambda p: p.next_review, DATE_FORMAT),
    _Column("Left on", lambda p: p.leaving_date, DATE_FORMAT),
    _Column(
        "Compulsory school age from",
        lambda p: p.compulsory_school_age_from,
        DATE_FORMAT,
    ),
    _Column("Unexplained (N/O)", lambda p: p.unexplained_sessions, COUNT_FORMAT),
    _Column("Tell the social worker", lambda p: "Yes" if p.tell_social_worker else None),
    _Column("Part-time timetable (C2 sessions)", lambda p: p.part_time_sessions or None),
    _Column("C2 from", lambda p: p.part_time_from, DATE_FORMAT),
    _Column("C2 to", lambda p: p.part_time_to, DATE_FORMAT),
    _Column("Siblings (whole-family plan)", lambda p: _siblings(p), wrap=True),
    _Column("Agreed since last TSM", lambda p: _agreed(p), wrap=True),
    _Column("Penalty notices", lambda p: p.penalty_notices or None, COUNT_FORMAT),
    _Column("Latest penalty notice", lambda p: p.latest_penalty_notice, DATE_FORMAT),
    _Column("Listed because", lambda p: _joined(p.listed_because), wrap=True),
)
PUPIL_HEADERS = tuple(column.header for column in PUPIL_COLUMNS)
# UPN, surname and forename: frozen on screen and printed on every page across
NAME_COLUMNS = 3

ACTIONS_PREFILLED = (
    _Column("UPN", lambda p: p.upn),
    _Column("Surname", lambda p: p.surname),
    _Column("Forename", lambda p: p.forename),
    _Column("Year", lambda p: _year(p.year_group)),
    _Column("Band", lambda p: dict(BANDS).get(p.section, p.band)),
    _Column("Attendance %", lambda p: p.figures.attendance_pct, PERCENT_FORMAT),
    _Column("Current lead practitioner", lambda p: p.lead_practitioner),
    _Column("Current agency", lambda p: p.lead_agency),
    _Column("Current next review", lambda p: p.next_review, DATE_FORMAT),
)
ACTIONS_FILL_IN = (
    "Barriers",
    "Agreed action",
    "Action kind",
    "Owner",
    "Lead practitioner",
    "Agency",
    "Review date",
)
ACTIONS_HEADERS = (*(column.header for column in ACTIONS_PREFILLED), *ACTIONS_FILL_IN)


def write_tsm_workbook(
    pack: TsmPack, path: Path, *, generated_on: dt.date | None = None, force: bool = False
) -> Path:
    """Write ``pack`` as an .xlsx workbook at ``path`` (mode 0600, replaced whole, never left
    half-written) and return the path. Raises InvalidInputError when the folder does not exist
    or the name does not end in .xlsx."""
    from openpyxl import Workbook

    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Summary"
    _write_summary(summary, pack, generated_on or dt.date.today())
    for band, title in BANDS:
        _write_band(workbook.create_sheet(title), pack, band)
    listed = [p for band, _ in BANDS for p in pack.pupils if p.section == band]
    lists = workbook.create_sheet("Lists")
    agency_range, kind_range = _write_lists(lists)
    _write_actions(
        workbook.create_sheet("Actions", index=len(BANDS) + 1),
        pack,
        listed,
        agency_range=agency_range,
        kind_range=kind_range,
    )
    _mark(workbook, pack, len(listed))
    return save_workbook(workbook, path, force=force)


# --- Summary -------------------------------------------------------------------------------


def _write_summary(ws: Worksheet, pack: TsmPack, generated_on: dt.date) -> None:
    from openpyxl.styles import Alignment, Font

    school, period, nat = pack.school, pack.period, pack.national
    title = write_cell(
        ws, 1, 1, f"Targeting Support Meeting pack: {school['name']} ({school['laestab']})"
    )
    title.font = Font(bold=True, size=14)
    bands = {band: sum(p.section == band for p in pack.pupils) for band, _ in BANDS}
    info: list[tuple[str, Any]] = [
        ("School", school["name"]),
        ("LAESTAB", school["laestab"]),
        ("Period", period.get("label")),
        ("From", period.get("from")),
        ("To", period.get("to")),
        ("Register marks up to", period.get("last_marks")),
        ("Generated", generated_on),
        ("Severely absent pupils listed", bands["severe"]),
        ("Persistently absent pupils listed", bands["persistent"]),
        ("At-risk pupils listed", bands["at_risk"]),
        (
            "Below compulsory school age (listed apart, not in the counts above)",
            bands["below_school_age"],
        ),
        ("Also listed (social worker with N/O absence, part-time timetable)", bands["also_listed"]),
        ("Last TSM with the school", pack.last_meeting),
        (
            "Severe or persistent with no agreed plan or no lead practitioner",
            len(pack.no_plan_or_lead),
        ),
    ]
    row = 2
    for label, value in info:
        write_cell(ws, row, 1, label, bold=True).alignment = Alignment(wrap_text=True)
        write_cell(ws, row, 2, value)
        row += 1

    row += 1
    write_cell(ws, row, 1, "Headline figures", bold=True).font = Font(bold=True, size=12)
    row += 1
    national_attendance = round(100 - nat.absence_pct, 1)
    headers = [
        "Measure",
        "School",
        "School: out of",
        "School %",
        "LA",
        "LA: out of",
        "LA %",
        f"National % ({nat.academic_year})",
    ]
    s, la = pack.summary, pack.la_summary
    rows = [
        _headline("Pupils on roll (with a possible session)", s, la, "on_roll", "enrolments"),
        _headline("Possible sessions", s, la, "possible", None),
        _headline("Attendance (sessions attended)", s, la, "attended", "possible", "attendance_pct")
        + [national_attendance],
        _headline("Absence (sessions missed)", s, la, "sessions_missed", "possible", "absence_pct")
        + [nat.absence_pct],
        _headline(
            "Authorised absence (sessions)", s, la, "authorised", "possible", "authorised_pct"
        )
        + [None],
        _headline(
            "Unauthorised absence (sessions)",
            s,
            la,
            "unauthorised",
            "possible",
            "unauthorised_pct",
        )
        + [None],
        _headline(
            "Persistent absence, 10% or more (pupils)",
            s,
            la,
            "persistent",
            "on_roll",
            "persistent_pct",
        )
        + [nat.persistent_pct],
        _headline("Severe absence, 50% or more (pupils)", s, la, "severe", "on_roll", "severe_pct")
        + [nat.severe_pct],
    ]
    legal = pack.legal_age_summary
    if legal is not None:  # the school's PA and SA without the children below school age
        rows += [
            [
                "Persistent absence of compulsory school age (pupils)",
                legal.persistent,
                legal.on_roll,
                legal.persistent_pct,
            ],
            [
                "Severe absence of compulsory school age (pupils)",
                legal.severe,
                legal.on_roll,
                legal.severe_pct,
            ],
        ]
    rows = [r + [None] * (len(headers) - len(r)) for r in rows]
    formats = dict.fromkeys(headers[1:], COUNT_FORMAT) | dict.fromkeys(
        (headers[3], headers[6], headers[7]), PERCENT_FORMAT
    )
    row = write_table(ws, headers=headers, rows=rows, start_row=row, number_formats=formats)
    notes = [
        "Percentages are shown 0-100 (93.1 means 93.1%); each sits beside the count it comes "
        "from. PA and SA rates are out of the pupils on roll.",
        "LA: every enrolment in the att database over the same period.",
        "Of compulsory school age: the school's pupils less those below compulsory school age "
        "on the period's last day (Reception before the prescribed day after their fifth "
        "birthday); they are listed apart on the Below school age sheet.",
        f"National: {nat.source}, state-funded schools in England, {nat.academic_year}; "
        "blank where not published.",
    ]
    for note in notes:
        row += 1
        write_cell(ws, row, 1, note).font = Font(italic=True)

    row += 2
    chart_row = row
    row += 17  # room for the two charts, side by side

    write_cell(ws, row, 1, "Cohorts", bold=True).font = Font(bold=True, size=12)
    row = write_cohort_table(ws, pack.cohorts, start_row=row + 1)
    if not pack.cohorts:
        row += 1
        write_cell(ws, row, 1, "No pupils on roll in the period")

    row += 2
    weekly_title = row
    write_cell(ws, row, 1, "Weekly attendance (chart data)", bold=True)
    weekly_headers = [
        "Week beginning",
        "School attendance %",
        f"National attendance % ({nat.academic_year} average)",
    ]
    weekly_rows = [
        [week, value, national_attendance]
        for week, value in zip(pack.weeks, pack.school_weekly, strict=False)
    ]
    weekly_last = write_table(
        ws,
        headers=weekly_headers,
        rows=weekly_rows,
        start_row=row + 1,
        number_formats={weekly_headers[1]: PERCENT_FORMAT, weekly_headers[2]: PERCENT_FORMAT},
    )

    row = weekly_last + 2
    write_cell(ws, row, 1, "PA and SA by year group (chart data)", bold=True)
    year_headers = ["Year group", "On roll", "PA pupils", "PA %", "SA pupils", "SA %"]
    year_rows = [
        [
            cohort_label("year_group", c.value),
            c.summary.on_roll,
            c.summary.persistent,
            c.summary.persistent_pct,
            c.summary.severe,
            c.summary.severe_pct,
        ]
        for c in pack.cohorts
        if c.dimension == "year_group"
    ]
    year_last = write_table(
        ws,
        headers=year_headers,
        rows=year_rows,
        start_row=row + 1,
        number_formats=dict.fromkeys(year_headers[1:], COUNT_FORMAT)
        | {"PA %": PERCENT_FORMAT, "SA %": PERCENT_FORMAT},
    )

    _weekly_chart(ws, header_row=weekly_title + 1, last_row=weekly_last, anchor=f"A{chart_row}")
    _year_group_chart(ws, header_row=row + 1, last_row=year_last, anchor=f"E{chart_row}")

    ws.column_dimensions["A"].width = 46
    for letter in "BCDEFGHIJKLM":  # the headers wrap: a landscape page wide
        ws.column_dimensions[letter].width = 11
    ws.freeze_panes = "A2"
    fit_row_heights(ws)
    print_landscape(ws)
    ws.oddHeader.center.text = header_footer_text(f"{school['name']}: TSM pack")


def _headline(
    label: str,
    school: GroupSummary,
    la: GroupSummary,
    count: str,
    base: str | None,
    rate: str | None = None,
) -> list[Any]:
    row: list[Any] = [label]
    for summary in (school, la):
        row += [
            getattr(summary, count),
            getattr(summary, base) if base else None,
            getattr(summary, rate) if rate else None,
        ]
    return row


def _no_axis_delete(chart: Any) -> None:
    # openpyxl 3.1 leaves <c:delete> unset, which recent Excel reads as "axis hidden"
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _weekly_chart(ws: Worksheet, *, header_row: int, last_row: int, anchor: str) -> None:
    from openpyxl.chart import LineChart, Reference

    chart = LineChart()
    chart.title = "Weekly attendance"
    chart.y_axis.title = "Attendance %"
    chart.x_axis.title = "Week beginning"
    chart.x_axis.number_format = "dd/mm"
    chart.y_axis.number_format = "0"
    last = max(last_row, header_row + 1)
    chart.add_data(
        Reference(ws, min_col=2, max_col=3, min_row=header_row, max_row=last),
        titles_from_data=True,
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
    values = [
        v
        for row in ws.iter_rows(min_row=header_row + 1, max_row=last, min_col=2, max_col=3)
        for v in (cell.value for cell in row)
        if isinstance(v, int | float)
    ]
    if values:
        chart.y_axis.scaling.min = max(0, (int(min(values)) // 5) * 5 - 5)
        chart.y_axis.scaling.max = 100
    chart.legend.position = "b"
    chart.width, chart.height = 16, 8
    _no_axis_delete(chart)
    ws.add_chart(chart, anchor)


def _year_group_chart(ws: Worksheet, *, header_row: int, last_row: int, anchor: str) -> None:
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = "Persistent and severe absence by year group"
    chart.y_axis.title = "% of pupils on roll"
    chart.y_axis.number_format = "0"
    last = max(last_row, header_row + 1)
    for column in (4, 6):  # PA %, SA %
        chart.add_data(
            Reference(ws, min_col=column, min_row=header_row, max_row=last), titles_from_data=True
        )
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
    chart.y_axis.scaling.min = 0
    chart.legend.position = "b"
    chart.width, chart.height = 16, 8
    _no_axis_delete(chart)
    ws.add_chart(chart, anchor)


# --- Severe / Persistent / At risk ---------------------------------------------------------


def _write_band(ws: Worksheet, pack: TsmPack, band: str) -> None:
    pupils = [p for p in pack.pupils if p.section == band]
    last = write_table(
        ws,
        headers=PUPIL_HEADERS,
        rows=([column.value(p) for column in PUPIL_COLUMNS] for p in pupils),
        number_formats={c.header: c.number_format for c in PUPIL_COLUMNS if c.number_format},
        wrap=[c.header for c in PUPIL_COLUMNS if c.wrap],
    )
    if not pupils:
        write_cell(ws, 2, 1, "No pupils").font = _italic()
    freeze_and_filter(
        ws, header_row=1, columns=len(PUPIL_HEADERS), last_row=last, frozen_columns=NAME_COLUMNS
    )
    autosize_columns(ws, min_row=1, max_width=45, header_row=1)
    fit_row_heights(ws)
    print_landscape(ws, repeated_columns=NAME_COLUMNS)
    ws.oddHeader.center.text = header_footer_text(
        f"{pack.school['name']}: {BAND_TITLES[band]} ({len(pupils)})"
    )


def _italic() -> Any:
    from openpyxl.styles import Font

    return Font(italic=True)


# --- Actions and Lists ---------------------------------------------------------------------


def _write_lists(ws: Worksheet) -> tuple[str, str]:
    """The dropdown values on the hidden Lists sheet; returns the two ranges to validate against."""
    write_table(ws, headers=["Agency"], rows=([a] for a in AGENCIES))
    write_table(
        ws,
        headers=["Action kind", "Tier"],
        rows=([kind, tier] for tier, kind in ACTION_KINDS),
        start_column=3,
    )
    write_cell(ws, 1, 6, "att TSM pack format", bold=True)
    write_cell(ws, 2, 6, FORMAT_VERSION)
    autosize_columns(ws)
    ws.sheet_state = "hidden"
    return (
        f"Lists!$A$2:$A${len(AGENCIES) + 1}",
        f"Lists!$C$2:$C${len(ACTION_KINDS) + 1}",
    )


def _write_actions(
    ws: Worksheet,
    pack: TsmPack,
    pupils: Sequence[PupilEntry],
    *,
    agency_range: str,
    kind_range: str,
) -> None:
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import to_excel
    from openpyxl.worksheet.datavalidation import DataValidation

    blank = [None] * len(ACTIONS_FILL_IN)
    last = write_table(
        ws,
        headers=ACTIONS_HEADERS,
        rows=([column.value(p) for column in ACTIONS_PREFILLED] + blank for p in pupils),
        number_formats={c.header: c.number_format for c in ACTIONS_PREFILLED if c.number_format},
    )
    first_input = len(ACTIONS_PREFILLED) + 1
    style_header(
        (ws.cell(row=1, column=c) for c in range(first_input, len(ACTIONS_HEADERS) + 1)),
        fill=INPUT_FILL,
    )
    input_fill = PatternFill("solid", start_color=INPUT_FILL, end_color=INPUT_FILL)
    column_of = {header: index for index, header in enumerate(ACTIONS_HEADERS, start=1)}
    for row in range(2, last + 1):
        for column in range(first_input, len(ACTIONS_HEADERS) + 1):
            ws.cell(row=row, column=column).fill = input_fill
        ws.cell(row=row, column=column_of["Review date"]).number_format = DATE_FORMAT
    freeze_and_filter(
        ws, header_row=1, columns=len(ACTIONS_HEADERS), last_row=last, frozen_columns=NAME_COLUMNS
    )

    def cells(header: str) -> str:
        letter = get_column_letter(column_of[header])
        return f"{letter}2:{letter}{last + SPARE_ACTION_ROWS}"

    review_from = pack.period.get("to") or dt.date.today()
    validations = [
        (
            DataValidation(
                type="list",
                formula1=kind_range,
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Action kind",
                error="Choose an action kind from the list.",
                promptTitle="Action kind",
                prompt="Support, formal or legal: choose from the list.",
                showInputMessage=True,
            ),
            "Action kind",
        ),
        (
            DataValidation(
                type="list",
                formula1=agency_range,
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Agency",
                error="Choose the lead agency from the list.",
            ),
            "Agency",
        ),
        (
            DataValidation(
                type="date",
                operator="greaterThanOrEqual",
                formula1=str(int(to_excel(review_from))),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Review date",
                error=f"Enter a date on or after {review_from:%d/%m/%Y}.",
            ),
            "Review date",
        ),
    ]
    for validation, header in validations:
        validation.add(cells(header))
        ws.add_data_validation(validation)

    autosize_columns(
        ws,
        widths={
            column_of["Barriers"]: 40,
            column_of["Agreed action"]: 40,
            column_of["Action kind"]: 26,
            column_of["Owner"]: 18,
            column_of["Lead practitioner"]: 20,
            column_of["Agency"]: 14,
            column_of["Review date"]: 12,
        },
        header_row=1,
    )
    fit_row_heights(ws)
    print_landscape(ws, repeated_columns=NAME_COLUMNS)
    ws.oddHeader.center.text = header_footer_text(f"{pack.school['name']}: TSM actions")


def _mark(workbook: Workbook, pack: TsmPack, listed: int) -> None:
    """The markers ``att tsm record --from-workbook`` checks (see the module docstring)."""
    from openpyxl.packaging.custom import StringProperty
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.defined_name import DefinedName

    import attendance_cli

    def text(value: Any) -> str:
        return "" if value is None else str(safe_cell_value(value))

    period_from, period_to = pack.period.get("from"), pack.period.get("to")
    for name, value in (
        (MARKER_PROPERTY, FORMAT_VERSION),
        ("att_version", attendance_cli.__version__),
        ("att_school", pack.school.get("laestab")),
        ("att_period_from", period_from.isoformat() if period_from else None),
        ("att_period_to", period_to.isoformat() if period_to else None),
    ):
        workbook.custom_doc_props.append(StringProperty(name=name, value=text(value)))
    last_column = get_column_letter(len(ACTIONS_HEADERS))
    workbook.defined_names[ACTIONS_RANGE_NAME] = DefinedName(
        ACTIONS_RANGE_NAME, attr_text=f"Actions!$A$1:${last_column}${listed + 1}"
    )
    workbook.properties.title = text(f"TSM pack: {pack.school.get('name')}")
    workbook.properties.creator = f"att {attendance_cli.__version__}"
