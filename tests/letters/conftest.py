"""Letters: a settings file with every LA and officer detail, and no PDF converter unless a
test asks for one (LibreOffice takes seconds per run)."""

from __future__ import annotations

from pathlib import Path

import pytest

SETTINGS = """
[officer]
name = "Jo Officer"
job_title = "Education Welfare Officer"
phone = "01632 960 123"
email = "jo.officer@example.gov.uk"

[la]
name = "Kestrelford Council"
service = "Attendance Support Service"
address = "Town Hall, High Street, Kestrelford KF1 1AA"
phone = "01632 960 000"
email = "attendance@example.gov.uk"
website = "www.example.gov.uk/attendance"

[penalty]
how_to_pay = "Online at www.example.gov.uk/pay quoting the notice number"
pay_to = "Kestrelford Council, Income Team, Town Hall, Kestrelford KF1 1AA"
"""


@pytest.fixture(autouse=True)
def _letter_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(SETTINGS, encoding="utf-8")
    monkeypatch.setenv("ATT_CONFIG", str(path))
    monkeypatch.setenv("ATT_SOFFICE", "none")
    return path
