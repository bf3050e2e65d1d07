"""The cohort table (year group, FSM, SEN, social care, gender) as the workbooks write it: the
TSM pack's Summary sheet and the LA report's Summary sheet."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from attendance_cli.analysis.summary import DIMENSION_LABELS, Cohort, cohort_label
from attendance_cli.exports.xlsx import COUNT_FORMAT, PERCENT_FORMAT, write_table

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

COHORT_HEADERS = [
    "Group",
    "Cohort",
    "On roll",
    "Possible",
    "Attended",
    "Attendance %",
    "Sessions missed",
    "Absence %",
    "PA pupils",
    "PA %",
    "SA pupils",
    "SA %",
]
COHORT_FORMATS = dict.fromkeys(COHORT_HEADERS[2:], COUNT_FORMAT) | dict.fromkeys(
    ("Attendance %", "Absence %", "PA %", "SA %"), PERCENT_FORMAT
)


def cohort_row(c: Cohort) -> list[Any]:
    s = c.summary
    return [
        DIMENSION_LABELS.get(c.dimension, c.dimension),
        cohort_label(c.dimension, c.value),
        s.on_roll,
        s.possible,
        s.attended,
        s.attendance_pct,
        s.sessions_missed,
        s.absence_pct,
        s.persistent,
        s.persistent_pct,
        s.severe,
        s.severe_pct,
    ]


def write_cohort_table(ws: Worksheet, cohorts: Iterable[Cohort], *, start_row: int) -> int:
    """The header on ``start_row`` and one row per cohort; returns the last row written."""
    return write_table(
        ws,
        headers=COHORT_HEADERS,
        rows=(cohort_row(c) for c in cohorts),
        start_row=start_row,
        number_formats=COHORT_FORMATS,
    )
