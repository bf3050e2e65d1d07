"""School and LA summaries from many enrolments' counts, the way the DfE computes them.

* on roll: enrolments with at least one possible session in the period (the others have no
  rate and are left out of every rate, including the PA and SA denominators);
* attendance / absence / authorised / unauthorised %: sums over enrolments, e.g.
  ``sum(absent) / sum(possible)`` — never a mean of the pupils' own percentages;
* PA rate = PA enrolments / on roll; SA rate = SA enrolments / on roll (SA are also PA).
"""

from __future__ import annotations

from dataclasses import dataclass

from attendance_cli.analysis.counts import CountArrays, percent


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
    possible = int(counts.possible.sum())
    attended = int(counts.attended.sum())
    authorised = int(counts.authorised.sum())
    unauthorised = int(counts.unauthorised.sum())
    on_roll = int((counts.possible > 0).sum())
    persistent = int(counts.persistent.sum())
    severe = int(counts.severe.sum())
    return GroupSummary(
        enrolments=len(counts),
        on_roll=on_roll,
        possible=possible,
        attended=attended,
        authorised=authorised,
        unauthorised=unauthorised,
        sessions_missed=authorised + unauthorised,
        late=int(counts.late.sum()),
        missing=int(counts.missing.sum()),
        attendance_pct=percent(attended, possible),
        absence_pct=percent(authorised + unauthorised, possible),
        authorised_pct=percent(authorised, possible),
        unauthorised_pct=percent(unauthorised, possible),
        persistent=persistent,
        persistent_pct=percent(persistent, on_roll),
        severe=severe,
        severe_pct=percent(severe, on_roll),
    )
