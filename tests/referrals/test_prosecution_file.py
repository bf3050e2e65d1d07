"""The prosecution file: the officer's draft witness statement (CJA 1967 s.9) citing each
exhibit there is and only those, the exhibits labelled with the witness's initials, and the
court copy without the readiness checklist; both copies verify."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cases import notes
from attendance_cli.cli.app import app
from attendance_cli.referrals.bundle import verify_referral_bundle
from attendance_cli.referrals.statement import DECLARATION, initials
from attendance_cli.store import Store
from tests.referrals.builders import HARVEY, OFFICER, build_case
from tests.referrals.test_bundle import TODAY, _export, _pdf_text

EXHIBIT = re.compile(r"\bJO/\d+\b")
TODAY_UK = dt.date.today().strftime("%d/%m/%Y")  # the builder's actions are agreed today


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("Jo Officer", "JO", id="two-words"),
        pytest.param("Mary-Jane O'Neill", "MJO", id="hyphen-and-apostrophe"),
        pytest.param("  ", "X", id="no-name"),
    ],
)
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


def _statement_docx(out: Path) -> str:
    from docx import Document

    with zipfile.ZipFile(out) as archive:
        document = Document(io.BytesIO(archive.read("witness-statement.docx")))
    return "\n".join(p.text for p in document.paragraphs)


def test_the_statement_cites_each_exhibit_and_only_those(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    build_case(sample_conn, sample_db, tmp_path)  # two warning letters: the only documents
    for writer, text in (("Jo Officer", "Phoned mum."), ("Sam Other", "Mum phoned back.")):
        notes.add_note(
            sample_conn, upn=HARVEY, text=text, officer=writer, on=dt.date(2025, 10, 2), today=TODAY
        )
    out = tmp_path / "legal.zip"
    _export(
        sample_conn,
        sample_db,
        out,
        witness="Jo Officer",
        witness_title="Education Welfare Officer",
        la_name="Kestrelford Council",
    )
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    labels = [x["label"] for x in manifest["exhibits"]]
    assert labels == ["JO/1", "JO/2"]
    text = _statement_docx(out)
    assert sorted(set(EXHIBIT.findall(text))) == labels  # each one, no other
    for exhibit in manifest["exhibits"]:  # cited where its document comes in
        assert f"({exhibit['file_name']}). I produce it as exhibit {exhibit['label']}." in text
    assert manifest["witness_statement"]["exhibits_cited"] == labels
    assert DECLARATION in text and text.count("Signature: ") == 2
    assert "I am Jo Officer, Education Welfare Officer employed by Kestrelford Council" in text
    assert "Statement of: Jo Officer" in text and "Age if under 18: over 18" in text
    # first person for the witness's own entries only, in the order they happened
    assert "On 02/10/2025 I recorded: Phoned mum." in text
    assert "On 02/10/2025 Sam Other recorded: Mum phoned back." in text
    assert (
        f"the home visit agreed on {TODAY_UK} was completed: Parents will not change plans." in text
    )
    # 94 possible, 78 attended = 83.0%; 14 G unauthorised, 2 I authorised (tests.referrals.builders)
    assert "94 possible sessions, of which Harvey Marsden attended 78 (83.0%)" in text
    assert "14 sessions of absence were unauthorised and 2 authorised" in text
    pages = "\n".join(_pdf_text(out))
    assert "Witness statement (draft)" in pages and "Readiness checklist" in pages
    assert sorted(set(EXHIBIT.findall(pages))) == labels  # the same labels in the PDF


def test_a_case_without_documents_cites_no_exhibit(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    build_case(sample_conn, sample_db, tmp_path, parents=())  # no warning letters attached
    out = tmp_path / "x.zip"
    _export(sample_conn, sample_db, out, force=True, reason="letters to follow")
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("manifest.json"))["exhibits"] == []
    text = _statement_docx(out)
    assert EXHIBIT.findall(text) == [] and "exhibit" not in text.lower()


def test_the_court_copy_has_no_checklist_and_both_verify(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    build_case(sample_conn, sample_db, tmp_path)
    legal, court = tmp_path / "legal.zip", tmp_path / "court.zip"
    _export(sample_conn, sample_db, legal)
    _export(sample_conn, sample_db, court, copy="court")
    with zipfile.ZipFile(court) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["copy"] == "court"
    assert not {"checklist", "missing_items", "ready", "forced", "reason"} & set(manifest)
    pages = "\n".join(_pdf_text(court))
    assert "Readiness checklist" not in pages and "Readiness check:" not in pages
    assert "Court copy" in pages and "Witness statement (draft)" in pages
    with zipfile.ZipFile(legal) as archive:
        assert json.loads(archive.read("manifest.json"))["checklist"]
    assert "Readiness checklist" in "\n".join(_pdf_text(legal))
    for bundle in (legal, court):
        checked = verify_referral_bundle(bundle, conn=sample_conn)
        assert checked.ok and checked.recorded_export is not None, bundle


def test_other_routes_have_no_statement_and_keep_ex_labels(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    build_case(sample_conn, sample_db, tmp_path)
    out = tmp_path / "eso.zip"
    _export(sample_conn, sample_db, out, route="eso", force=True, reason="test")
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert "witness-statement.docx" not in archive.namelist()
    assert [x["label"] for x in manifest["exhibits"]] == ["EX1", "EX2"]
    assert "witness_statement" not in manifest


def test_the_command(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers import connect_to, is_postgres

    # on PostgreSQL att records the database role, and refuses --officer (tests/team)
    officer = [] if is_postgres(sample_db) else ["--officer", OFFICER]
    conn = Store(connect_to(sample_db), sample_db)
    build_case(conn, sample_db, tmp_path)
    conn.close()
    config = tmp_path / "config.toml"
    config.write_text('[officer]\nname = "Sam Okafor"\njob_title = "Attendance Officer"\n')
    monkeypatch.setenv("ATT_CONFIG", str(config))
    runner = CliRunner()
    out = tmp_path / "court.zip"
    result = runner.invoke(
        app,
        [
            "referral",
            "export",
            HARVEY,
            "--route",
            "prosecution",
            "--out",
            str(out),
            "--copy",
            "court",
            *officer,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert [x["label"] for x in manifest["exhibits"]] == ["SO/1", "SO/2"]
    assert manifest["witness_statement"]["witness"] == "Sam Okafor"
    verified = runner.invoke(app, ["referral", "verify", str(out)])
    assert verified.exit_code == 0, verified.stderr
    bad = runner.invoke(
        app,
        [
            "referral",
            "export",
            HARVEY,
            "--route",
            "prosecution",
            "--out",
            str(tmp_path / "b.zip"),
            "--copy",
            "judge",
        ],
    )
    assert bad.exit_code == 2 and "--copy" in bad.stderr
