"""Screens an officer reads at 80 columns (issue 14): every UPN whole, never broken across
lines; the no-plan list names its pupils. Run as a process: rich takes the width at start-up."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


def _att(db: Path, *args: str) -> str:
    env = {**os.environ, "COLUMNS": "80", "ATT_DB": str(db)}
    done = subprocess.run(
        [sys.executable, "-m", "attendance_cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_tsm_pack_at_80_columns_keeps_every_upn_whole(sample_db: Path) -> None:
    data = json.loads(_att(sample_db, "tsm", "prepare", "--school", "castle", "--format", "json"))
    screen = _att(sample_db, "tsm", "prepare", "--school", "castle")
    assert max(len(line) for line in screen.splitlines()) <= 80
    shown = re.findall(r"\b[A-Z][0-9]{12}\b", screen)
    for pupil in data["pupils"]:
        assert pupil["upn"] in shown, pupil["upn"]
    names = {p["upn"]: f"{p['forename']} {p['surname']}" for p in data["pupils"]}
    for upn in data["no_plan_or_lead"]:
        assert f"{names[upn]} ({upn})" in " ".join(screen.split()), upn


# --- the casework screens (issue 14): UK dates, whole UPNs and words, 80 columns -------------

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
UPN_RE = re.compile(r"\b[A-Z][0-9]{12}\b")
HARVEY = "A899200218001"


@pytest.fixture
def casework_db(sample_db: Path) -> Path:
    """Harvey Marsden with an agreed action (review 01/12/2025) and a penalty notice issued
    27/10/2025."""
    from attendance_cli.cases.actions import add_action
    from attendance_cli.cases.penalty import add_penalty_notice
    from attendance_cli.store import Store
    from tests.helpers import connect_to

    conn = Store(connect_to(sample_db), sample_db)
    try:
        add_action(
            conn,
            upn=HARVEY,
            kind="meeting with family",
            action="Meet Mr and Mrs Marsden about the term-time holiday",
            officer="Jo",
            due=dt.date(2025, 12, 1),
        )
        add_penalty_notice(
            conn,
            upn=HARVEY,
            parent="Paul Marsden",
            issued=dt.date(2025, 10, 27),
            officer="Jo",
            today=dt.date(2025, 11, 20),
        )
        conn.connection.commit()
    finally:
        conn.close()
    return sample_db


def _readable(screen: str) -> str:
    """The screen's checks at 80 columns; returns its text with the line breaks as spaces."""
    assert max(len(line) for line in screen.splitlines()) <= 80
    assert not ISO_DATE.search(screen), ISO_DATE.search(screen)
    return " ".join(screen.split())


@pytest.mark.parametrize(
    "args,expected",
    [
        pytest.param(
            ["case", "show", HARVEY],
            ["01/12/2025", "review 01/12/2025", "Meet Mr and Mrs Marsden about the term-time"],
            id="case-show",
        ),
        pytest.param(["case", "list"], [HARVEY, "23/11/2025"], id="case-list"),  # the notice's
        pytest.param(["penalty", "list"], [HARVEY, "27/10/2025", "23/11/2025"], id="penalty-list"),
        pytest.param(
            ["audit"],
            [HARVEY, "due=01/12/2025", "issued=27/10/2025", "parent_name=Paul Marsden"],
            id="audit",
        ),
        pytest.param(["audit", HARVEY], [HARVEY, "kind=meeting with family"], id="audit-pupil"),
        pytest.param(["db", "info"], ["03/09/2025", "14/11/2025"], id="db-info"),
    ],
)
def test_casework_screens_at_80_columns(
    casework_db: Path, args: list[str], expected: list[str]
) -> None:
    screen = _att(casework_db, *args)
    text = _readable(screen)
    for part in expected:
        assert part in text, part
    for upn in UPN_RE.findall(text):  # a UPN on screen is whole on one line
        assert upn in screen
    assert HARVEY in screen or args[:2] == ["db", "info"]


def test_penalty_check_says_its_dates_the_uk_way(sample_db: Path) -> None:
    # Harvey's unauthorised sessions 15-22 Oct 2025 meet the threshold; a first notice to his
    # mother issued 10 Nov 2025 (no service recorded: the periods count from issue) is £80 by
    # the 21st day, 30 Nov, and £160 by the 28th, 7 Dec
    screen = _att(
        sample_db, "penalty", "check", HARVEY, "--parent", "Claire Marsden", "--on", "10/11/2025"
    )
    assert not ISO_DATE.search(screen), screen
    text = " ".join(screen.split())
    assert "on 10/11/2025: £80 by 30/11/2025, £160 by 07/12/2025" in text
    assert "from 15/10/2025 to 22/10/2025" in text
