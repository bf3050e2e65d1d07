"""The TSM pack against the sample LA's designed pupils (figures hand-built in
sample_data/generate.py and listed in sample_data/README.md) and small hand-made registers."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.errors import NotFoundError, UsageError
from attendance_cli.registers.importer import import_registers
from attendance_cli.tsm.pack import prepare_tsm_pack
from tests.helpers import SCHOOL, UPN1, UPN2, weekdays, write_csv

runner = CliRunner()


def _pupil(pack, upn):  # type: ignore[no-untyped-def]
    matches = [p for p in pack.pupils if p.upn == upn]
    return matches[0] if matches else None


@pytest.mark.parametrize(
    "school,upn,possible,absent,unauthorised,band",
    [
        pytest.param("8992001", "P899200120001", 94, 47, 8, "severe", id="severe-exactly-50pct"),
        pytest.param(
            "8994001", "G899200417001", 90, 9, 2, "persistent", id="persistent-exactly-10pct"
        ),
        pytest.param(
            "8992001", "L899200122001", 94, 9, 0, "at_risk", id="just-below-10pct-is-at-risk"
        ),
        pytest.param("8992001", "X899200123001", 94, 7, 1, "at_risk", id="at-risk-7.45pct"),
        pytest.param(
            "8994001", "M899200316001", 94, 56, 28, "severe", id="severe-child-protection"
        ),
        pytest.param("8992001", "A899200122002", 36, 6, 2, "persistent", id="mover-first-school"),
        pytest.param("8997001", "H899200515002", 84, 52, 48, "severe", id="severe-looked-after"),
    ],
)
def test_designed_pupils(
    sample_conn: sqlite3.Connection,
    school: str,
    upn: str,
    possible: int,
    absent: int,
    unauthorised: int,
    band: str,
) -> None:
    pack = prepare_tsm_pack(sample_conn, school=school)
    pupil = _pupil(pack, upn)
    assert pupil is not None
    assert (pupil.possible, pupil.sessions_missed, pupil.unauthorised, pupil.band) == (
        possible,
        absent,
        unauthorised,
        band,
    )
    assert pupil.days_missed == absent / 2
    assert pupil.absence_pct == round(100 * absent / possible, 1)


def test_mover_has_one_figure_per_school(sample_conn: sqlite3.Connection) -> None:
    second = prepare_tsm_pack(sample_conn, school="8992002", include_all=True)
    pupil = _pupil(second, "A899200122002")
    assert pupil is not None and (pupil.possible, pupil.sessions_missed, pupil.band) == (
        56,
        3,
        "none",
    )
    assert _pupil(prepare_tsm_pack(sample_conn, school="8992002"), "A899200122002") is None


@pytest.mark.parametrize(
    "upn,met",
    [
        pytest.param("A899200218001", True, id="14-unauthorised-meets-threshold"),
        pytest.param("U899200515001", False, id="9-unauthorised-does-not"),
    ],
)
def test_penalty_threshold_on_sample(sample_conn: sqlite3.Connection, upn: str, met: bool) -> None:
    pupil = _pupil(prepare_tsm_pack(sample_conn, school="8994001", include_all=True), upn)
    assert pupil is not None and pupil.penalty_threshold_met is met


def test_long_continuous_unauthorised_absence_is_flagged(sample_conn: sqlite3.Connection) -> None:
    pupil = _pupil(prepare_tsm_pack(sample_conn, school="8994001"), "V899200116001")
    assert pupil is not None
    assert pupil.longest_unauthorised_days == 15 and pupil.continuous_absence_running
    assert any("10" in flag for flag in pupil.flags)


def test_default_listing_equals_the_listed_sections_of_all(sample_conn: sqlite3.Connection) -> None:
    for school in ("8992001", "8994001", "8992002", "8997001"):
        listed = prepare_tsm_pack(sample_conn, school=school)
        everyone = prepare_tsm_pack(sample_conn, school=school, include_all=True)
        assert sorted(p.upn for p in listed.pupils) == sorted(
            p.upn for p in everyone.pupils if p.section != "none"
        )
        assert len(everyone.pupils) == everyone.summary.on_roll


def test_summary_counts_add_up(sample_conn: sqlite3.Connection) -> None:
    pack = prepare_tsm_pack(sample_conn, school="8994001", include_all=True)
    s = pack.summary
    assert s.possible == sum(p.possible for p in pack.pupils)
    assert s.sessions_missed == sum(p.sessions_missed for p in pack.pupils)
    assert s.persistent == sum(p.band in ("severe", "persistent") for p in pack.pupils)
    assert s.severe == sum(p.band == "severe" for p in pack.pupils)
    assert pack.la_summary.on_roll == 380  # all four sample schools
    assert pack.period == {
        "from": dt.date(2025, 8, 1),
        "to": dt.date(2025, 11, 14),
        "label": "2025/26 to date",
        "last_marks": dt.date(2025, 11, 14),
    }


def test_school_by_name_and_ambiguity(sample_conn: sqlite3.Connection) -> None:
    assert prepare_tsm_pack(sample_conn, school="castle").school == {
        "laestab": "8994001",
        "name": "Castle Hill Academy",
    }
    with pytest.raises(UsageError, match="matches 2 schools"):
        prepare_tsm_pack(sample_conn, school="st")
    with pytest.raises(NotFoundError):
        prepare_tsm_pack(sample_conn, school="Hogwarts")


def _week_of_marks(
    conn: sqlite3.Connection, tmp_path: Path, codes_by_upn: dict[str, list[str]]
) -> None:
    days = weekdays(dt.date(2025, 9, 1), 10)  # two school weeks
    rows = [["UPN", "Date", "Session", "Mark"]]
    for upn, codes in codes_by_upn.items():
        for i, code in enumerate(codes):
            rows.append([upn, days[i // 2].isoformat(), "AM" if i % 2 == 0 else "PM", code])
    import_registers(conn, paths=[write_csv(tmp_path / "m.csv", rows)], school=SCHOOL)


def test_hand_made_boundaries(conn: sqlite3.Connection, tmp_path: Path) -> None:
    # 20 possible sessions each: 2 absent = exactly 10% (persistent); 10 absent = exactly 50%
    _week_of_marks(conn, tmp_path, {UPN1: ["I", "I"] + ["/"] * 18, UPN2: ["N"] * 10 + ["/"] * 10})
    pack = prepare_tsm_pack(conn, school=SCHOOL)
    assert (_pupil(pack, UPN1).band, _pupil(pack, UPN2).band) == ("persistent", "severe")
    assert _pupil(pack, UPN2).penalty_threshold_met and _pupil(
        pack, UPN2
    ).penalty_threshold_date == dt.date(2025, 9, 5)
    assert pack.summary.persistent == 2 and pack.summary.severe == 1
    assert pack.no_plan_or_lead == [UPN2, UPN1]


def test_tsm_prepare_cli_json_and_csv(sample_db: Path) -> None:
    result = runner.invoke(app, ["tsm", "prepare", "--school", "8997001", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["school"] == {"laestab": "8997001", "name": "Meadowbank Pupil Referral Unit"}
    required = {
        "upn",
        "surname",
        "forename",
        "year_group",
        "possible",
        "attended",
        "authorised",
        "unauthorised",
        "late",
        "attendance_pct",
        "absence_pct",
        "days_missed",
        "band",
        "at_risk_reasons",
        "penalty_threshold_met",
        "penalty_threshold_date",
        "social_worker",
        "looked_after",
    }
    assert data["pupils"] and all(required <= set(p) for p in data["pupils"])
    csv_out = runner.invoke(app, ["tsm", "prepare", "--school", "8997001", "--format", "csv"])
    assert csv_out.exit_code == 0
    lines = csv_out.stdout.splitlines()
    assert (
        lines[0].startswith("upn,surname,forename,year_group,band")
        and len(lines) == len(data["pupils"]) + 1
    )


def test_tsm_prepare_cli_table_and_errors(sample_db: Path) -> None:
    table = runner.invoke(app, ["tsm", "prepare", "--school", "castle"])
    assert (
        table.exit_code == 0
        and "TSM pack: Castle Hill Academy" in table.stdout
        and "Severe absence" in table.stdout
    )
    ambiguous = runner.invoke(app, ["tsm", "prepare", "--school", "st"])
    assert ambiguous.exit_code == 2 and "matches 2 schools" in ambiguous.stderr
    missing = runner.invoke(app, ["tsm", "prepare", "--school", "nowhere"])
    assert missing.exit_code == 4
    term = runner.invoke(
        app,
        [
            "tsm",
            "prepare",
            "--school",
            "castle",
            "--term",
            "autumn",
            "--year",
            "2025",
            "--format",
            "json",
        ],
    )
    assert json.loads(term.stdout)["period"]["label"] == "autumn term 2025/26"


def test_a_term_after_the_last_marks_says_so(sample_conn) -> None:  # type: ignore[no-untyped-def]
    """Issue 14: not "the period ends before it starts" but which school, which term, and where
    its registers end (the sample LA's registers end on Friday 14 November 2025)."""
    from attendance_cli.errors import NotFoundError
    from attendance_cli.tsm.pack import prepare_tsm_pack

    with pytest.raises(NotFoundError) as caught:
        prepare_tsm_pack(sample_conn, school="castle", term="spring")
    assert caught.value.message == (
        "Castle Hill Academy has no marks in spring term 2025/26 yet: its registers end 14/11/2025"
    )


def test_a_year_with_no_marks_is_an_error_not_a_pack_of_dashes(sample_conn) -> None:  # type: ignore[no-untyped-def]
    from attendance_cli.errors import NotFoundError
    from attendance_cli.tsm.pack import prepare_tsm_pack

    with pytest.raises(NotFoundError) as caught:
        prepare_tsm_pack(sample_conn, school="castle", year=2023)
    assert "has no register marks in 2023/24" in caught.value.message
    assert "up to 14/11/2025" in caught.value.hint
