"""``att referral`` wiring: exit codes, JSON on stdout, messages on stderr, lazy imports."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from attendance_cli.cli.app import app
from tests.referrals.builders import HARVEY, build_case

runner = CliRunner()


def test_check_exit_codes_and_json(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["referral", "check", HARVEY, "--route", "prosecution"])
    assert result.exit_code == 8, result.output
    assert "MISSING" in result.stdout and "Not ready" in result.stdout

    build_case(sample_conn, sample_db, tmp_path)
    result = runner.invoke(
        app, ["referral", "check", HARVEY.lower(), "--route", "prosecution", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["upn"], data["route"], data["ready"], data["missing"]) == (
        HARVEY,
        "prosecution",
        True,
        [],
    )
    assert data["figures"]["attendance_pct"] == 83.0 and data["period"]["to"] == "2025-11-14"
    siblings = next(i for i in data["items"] if i["id"] == "siblings")
    assert siblings["evidence"] == [
        {"kind": "sibling", "text": "Isla Marsden", "date": None, "ref": None}
    ]
    assert set(data["items"][0]) == {"id", "title", "status", "detail", "evidence"}


def test_check_custom_period_and_bad_route(sample_db: Path) -> None:
    result = runner.invoke(
        app,
        [
            "referral",
            "check",
            HARVEY,
            "-r",
            "penalty-notice",
            "--from",
            "13/10/2025",
            "--to",
            "2025-10-24",
            "-f",
            "json",
        ],
    )
    data = json.loads(result.stdout)
    assert data["period"] == {"from": "2025-10-13", "to": "2025-10-24", "label": "custom period"}
    assert data["figures"]["possible"] == 18
    bad = runner.invoke(app, ["referral", "check", HARVEY, "--route", "caution"])
    assert bad.exit_code == 2 and bad.stderr.startswith("Error: Unknown route 'caution'")
    unknown = runner.invoke(app, ["referral", "check", "B801200005001", "--route", "eso"])
    assert unknown.exit_code == 4


def test_export_refused_forced_and_verified(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bundle.zip"
    refused = runner.invoke(
        app, ["referral", "export", HARVEY, "--route", "prosecution", "--out", str(out)]
    )
    assert refused.exit_code == 5 and "is not ready for prosecution" in refused.stderr
    assert "--force --reason" in refused.stderr and not out.exists()
    no_reason = runner.invoke(
        app, ["referral", "export", HARVEY, "--route", "prosecution", "--out", str(out), "--force"]
    )
    assert no_reason.exit_code == 2 and "--force needs --reason" in no_reason.stderr

    forced = runner.invoke(
        app,
        [
            "referral",
            "export",
            HARVEY,
            "--route",
            "prosecution",
            "--out",
            str(out),
            "--force",
            "--reason",
            "Court date already set",
            "--format",
            "json",
        ],
    )
    assert forced.exit_code == 0, forced.output
    data = json.loads(forced.stdout)
    assert data["forced"] is True and data["reason"] == "Court date already set"
    assert data["path"] == str(out) and data["pages"] > 5
    assert [f["path"] for f in data["files"]][0] == "bundle.pdf"

    ok = runner.invoke(app, ["referral", "verify", str(out), "--format", "json"])
    assert ok.exit_code == 0, ok.output
    verified = json.loads(ok.stdout)
    assert verified["ok"] is True and verified["recorded_export"]["zip_identical"] is True

    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(changed, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "chronology.csv":
                content = content[:-2] + b"X\n"
            target.writestr(info, content)
    bad = runner.invoke(app, ["referral", "verify", str(changed)])
    assert bad.exit_code == 8
    assert "changed: chronology.csv" in bad.stderr
    assert "Bundle CHANGED" in bad.stderr


def test_verify_never_creates_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "none.zip"
    result = runner.invoke(
        app, ["--db", str(tmp_path / "new.sqlite"), "referral", "verify", str(missing)]
    )
    assert result.exit_code == 4
    assert not (tmp_path / "new.sqlite").exists()


def test_cli_start_up_does_not_load_the_pdf_library() -> None:
    code = (
        "import sys; from attendance_cli.cli.app import app\n"
        "print(','.join(m for m in ('reportlab', 'pypdf', 'openpyxl', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_to_after_today_exits_3(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.zip"
    for command in (["check"], ["export", "--out", str(out)]):
        result = runner.invoke(
            app,
            ["referral", command[0], HARVEY, "-r", "penalty-notice", "--to", "2031-01-01"]
            + command[1:],
        )
        assert result.exit_code == 3, result.output
        assert result.stderr.startswith("Error: --to 2031-01-01 is after today")
    assert not out.exists()


def test_verify_a_forged_bundle_and_a_malformed_manifest(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    from tests.referrals.test_bundle import _forge

    build_case(sample_conn, sample_db, tmp_path)
    out = tmp_path / "bundle.zip"
    exported = runner.invoke(
        app, ["referral", "export", HARVEY, "--route", "prosecution", "--out", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    forged = tmp_path / "forged.zip"
    _forge(out, forged)
    caught = runner.invoke(app, ["referral", "verify", str(forged), "--format", "json"])
    assert caught.exit_code == 8, caught.output
    data = json.loads(caught.stdout)
    assert (data["ok"], data["audit_checked"], data["recorded_export"]) == (False, True, None)
    assert data["problem"].startswith("the manifest is not the one att exported")

    no_db = ["--db", str(tmp_path / "none.sqlite"), "referral", "verify", str(forged)]
    alone = runner.invoke(app, no_db)
    assert alone.exit_code == 0, alone.output
    assert "only the bundle's internal consistency was checked" in alone.stderr
    assert not (tmp_path / "none.sqlite").exists()

    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("a.txt", b"hello")
        archive.writestr("manifest.json", json.dumps({"files": [{"path": "a.txt", "bytes": 5}]}))
    result = runner.invoke(app, ["referral", "verify", str(broken)])
    assert result.exit_code == 8, result.output
    assert "no readable manifest.json" in result.stderr and "Internal error" not in result.stderr
