"""The LA report as an Excel workbook (``att report la --output la.xlsx``).

Sheets, in order:

* **Summary**: the period and date generated; the LA headline beside the national figures (raw
  counts beside every rate); the LA cohort table;
* **Schools**: every school ranked by PA rate (``SCHOOL_HEADERS``);
* **PA chart**: a bar chart of the PA rate of each school against the national rate, on a sheet
  of its own so that it prints a page wide;
* **Social care** (children with a social worker or looked after: the virtual school's view),
  **Penalty threshold**, **Continuous absence**: one row per listed enrolment
  (``PUPIL_HEADERS``; a "No pupils" note on row 2 when empty).

Tables have their header on row 1 (the Summary's are lower), frozen and auto-filtered.
Conventions as the TSM workbook (``tsm.workbook``): percentages stored 0-100 with one decimal,
counts as whole numbers, real dates, "Yes"/"No", every text cell through the formula-injection
guard (``exports.xlsx.safe_cell_value``), saved 0600 and atomically
(``exports.xlsx.save_workbook``). The pupil sheets (about 6,000 rows on a 120-school LA) are
streamed (``exports.xlsx.stream_table``): written cell by cell through openpyxl they took 6 of
the command's 12 seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attendance_cli.analysis.summary import GroupSummary
from attendance_cli.exports.cohorts import write_cohort_table
from attendance_cli.exports.xlsx import (
    COUNT_FORMAT,
    DATE_FORMAT,
    DAYS_FORMAT,
    PERCENT_FORMAT,
    StreamedTable,
    autosize_columns,
    fit_row_heights,
    freeze_and_filter,
    header_footer_text,
    print_landscape,
    save_workbook,
    stream_table,
    write_cell,
    write_table,
)
from attendance_cli.views.la_report import LaPupil, LaReport
from attendance_cli.views.schools import SchoolRow

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

SHEET_NAMES = (
    "Summary",
    "Schools",
    "PA chart",
    "Social care",
    "Penalty threshold",
    "Continuous absence",
)


def _phase(school: SchoolRow) -> str | None:
    """The roster's phase as given; one derived from the year groups on roll says so."""
    if school.phase and school.phase_source == "year groups":
        return f"{school.phase} (from year groups)"
    return school.phase


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("Yes" if value else "No")


def _year(value: str | None) -> int | str | None:
    return int(value) if value and value.isdigit() else value


_SCHOOL_COLUMNS: tuple[tuple[str, Callable[[SchoolRow], Any], str | None], ...] = (
    ("PA rank", lambda s: s.pa_rank, COUNT_FORMAT),
    ("LAESTAB", lambda s: s.laestab, None),
    ("School", lambda s: s.name, None),
    ("Phase", lambda s: _phase(s), None),
    ("Marks up to", lambda s: s.last_marks, DATE_FORMAT),
    ("On roll", lambda s: s.on_roll, COUNT_FORMAT),
    ("Possible sessions", lambda s: s.possible, COUNT_FORMAT),
    ("Attended", lambda s: s.attended, COUNT_FORMAT),
    ("Attendance %", lambda s: s.attendance_pct, PERCENT_FORMAT),
    ("Authorised", lambda s: s.authorised, COUNT_FORMAT),
    ("Authorised %", lambda s: s.authorised_pct, PERCENT_FORMAT),
    ("Unauthorised", lambda s: s.unauthorised, COUNT_FORMAT),
    ("Unauthorised %", lambda s: s.unauthorised_pct, PERCENT_FORMAT),
    ("PA pupils", lambda s: s.persistent, COUNT_FORMAT),
    ("PA %", lambda s: s.persistent_pct, PERCENT_FORMAT),
    ("SA pupils", lambda s: s.severe, COUNT_FORMAT),
    ("SA %", lambda s: s.severe_pct, PERCENT_FORMAT),
)
SCHOOL_HEADERS = tuple(header for header, _, _ in _SCHOOL_COLUMNS)
SCHOOL_NAME_COLUMNS = 3  # PA rank, LAESTAB, School: frozen and printed on every page across

