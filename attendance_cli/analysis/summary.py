"""School and LA summaries from many enrolments' counts, the way the DfE computes them.

* on roll: enrolments with at least one possible session in the period (the others have no
  rate and are left out of every rate, including the PA and SA denominators);
* attendance / absence / authorised / unauthorised %: sums over enrolments, e.g.
  ``sum(absent) / sum(possible)`` — never a mean of the pupils' own percentages;
* PA rate = PA enrolments / on roll; SA rate = SA enrolments / on roll (SA are also PA).

Cohorts (``summarise_cohorts``) split a group of enrolments by year group, FSM, SEN, social care
(``looked after`` first, else the social worker status ``CIN``/``CP``, else ``none``) and gender;
the TSM pack does it for a school, the LA report for the whole LA.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from attendance_cli.analysis.counts import CountArrays, percent

if TYPE_CHECKING:
    from attendance_cli.analysis.dataset import EnrolmentRecord


@dataclass(frozen=True)
class GroupSummary:
    enrolments: int  # all enrolments given
    on_roll: int  # enrolments with possible > 0
    possible: int
    attended: int
    authorised: int
    unauthorised: int
    sessions_missed: int
    late: int
    missing: int
    attendance_pct: float | None
    absence_pct: float | None
    authorised_pct: float | None
    unauthorised_pct: float | None
    persistent: int  # PA enrolments (includes SA)
    persistent_pct: float | None
    severe: int
    severe_pct: float | None


def summarise_counts(counts: CountArrays) -> GroupSummary:
    """Totals and DfE rates for a group of enrolments (a school, a year group, the LA)."""
    return summarise_totals(
        enrolments=len(counts),
        on_roll=int((counts.possible > 0).sum()),
        possible=int(counts.possible.sum()),
        attended=int(counts.attended.sum()),
        authorised=int(counts.authorised.sum()),
        unauthorised=int(counts.unauthorised.sum()),
        late=int(counts.late.sum()),
        missing=int(counts.missing.sum()),
        persistent=int(counts.persistent.sum()),
        severe=int(counts.severe.sum()),
    )


def summarise_totals(
    *,
    enrolments: int,
    on_roll: int,
    possible: int,
    attended: int,
    authorised: int,
    unauthorised: int,
    late: int,
    missing: int,
    persistent: int,
    severe: int,
) -> GroupSummary:
    """The summary of a group from its totals (``summarise_counts``; the LA benchmark cache,
    ``store.benchmark``, keeps only these)."""
    return GroupSummary(
        enrolments=enrolments,
        on_roll=on_roll,
        possible=possible,
        attended=attended,
        authorised=authorised,
        unauthorised=unauthorised,
        sessions_missed=authorised + unauthorised,
        late=late,
        missing=missing,
        attendance_pct=percent(attended, possible),
        absence_pct=percent(authorised + unauthorised, possible),
        authorised_pct=percent(authorised, possible),
        unauthorised_pct=percent(unauthorised, possible),
        persistent=persistent,
        persistent_pct=percent(persistent, on_roll),
        severe=severe,
        severe_pct=percent(severe, on_roll),
    )


@dataclass
class Cohort:
    dimension: str  # year_group, fsm, sen, social_care, gender
    value: str
    summary: GroupSummary


def social_care_status(looked_after: bool | None, social_worker: str | None) -> str:
    """``looked after``, else the social worker status (``CIN``, ``CP``), else ``none``."""
    if looked_after:
        return "looked after"
    return social_worker or "none"


COHORT_DIMENSIONS: dict[str, Callable[[EnrolmentRecord], str]] = {
    "year_group": lambda r: r.year_group or "unknown",
    "fsm": lambda r: "unknown" if r.fsm is None else ("FSM" if r.fsm else "not FSM"),
    "sen": lambda r: {"N": "none", "K": "SEN support", "E": "EHC plan"}.get(r.sen or "", "unknown"),
    "social_care": lambda r: social_care_status(r.looked_after, r.social_worker),
    "gender": lambda r: r.gender or "unknown",
}
DIMENSION_LABELS = {
    "year_group": "Year group",
    "fsm": "Free school meals",
    "sen": "SEN",
    "social_care": "Social care",
    "gender": "Gender",
}


def summarise_cohorts(records: Sequence[EnrolmentRecord], counts: CountArrays) -> list[Cohort]:
    """One summary per value of each cohort dimension (``records[i]`` is ``counts`` row i);
    values with nobody on roll are left out; year groups in school order (N, R, 1, 2, ...)."""
    cohorts = []
    for dimension, key in COHORT_DIMENSIONS.items():
        values = np.array([key(r) for r in records], dtype=object)
        for value in sorted(set(values.tolist()), key=_natural):
            summary = summarise_counts(counts.take(values == value))
            if summary.on_roll:
                cohorts.append(Cohort(dimension, value, summary))
    return cohorts


def cohort_label(dimension: str, value: str) -> str:
    """A cohort value as people read it (``Year 7``, ``Reception``)."""
    if dimension == "year_group":
        if value.isdigit():
            return f"Year {value}"
        return {"R": "Reception", "N": "Nursery", "unknown": "Year unknown"}.get(value, value)
    return value


def _natural(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (-1 if value in ("N", "R") else 99, value)
