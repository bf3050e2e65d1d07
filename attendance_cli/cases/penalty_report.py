"""The annual penalty-notice figures the DfE collects from LAs and publishes: notices issued in
an academic year by reason (term-time holiday, other unauthorised absence, lateness,
exclusion), how many were paid within 21 and within 28 days, withdrawn, prosecuted, and the
prosecutions' outcomes (``att penalty report --year Y``).

Decisions (also in the README):

- **The year** is the academic year beginning 1 September ``Y`` (``--year 2024`` is 2024/25),
  the year the DfE publishes; a notice belongs to the year of its issue date.
- **Paid within 21 days / within 28 days** count notices paid in full by the last day of the 21
  (and of the 28) days beginning with receipt (``cases.served``; the issue date when service is
  not recorded). The 28-day figure includes the 21-day one. A notice paid later is counted apart
  (``paid_after_28_days``: the record should be checked).
- **Withdrawn** counts notices withdrawn by the day the report is made, whatever year the
  withdrawal fell in; the grounds are counted too. **Prosecuted**: a prosecution recorded for
  non-payment; its outcome, or ``pending``.
- **Reason** is the one recorded with the notice (``cases.penalty_rules.notice_reason``); a
  notice recorded before att stored reasons is ``not_recorded``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from attendance_cli.cases.penalty_rules import REASONS, WITHDRAWAL_GROUNDS
from attendance_cli.errors import UsageError

if TYPE_CHECKING:
    from attendance_cli.cases.penalty import PenaltyNoticeRecord
    from attendance_cli.store.connection import Store

OUTCOMES = ("convicted", "acquitted", "withdrawn", "other", "pending")

LABELS = {
    "issued": "Penalty notices issued",
    **{f"issued_{key}": f"  for {text.lower()}" for key, text in REASONS.items()},
    "issued_not_recorded": "  reason not recorded",
    "paid_within_21_days": "Paid within 21 days of receipt",
    "paid_within_28_days": "Paid within 28 days of receipt (including within 21)",
    "paid_after_28_days": "Paid after 28 days (check the record)",
    "withdrawn": "Withdrawn",
    **{
        f"withdrawn_{key.replace('-', '_')}": f"  {text}"
        for key, text in WITHDRAWAL_GROUNDS.items()
    },
    "withdrawn_ground_not_recorded": "  ground not recorded",
    "prosecuted": "Prosecuted for non-payment",
    **{f"outcome_{key}": f"  outcome: {key}" for key in OUTCOMES},
    "unpaid_not_prosecuted": "Unpaid, not withdrawn or prosecuted",
}


@dataclass
class PenaltyReport:
    year: int  # the academic year beginning 1 September ``year``
    label: str  # "2024/25"
    start: dt.date
    end: dt.date
    made_on: dt.date
    figures: dict[str, int] = field(default_factory=dict)  # keys: LABELS, in that order

    def rows(self) -> list[dict[str, object]]:
        """One row per figure: ``figure`` (the key), ``label``, ``count``."""
        return [
            {"figure": key, "label": LABELS[key], "count": count}
            for key, count in self.figures.items()
        ]


def _year(year: int) -> tuple[dt.date, dt.date, str]:
    if not 2000 <= year <= 2100:
        raise UsageError(
            f"--year {year} is not an academic year att can report",
            hint="Give the year the academic year begins, e.g. --year 2024 for 2024/25.",
        )
    return dt.date(year, 9, 1), dt.date(year + 1, 8, 31), f"{year}/{(year + 1) % 100:02d}"


def count_figures(notices: list[PenaltyNoticeRecord]) -> dict[str, int]:
    """The figures over ``notices`` (already chosen for the year); pure, for the tests."""
    figures = dict.fromkeys(LABELS, 0)
    for notice in notices:
        figures["issued"] += 1
        reason = notice.reason if notice.reason in REASONS else "not_recorded"
        figures[f"issued_{reason}"] += 1
        if notice.withdrawn is not None:
            figures["withdrawn"] += 1
            ground = notice.withdrawn_ground
            key = (
                f"withdrawn_{ground.replace('-', '_')}"
                if ground in WITHDRAWAL_GROUNDS
                else "withdrawn_ground_not_recorded"
            )
            figures[key] += 1
            continue
        if notice.paid is not None:
            day_21 = notice.pay_by - dt.timedelta(days=7)  # day 28 of the periods, less 7
            if notice.paid <= day_21:
                figures["paid_within_21_days"] += 1
            if notice.paid <= notice.pay_by:
                figures["paid_within_28_days"] += 1
            else:
                figures["paid_after_28_days"] += 1
            continue
        if notice.prosecuted_on is not None:
            figures["prosecuted"] += 1
            outcome = notice.prosecution_outcome or "pending"
            figures[f"outcome_{outcome if outcome in OUTCOMES else 'other'}"] += 1
            continue
        figures["unpaid_not_prosecuted"] += 1
    return figures


def penalty_report(db: Store, *, year: int, today: dt.date | None = None) -> PenaltyReport:
    """The figures for the notices issued in the academic year beginning 1 September ``year``."""
    from attendance_cli.cases.penalty import list_penalty_notices

    start, end, label = _year(year)
    today = today or dt.date.today()
    notices = [n for n in list_penalty_notices(db, today=today) if start <= n.issued <= end]
    return PenaltyReport(year, label, start, end, today, count_figures(notices))


def write_report_workbook(report: PenaltyReport, path: Path, *, force: bool = False) -> Path:
    """The figures as a one-sheet workbook (0600, never overwritten without ``force``)."""
    from openpyxl import Workbook

    from attendance_cli.exports.xlsx import autosize_columns, save_workbook, write_table

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Penalty notices"
    sheet["A1"].value = (
        f"Penalty notices issued in {report.label} ({report.start:%d/%m/%Y} to "
        f"{report.end:%d/%m/%Y}), as recorded on {report.made_on:%d/%m/%Y}"
    )
    write_table(
        sheet,
        headers=["Figure", "Key", "Count"],
        rows=[(r["label"], r["figure"], r["count"]) for r in report.rows()],
        start_row=3,
    )
    autosize_columns(sheet, min_row=3)
    return save_workbook(workbook, path, force=force)
