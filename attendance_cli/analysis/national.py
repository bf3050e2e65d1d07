"""National benchmarks: state-funded schools in England (DfE absence statistics).

Source: ../shared/domain/attendance-rules.md. 2024/25 comes from the DfE's daily attendance
data; its severe-absence rate is not given there, so it is ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NationalFigures:
    academic_year: str
    absence_pct: float
    persistent_pct: float
    severe_pct: float | None
    source: str


FIGURES = (
    NationalFigures("2022/23", 7.4, 21.2, 2.0, "DfE pupil absence statistics"),
    NationalFigures("2023/24", 7.1, 20.0, 2.3, "DfE pupil absence statistics"),
    NationalFigures("2024/25", 6.9, 18.7, None, "DfE daily attendance data (approximate)"),
)


def latest() -> NationalFigures:
    return FIGURES[-1]