_PUPIL_COLUMNS: tuple[tuple[str, Callable[[LaPupil], Any], str | None], ...] = (
    ("LAESTAB", lambda p: p.laestab, None),
    ("School", lambda p: p.school, None),
    ("UPN", lambda p: p.upn, None),
    ("Surname", lambda p: p.surname, None),
    ("Forename", lambda p: p.forename, None),
    ("Year", lambda p: _year(p.year_group), None),
    ("Social worker", lambda p: p.social_worker, None),
    ("Looked after", lambda p: _yes_no(p.looked_after), None),
    ("Possible", lambda p: p.figures.possible, COUNT_FORMAT),
    ("Attended", lambda p: p.figures.attended, COUNT_FORMAT),
    ("Authorised", lambda p: p.figures.authorised, COUNT_FORMAT),
    ("Unauthorised", lambda p: p.figures.unauthorised, COUNT_FORMAT),
    ("Attendance %", lambda p: p.figures.attendance_pct, PERCENT_FORMAT),
    ("Absence %", lambda p: p.figures.absence_pct, PERCENT_FORMAT),
    ("Days missed", lambda p: p.figures.days_missed, DAYS_FORMAT),
    ("Persistent", lambda p: _yes_no(p.figures.persistent), None),
    ("Severe", lambda p: _yes_no(p.figures.severe), None),
    ("Unexplained (N/O)", lambda p: p.unexplained_sessions, COUNT_FORMAT),
    ("Penalty threshold met", lambda p: _yes_no(p.penalty_threshold_met), None),
    ("Penalty threshold date", lambda p: p.penalty_threshold_date, DATE_FORMAT),
    ("Met in last 10 school weeks", lambda p: _yes_no(p.penalty_threshold_met_now), None),
    ("Unauthorised in last 10 school weeks", lambda p: p.unauthorised_last_10_weeks, COUNT_FORMAT),
    ("Longest unauthorised run (days)", lambda p: p.longest_unauthorised_days, COUNT_FORMAT),
    ("Run from", lambda p: p.longest_unauthorised_from, DATE_FORMAT),
    ("Run still going", lambda p: _yes_no(p.longest_unauthorised_running), None),
    ("Flags", lambda p: "; ".join(p.flags) or None, None),
    ("Lead practitioner", lambda p: p.lead_practitioner, None),
    ("Open actions", lambda p: p.open_actions, COUNT_FORMAT),
    ("Next review", lambda p: p.next_review, DATE_FORMAT),
)
PUPIL_HEADERS = tuple(header for header, _, _ in _PUPIL_COLUMNS)
PUPIL_NAME_COLUMNS = 5  # LAESTAB, School, UPN, Surname, Forename


def write_la_workbook(
    report: LaReport, path: Path, *, generated_on: dt.date | None = None, force: bool = False
) -> Path:
    """Write ``report`` as an .xlsx workbook at ``path`` (mode 0600, replaced whole) and return
    the path. Raises InvalidInputError when the folder does not exist or the name does not end
    in .xlsx."""
    from openpyxl import Workbook

    import attendance_cli

    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Summary"
    _write_summary(summary, report, generated_on or dt.date.today())
    _write_schools(workbook.create_sheet("Schools"), report)
    pupil_tables = [
        _write_pupils(workbook.create_sheet(title), title, pupils)
        for title, pupils in (
            ("Social care", report.social_care),
            ("Penalty threshold", report.penalty_threshold),
            ("Continuous absence", report.continuous_absence),
        )
    ]
    workbook.properties.title = "LA attendance report"
    workbook.properties.creator = f"att {attendance_cli.__version__}"
    return save_workbook(workbook, path, streamed=pupil_tables, force=force)


def _write_summary(ws: Worksheet, report: LaReport, generated_on: dt.date) -> None:
    from openpyxl.styles import Font

    write_cell(ws, 1, 1, "LA attendance report").font = Font(bold=True, size=14)
    period, nat, s = report.period, report.national, report.summary
    info: list[tuple[str, Any]] = [
        ("Period", period.get("label")),
        ("From", period.get("from")),
        ("To", period.get("to")),
        ("Register marks up to", period.get("last_marks")),
        ("Generated", generated_on),
        ("Schools", len(report.schools)),
        ("Children with a social worker or looked after", len(report.social_care)),
        ("Meeting the penalty-notice threshold", len(report.penalty_threshold)),
        ("Continuous unauthorised absence alerts", len(report.continuous_absence)),
    ]
    row = 2
    for label, value in info:
        write_cell(ws, row, 1, label, bold=True)
        write_cell(ws, row, 2, value)
        row += 1
    row += 1
    write_cell(ws, row, 1, "Headline figures", bold=True).font = Font(bold=True, size=12)
    headers = ["Measure", "LA", "LA: out of", "LA %", f"National % ({nat.academic_year})"]
    rows = [
        _headline("Pupils on roll (with a possible session)", s, "on_roll", "enrolments", None),
        _headline("Possible sessions", s, "possible", None, None),
        _headline("Attendance (sessions attended)", s, "attended", "possible", "attendance_pct")
        + [round(100 - nat.absence_pct, 1)],
        _headline("Absence (sessions missed)", s, "sessions_missed", "possible", "absence_pct")
        + [nat.absence_pct],
        _headline("Authorised absence (sessions)", s, "authorised", "possible", "authorised_pct"),
        _headline(
            "Unauthorised absence (sessions)", s, "unauthorised", "possible", "unauthorised_pct"
        ),
        _headline(
            "Persistent absence, 10% or more (pupils)", s, "persistent", "on_roll", "persistent_pct"
        )
        + [nat.persistent_pct],
        _headline("Severe absence, 50% or more (pupils)", s, "severe", "on_roll", "severe_pct")
        + [nat.severe_pct],
    ]
    rows = [r + [None] * (len(headers) - len(r)) for r in rows]
    formats = {"LA": COUNT_FORMAT, "LA: out of": COUNT_FORMAT, "LA %": PERCENT_FORMAT}
    formats[headers[4]] = PERCENT_FORMAT
    row = write_table(ws, headers=headers, rows=rows, start_row=row + 1, number_formats=formats)
    row += 1
    write_cell(ws, row, 1, f"National: {nat.source}, state-funded schools in England.").font = Font(
        italic=True
    )
    row += 2
    write_cell(ws, row, 1, "Cohorts (LA)", bold=True).font = Font(bold=True, size=12)
    write_cohort_table(ws, report.cohorts, start_row=row + 1)
    ws.column_dimensions["A"].width = 46
    for letter in "BCDEFGHIJKLM":  # the headers wrap: a landscape page wide
        ws.column_dimensions[letter].width = 11
    fit_row_heights(ws)
    print_landscape(ws)
    ws.oddHeader.center.text = header_footer_text("LA attendance report")


