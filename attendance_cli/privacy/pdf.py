"""The subject access report as a PDF for people, in reportlab (as the referral bundle).

The same data as the JSON, already redacted: a cover saying who it is about, when it was made
and how third parties are shown, then one section per record type; each record is a small
two-column table of its fields (dates as dd/mm/yyyy), marks are a week-by-week grid, and a
long text is printed in full. The embedded font is the bundle's (``referrals.pdf``), with its
transliteration of characters it cannot draw.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from attendance_cli.text import plural, uk_date

if TYPE_CHECKING:
    from attendance_cli.privacy.access import AccessReport

TITLES = {
    "pupil": "The pupil record",
    "enrolments": "Schools (enrolments)",
    "attendance": "Attendance figures, by school and academic year",
    "marks": "Register marks",
    "mark_changes": "Register marks changed by a later import",
    "contacts": "Parents and carers (contacts)",
    "children": "Children this person is a contact of",
    "cases": "Cases",
    "actions": "Actions",
    "leads": "Lead practitioners",
    "notes": "Case notes",
    "meetings": "Meetings",
    "documents": "Documents (listed with their SHA-256)",
    "penalty_notices": "Penalty notices",
    "letters": "Letters",
    "audit_entries": "Audit log entries",
}
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")
LONG_TEXT = 1500  # characters: longer values are printed after their record's table
PIECE = 1500


def _pieces(text: str) -> list[str]:
    """``text`` in paragraphs of at most ``PIECE`` characters, split at line breaks or spaces
    where there are some (linear in the text's length)."""
    pieces = []
    start = 0
    while start < len(text):
        end = min(start + PIECE, len(text))
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind(" ", start, end))
            if cut > start:
                end = cut + 1
        pieces.append(text[start:end])
        start = end
    return pieces


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    if len(text) >= 10 and text[4:5] == "-" and text[7:8] == "-":
        return uk_date(text)
    return text


def access_pdf(report: AccessReport) -> bytes:
    """The PDF's bytes."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from attendance_cli.referrals.pdf import FONT, FONT_BOLD, _Printable, _register_fonts

    printable = _Printable(_register_fonts())
    body = ParagraphStyle("Body", fontName=FONT, fontSize=9, leading=11.5, spaceAfter=3)
    cell = ParagraphStyle("Cell", parent=body, fontSize=7.5, leading=9, spaceAfter=0)
    bold = ParagraphStyle("CellBold", parent=cell, fontName=FONT_BOLD)
    title = ParagraphStyle("Title", parent=body, fontName=FONT_BOLD, fontSize=18, leading=23)
    heading = ParagraphStyle(
        "H", parent=body, fontName=FONT_BOLD, fontSize=12, leading=15, spaceBefore=8, spaceAfter=4
    )
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
        ]
    )

    def para(text: Any, style: Any = body) -> Any:
        return Paragraph(escape(printable(text)).replace("\n", "<br/>"), style)

    def record_table(values: Mapping[str, Any]) -> list[Any]:
        """The record's fields as a table; a long text is printed in full after it, in
        pieces (a table cell cannot run across pages)."""
        rows, after = [], []
        for key, v in values.items():
            shown = _shown(v)
            if len(shown) > LONG_TEXT:
                rows.append(
                    [
                        para(key, bold),
                        para(f"(printed in full below the table, {len(shown):,} characters)", cell),
                    ]
                )
                after.append(para(f"{key} in full:", bold))
                after.extend(para(piece) for piece in _pieces(shown))
            else:
                rows.append([para(key, bold), para(shown, cell)])
        table = Table(rows, colWidths=[42 * mm, 128 * mm], hAlign="LEFT")
        table.setStyle(grid)
        return [table, *after]

    subject = report.subject
    story: list[Any] = [
        para("Subject access report", title),
        para(
            f"About: {subject['name']}"
            + (f" (UPN {subject['upn']})" if subject["upn"] else "")
            + (" — a parent or carer" if subject["kind"] == "parent" else " — a child")
        ),
        para(
            f"Made on {uk_date(report.generated_at.astimezone(dt.UTC))} (UTC) by {report.officer}."
        ),
        para(
            "This report holds every record the attendance service's att database keeps about "
            "this person (UK GDPR article 15). Other people's names are replaced: other children "
            "by [another child], other parents and carers by [another parent]. Documents are "
            "listed with the SHA-256 of their stored file; copies are provided separately where "
            "asked for. Dates are day/month/year; times are UTC."
        ),
    ]
    if subject.get("requester"):
        story.append(para(f"Asked for on the child's behalf by {subject['requester']['name']}."))
    counts = [
        f"{TITLES.get(name, name)}: {len(rows)}" for name, rows in report.records.items() if rows
    ]
    story.append(para("Records: " + ("; ".join(counts) if counts else "none") + "."))
    for name, rows in report.records.items():
        if not rows:
            continue
        story.append(para(f"{TITLES.get(name, name)} ({plural(len(rows), 'record')})", heading))
        if name == "marks":
            for year in rows:
                story.append(
                    para(
                        f"Enrolment {year['enrolment_id']} (school {year['laestab']}), "
                        f"academic year {year['academic_year']}/"
                        f"{(year['academic_year'] + 1) % 100:02d}",
                        bold,
                    )
                )
                story.append(_marks_grid(year["sessions"], para, cell, bold, grid, mm, Table))
                story.append(Spacer(1, 3 * mm))
            continue
        for values in rows:
            story.extend(record_table(values))
            story.append(Spacer(1, 2 * mm))
    for table_name, rows in report.other.items():
        story.append(para(f"Other records: {table_name} ({plural(len(rows), 'record')})", heading))
        for values in rows:
            story.extend(record_table(values))
            story.append(Spacer(1, 2 * mm))
    if printable.replaced:
        story.append(
            para(
                "Characters the PDF font cannot show were printed as: "
                + ", ".join(sorted(printable.replaced))
                + ". The JSON file has them exactly."
            )
        )
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title="Subject access report",
        author="att",
    )
    document.build(story)
    return buffer.getvalue()


def _marks_grid(
    sessions: list[dict[str, Any]],
    para: Any,
    cell: Any,
    bold: Any,
    grid: Any,
    mm: float,
    table_class: Any,
) -> Any:
    """Week beginning, then Monday to Friday with the AM and PM codes."""
    weeks: dict[dt.date, dict[int, list[str]]] = {}
    for s in sessions:
        day = dt.date.fromisoformat(s["date"])
        monday = day - dt.timedelta(days=day.weekday())
        slot = weeks.setdefault(monday, {}).setdefault(day.weekday(), ["", ""])
        slot[0 if s["session"] == "AM" else 1] = s["code"] or " "
    rows = [[para("Week beginning", bold), *(para(d, bold) for d in _DAYS)]]
    for monday in sorted(weeks):
        days = weeks[monday]
        rows.append(
            [
                para(uk_date(monday), cell),
                *(para(" ".join(days.get(i, ["", ""])).strip() or "-", cell) for i in range(5)),
            ]
        )
    table = table_class(rows, colWidths=[30 * mm] + [28 * mm] * 5, hAlign="LEFT", repeatRows=1)
    table.setStyle(grid)
    return table
