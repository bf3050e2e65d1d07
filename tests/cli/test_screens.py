"""Screens an officer reads at 80 columns (issue 14): every UPN whole, never broken across
lines; the no-plan list names its pupils. Run as a process: rich takes the width at start-up."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path


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
