"""`att letter` wiring: exit codes, JSON on stdout, errors on stderr; PDFs where LibreOffice is."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app

runner = CliRunner()
HARVEY = "A899200218001"


def test_generate_list_and_refuse_again(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["letter", "generate", HARVEY, "--template", "attendance-concern", "--out", str(out)]
    result = runner.invoke(app, [*args, "--date", "2025-11-17", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [m["addressee"] for m in data["letters"]] == ["Claire Marsden", "Paul Marsden"]
    assert all(Path(m["path"]).is_file() and m["pdf_path"] is None for m in data["letters"])
    assert "LibreOffice is not installed" in result.stderr  # ATT_SOFFICE=none in these tests
    again = runner.invoke(app, [*args, "--date", "17/11/2025"])
    assert again.exit_code == 5
    assert again.stderr.startswith("Error: Letter 1 already went to Claire Marsden")
    listed = runner.invoke(app, ["letter", "list", HARVEY, "--format", "csv"])
    assert listed.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert [(r["id"], r["addressee"], r["template_version"]) for r in rows] == [
        ("1", "Claire Marsden", "2026.2"),
        ("2", "Paul Marsden", "2026.2"),
    ]


def test_templates_json_and_export(tmp_path: Path) -> None:
    result = runner.invoke(app, ["letter", "templates", "--format", "json"])
    assert result.exit_code == 0
    assert "penalty-notice" in [t["name"] for t in json.loads(result.stdout)]
    exported = runner.invoke(app, ["letter", "templates", "--export", str(tmp_path / "t")])
    assert exported.exit_code == 0 and len(list((tmp_path / "t").glob("*.docx"))) == 10
    assert (
        runner.invoke(app, ["letter", "templates", "--export", str(tmp_path / "t")]).exit_code == 5
    )


def test_preview_prints_the_letter(sample_db: Path) -> None:
    result = runner.invoke(app, ["letter", "preview", HARVEY, "--template", "cme-enquiry"])
    assert result.exit_code == 0, result.stderr
    assert (
        "Dear Paul Marsden" in result.stdout and "Where is Harvey going to school?" in result.stdout
    )


def test_usage_errors(sample_db: Path) -> None:
    no_school = runner.invoke(
        app, ["letter", "generate", "--persistent", "--template", "attendance-concern"]
    )
    assert no_school.exit_code == 2 and "--school" in no_school.stderr
    meeting = runner.invoke(app, ["letter", "preview", HARVEY, "--template", "attendance-meeting"])
    assert meeting.exit_code == 2 and "--meeting-date" in meeting.stderr
    unknown = runner.invoke(app, ["letter", "preview", HARVEY, "--template", "nope"])
    assert unknown.exit_code == 4


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_pdf_with_libreoffice(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfReader

    monkeypatch.setenv("ATT_SOFFICE", "soffice")
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "letter",
            "generate",
            HARVEY,
            "--template",
            "warning-before-prosecution",
            "--out",
            str(out),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    for made in json.loads(result.stdout)["letters"]:
        pdf = Path(made["pdf_path"])
        assert oct(pdf.stat().st_mode & 0o777) == "0o600"
        text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert f"Dear {made['addressee']}" in text


def test_cli_start_up_does_not_import_the_letter_libraries() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from attendance_cli.cli.app import app\n"
        "print(','.join(m for m in ('docx', 'docxtpl', 'docxcompose', 'jinja2', 'lxml') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
