"""Finding a pupil by name (issue 14): `att pupil find`, and a name where a UPN is expected,
with the candidates listed when several match. Names from the sample LA's roster."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.errors import InvalidInputError, NotFoundError
from attendance_cli.store.registers import find_pupil, find_pupils_by_name

KIERAN = "M899200316001"  # Kieran Doyle, Castle Hill, year 9
runner = CliRunner()


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Kieran Doyle", id="forename-surname"),
        pytest.param("doyle kieran", id="any-order-any-case"),
        pytest.param("Doyle, Kieran", id="surname-comma-forename"),
        pytest.param("  KIERAN   DOYLE ", id="spaces"),
    ],
)
def test_a_name_finds_the_pupil(sample_conn: sqlite3.Connection, name: str) -> None:
    (match,) = find_pupils_by_name(sample_conn, name)
    assert (match.pupil.upn, match.year_group, match.schools) == (
        KIERAN,
        "9",
        ("Castle Hill Academy",),
    )
    assert find_pupil(sample_conn, name).upn == KIERAN  # a name where a UPN goes


def test_several_pupils_of_one_name_are_listed(sample_conn: sqlite3.Connection) -> None:
    upns = {m.pupil.upn for m in find_pupils_by_name(sample_conn, "Marsden")}
    assert {"A899200218001", "V899200222001"} <= upns  # Harvey and Isla
    with pytest.raises(InvalidInputError) as caught:
        find_pupil(sample_conn, "marsden")
    assert "A899200218001" in caught.value.message and "V899200222001" in caught.value.message


def test_an_unknown_name_and_a_mistyped_upn(sample_conn: sqlite3.Connection) -> None:
    with pytest.raises(NotFoundError, match="No pupil with UPN or name 'Nobody Here'"):
        find_pupil(sample_conn, "Nobody Here")
    with pytest.raises(InvalidInputError, match="check letter"):
        find_pupil(sample_conn, "X899200316001")


def test_cli_find_json_and_a_name_in_case_show(sample_db: Path) -> None:
    result = runner.invoke(app, ["pupil", "find", "kieran doyle", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "upn": KIERAN,
            "surname": "Doyle",
            "forename": "Kieran",
            "year_group": "9",
            "schools": ["Castle Hill Academy"],
        }
    ]
    shown = runner.invoke(app, ["pupil", "show", "Kieran Doyle", "--format", "json"])
    assert shown.exit_code == 0 and json.loads(shown.stdout)["upn"] == KIERAN
    none = runner.invoke(app, ["pupil", "find", "Nobody Here"])
    assert none.exit_code == 4 and "No pupil is called 'Nobody Here'" in none.stderr
