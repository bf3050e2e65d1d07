"""The LA report's vectorised screen never misses an enrolment the exact rules
(``analysis.thresholds``) would list, on random registers over two academic years."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from attendance_cli import marks
from attendance_cli.analysis.calendar import SchoolCalendar
from attendance_cli.analysis.counts import mark_array, school_calendar
from attendance_cli.analysis.figures import enrolment_timeline
from attendance_cli.analysis.screening import screen_school
from attendance_cli.analysis.thresholds import check_penalty_threshold, find_continuous_absence

# mostly present and unauthorised, with holidays ('.'), closures ('#'), dual registration
# ('D') and not-yet-marked ('-'), so windows and runs cross gaps of every kind
CHARS = "/" * 4 + "N" * 3 + "OGI.#D-"
year_text = st.text(alphabet=CHARS, min_size=marks.YEAR_LENGTH, max_size=marks.YEAR_LENGTH)
DAYS = [dt.date(2025, 8, 1) + dt.timedelta(days=n) for n in range(0, 365, 3)]


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(st.tuples(year_text, year_text), min_size=1, max_size=4),
    period=st.tuples(st.sampled_from(DAYS), st.sampled_from(DAYS)).map(sorted),
)
def test_screen_covers_the_exact_rules(rows: list[tuple[str, str]], period: list[dt.date]) -> None:
    start, end = period
    arrays = {2024: mark_array([r[0] for r in rows]), 2025: mark_array([r[1] for r in rows])}
    calendar = SchoolCalendar({y: school_calendar(a) for y, a in arrays.items()})
    screen = screen_school(arrays, start=start, end=end)
    for index, (before, current) in enumerate(rows):
        timeline = enrolment_timeline({2024: before, 2025: current}, calendar, start, end)
        penalty = check_penalty_threshold(timeline, start=start, end=end)
        if penalty.met_in_period or penalty.met_at_end:
            assert screen.penalty_possible[index]
        run = find_continuous_absence(timeline, start=start, end=end).longest_unauthorised
        assert screen.longest_unauthorised_days[index] == (run.days if run else 0)
