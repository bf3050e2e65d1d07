"""``att schools``: every school's headline figures, checked against figures worked out by hand
(the sample LA's whole-school table in sample_data/README.md, and tiny registers)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.identifiers import make_upn
from attendance_cli.views.schools import COLUMNS, list_schools
from tests.views.registers import attended, import_marks

runner = CliRunner()

# sample_data/README.md, "Whole-school figures" (designed in sample_data/generate.py)
SAMPLE = {
    "8992001": (120, 11058, 715, 620, 95, 23, 1),
    "8994001": (180, 16706, 1159, 927, 232, 49, 1),
    "8992002": (60, 5400, 337, 269, 68, 10, 0),
    "8997001": (20, 1786, 374, 282, 92, 14, 2),
}


@pytest.mark.parametrize("laestab", list(SAMPLE))
def test_sample_schools_match_the_designed_figures(
    sample_conn: sqlite3.Connection, laestab: str
) -> None:
    on_roll, possible, absent, authorised, unauthorised, pa, sa = SAMPLE[laestab]
    (row,) = [s for s in list_schools(sample_conn).schools if s.laestab == laestab]
    assert (row.on_roll, row.possible, row.sessions_missed) == (on_roll, possible, absent)
    assert (row.authorised, row.unauthorised, row.persistent, row.severe) == (
        authorised,
        unauthorised,
        pa,
        sa,
    )
    assert row.absence_pct == round(100 * absent / possible, 1)
    assert row.persistent_pct == round(100 * pa / on_roll, 1)
    assert row.last_marks is not None and row.last_marks.isoformat() == "2025-11-14"


def test_sample_la_total_and_ranking(sample_conn: sqlite3.Connection) -> None:
    result = list_schools(sample_conn)
    assert [s.name for s in result.schools] == sorted(s.name for s in result.schools)
    la = result.la_summary
    assert (la.on_roll, la.possible, la.sessions_missed, la.persistent, la.severe) == (
        380,
        11058 + 16706 + 5400 + 1786,
        715 + 1159 + 337 + 374,
        96,
        4,
    )
    # PA rates 14/20 = 70%, 49/180 = 27.2%, 23/120 = 19.2%, 10/60 = 16.7%
    ranks = {s.laestab: s.pa_rank for s in result.schools}
    assert ranks == {"8997001": 1, "8994001": 2, "8992001": 3, "8992002": 4}
    assert result.period["from"].isoformat() == "2025-08-01"
    assert result.period["to"].isoformat() == "2025-11-14"


def test_equal_rates_share_a_rank_and_schools_without_marks_have_none(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    a = [make_upn(899, 3001, 15, n) for n in range(1, 3)]
    b = [make_upn(899, 3002, 15, n) for n in range(1, 5)]
    c = [make_upn(899, 3003, 15, 1)]
    # 3001: 1 of 2 pupils PA (2 of 20 absent = exactly 10%); 3002: 2 of 4 PA; both 50%
    import_marks(conn, tmp_path, "8993001", {a[0]: ["I", "I", *attended(18)], a[1]: attended(20)})
    import_marks(
        conn,
        tmp_path,
        "8993002",
        {
            b[0]: ["N"] * 10 + attended(10),  # 50%: severe
            b[1]: ["I", "N", *attended(18)],
            b[2]: ["I", *attended(19)],  # 5%: not PA
            b[3]: attended(20),
        },
    )
    # 3003 only has marks in the year before (2024/25): nothing for 2025/26
    import_marks(conn, tmp_path, "8993003", {c[0]: attended(10)}, first=dt.date(2025, 3, 3))
    result = list_schools(conn)
    rows = {s.laestab: s for s in result.schools}
    assert (rows["8993001"].pa_rank, rows["8993002"].pa_rank) == (1, 1)
    assert (rows["8993002"].persistent, rows["8993002"].severe, rows["8993002"].on_roll) == (
        2,
        1,
        4,
    )
    assert rows["8993003"].pa_rank is None and rows["8993003"].last_marks is None
    assert (rows["8993003"].on_roll, rows["8993003"].attendance_pct) == (0, None)
    assert rows["8993001"].last_marks.isoformat() == "2025-09-12"  # 10 weekdays from Mon 1 Sep
    # the year before on request
    earlier = {s.laestab: s for s in list_schools(conn, year=2024).schools}
    assert (earlier["8993003"].on_roll, earlier["8993003"].possible) == (1, 10)
    assert earlier["8993001"].on_roll == 0


def test_cli_json_csv_and_table(sample_db: Path) -> None:
    result = runner.invoke(app, ["schools", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"period", "la_summary", "national", "schools"}
    assert set(data["period"]) == {"from", "to", "label", "last_marks"}
    expected_keys = {
        "laestab", "name", "phase", "last_marks", "pa_rank", "enrolments", "on_roll",
        "possible", "attended", "authorised", "unauthorised", "sessions_missed", "late",
        "missing", "attendance_pct", "absence_pct", "authorised_pct", "unauthorised_pct",
        "persistent", "persistent_pct", "severe", "severe_pct", "phase_source",
    }  # fmt: skip
    assert all(set(s) == expected_keys for s in data["schools"]) and len(data["schools"]) == 4
    assert set(COLUMNS) == expected_keys

    csv_out = runner.invoke(app, ["schools", "--format", "csv"])
    assert csv_out.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(csv_out.stdout)))
    assert len(rows) == 4 and list(rows[0]) == COLUMNS
    castle = next(r for r in rows if r["laestab"] == "8994001")
    assert (castle["possible"], castle["persistent"], castle["pa_rank"]) == ("16706", "49", "2")

    table = runner.invoke(app, ["schools"])
    assert table.exit_code == 0
    assert "Castle Hill Academy" in table.stdout and "27.2% (49)" in table.stdout
    assert "\x1b[" not in table.stdout  # no colour codes when not a terminal


def test_cli_on_an_empty_database(db_path: Path) -> None:
    result = runner.invoke(app, ["schools", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["schools"] == []


@pytest.mark.parametrize(
    "groups,phase",
    [
        pytest.param(["R", "1", "6"], "Primary", id="primary"),
        pytest.param(["N1", "N2"], "Nursery", id="nursery"),
        pytest.param(["N", "R"], "Primary", id="nursery-and-reception"),
        pytest.param(["7", "11"], "Secondary", id="secondary"),
        pytest.param(["7", "13"], "Secondary", id="secondary-with-sixth-form"),
        pytest.param(["12", "13"], "16 plus", id="sixth-form-college"),
        pytest.param(["R", "6", "7", "11"], "All-through", id="all-through"),
        pytest.param(["6", "7"], "All-through", id="across-year-6-and-7"),
        pytest.param([None], None, id="nothing-known"),
    ],
)
def test_phase_from_year_groups(groups: list[str | None], phase: str | None) -> None:
    from attendance_cli.views.schools import phase_from_year_groups

    assert phase_from_year_groups(groups) == phase


def test_roster_phase_is_kept(sample_conn: sqlite3.Connection) -> None:
    from attendance_cli.views.schools import list_schools

    sample_conn.connection.execute(
        "UPDATE school SET phase = 'Pupil referral unit' WHERE laestab = '8997001'"
    )
    rows = {r.laestab: r for r in list_schools(sample_conn).schools}
    assert (rows["8997001"].phase, rows["8997001"].phase_source) == (
        "Pupil referral unit",
        "roster",
    )
    assert (rows["8992001"].phase, rows["8992001"].phase_source) == ("Primary", "year groups")