def _headline(
    label: str, s: GroupSummary, count: str, base: str | None, rate: str | None
) -> list[Any]:
    return [
        label,
        getattr(s, count),
        getattr(s, base) if base else None,
        getattr(s, rate) if rate else None,
    ]


def _write_schools(ws: Worksheet, report: LaReport) -> None:
    last = write_table(
        ws,
        headers=SCHOOL_HEADERS,
        rows=([value(s) for _, value, _ in _SCHOOL_COLUMNS] for s in report.schools),
        number_formats={h: f for h, _, f in _SCHOOL_COLUMNS if f},
    )
    freeze_and_filter(
        ws,
        header_row=1,
        columns=len(SCHOOL_HEADERS),
        last_row=last,
        frozen_columns=SCHOOL_NAME_COLUMNS,
    )
    autosize_columns(ws, max_width=40, header_row=1)
    fit_row_heights(ws)
    print_landscape(ws, repeated_columns=SCHOOL_NAME_COLUMNS)
    ws.oddHeader.center.text = header_footer_text("Schools ranked by persistent absence rate")
    chart_sheet = ws.parent.create_sheet("PA chart", index=ws.parent.index(ws) + 1)
    if report.schools:
        _pa_chart(chart_sheet, ws, last, report.national.persistent_pct)
    else:
        write_cell(chart_sheet, 1, 1, "No schools")


def _pa_chart(sheet: Worksheet, ws: Worksheet, last: int, national_pa: float) -> None:
    """The PA rate of each school as a bar chart on a sheet of its own, ``sheet``, drawn from
    the Schools table ``ws``: a page wide when printed, a bar a school."""
    from openpyxl.chart import BarChart, Reference

    column = SCHOOL_HEADERS.index("PA %") + 1
    chart = BarChart()
    chart.type = "bar"
    chart.title = f"Persistent absence rate by school (national {national_pa:.1f}%)"
    chart.x_axis.title = "School"
    chart.y_axis.title = "% of pupils on roll"
    chart.add_data(Reference(ws, min_col=column, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(
        Reference(ws, min_col=SCHOOL_HEADERS.index("School") + 1, min_row=2, max_row=last)
    )
    chart.x_axis.scaling.orientation = "maxMin"  # highest rate at the top, as in the table
    chart.y_axis.scaling.min = 0
    chart.legend = None
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width, chart.height = 26, max(12, 0.5 * (last - 1))  # cm: a landscape A4 page wide
    sheet.add_chart(chart, "A1")
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddHeader.center.text = header_footer_text("Persistent absence rate by school")


def _write_pupils(ws: Worksheet, title: str, pupils: list[LaPupil]) -> StreamedTable:
    """Thousands of rows on a big LA: streamed (``exports.xlsx.stream_table``), saved with the
    workbook."""
    from openpyxl.styles import Font

    table = stream_table(
        ws,
        headers=PUPIL_HEADERS,
        rows=([value(p) for _, value, _ in _PUPIL_COLUMNS] for p in pupils),
        number_formats={h: f for h, _, f in _PUPIL_COLUMNS if f},
        wrap=["Flags"],
    )
    if not pupils:
        write_cell(ws, 2, 1, "No pupils").font = Font(italic=True)
    freeze_and_filter(
        ws,
        header_row=1,
        columns=len(PUPIL_HEADERS),
        last_row=table.last_row,
        frozen_columns=PUPIL_NAME_COLUMNS,
    )
    autosize_columns(ws, max_width=45, measured=table.longest, header_row=1)
    fit_row_heights(ws, max_row=1)  # the streamed rows get theirs when saved
    print_landscape(ws, repeated_columns=PUPIL_NAME_COLUMNS)
    ws.oddHeader.center.text = header_footer_text(f"LA report: {title} ({len(pupils)})")
    return table
