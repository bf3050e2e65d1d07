"""The evidence bundle: refusal, override, the zip against its manifest, verification, the PDF
read back with pypdf, the register extract against the imported file, nothing about siblings."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import shutil
import sqlite3
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from attendance_cli.cases import actions, documents, notes
from attendance_cli.cases.audit import list_audit, verify_audit
from attendance_cli.cases.chronology import case_view
from attendance_cli.codes import CATEGORY_OF_STORED, Category
from attendance_cli.config import document_store
from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError, UsageError
from attendance_cli.referrals.bundle import build_referral_bundle, verify_referral_bundle
from attendance_cli.referrals.content import redact_siblings, sanitise_name
from attendance_cli.store import Store
from tests.conftest import SAMPLE
from tests.helpers import audit_rows_written_by_tests
from tests.referrals.builders import HARVEY, OFFICER, build_case

TODAY = dt.date(2025, 11, 20)
ELIZA = "K899200417003"  # one session with no mark yet ('-', Fri 14 Nov 2025 PM)
CALLUM = "U899200515001"  # stepfather Dean Pryce without parental responsibility
SECTIONS = [  # of a prosecution bundle, the legal team's copy
    "Witness statement (draft)",
    "Readiness checklist",
    "Pupil and family",
    "Attendance summary",
    "Certificate of attendance",
    "Register extract",
    "Unauthorised absence by date",
    "Chronology of support",
    "Actions and outcomes",
    "Penalty notice history",
    "Register marks changed between imports",
    "Register data sources",
    "List of exhibits",
]


def _export(conn: sqlite3.Connection, db: Path, out: Path, **kwargs: object) -> object:
    options: dict[str, object] = {
        "upn": HARVEY,
        "route": "prosecution",
        "out": out,
        "store": document_store(db),
        "officer": OFFICER,
        "today": TODAY,
    }
    options.update(kwargs)
    return build_referral_bundle(conn, **options)  # type: ignore[arg-type]


@pytest.fixture
def bundle(sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path) -> tuple[object, Path]:
    build_case(sample_conn, sample_db, tmp_path)
    notes.add_note(
        sample_conn, upn=HARVEY, text="Isla Marsden was on the same holiday", officer=OFFICER
    )
    out = tmp_path / "out" / "bundle.zip"
    out.parent.mkdir()
    return _export(sample_conn, sample_db, out), out


def _is_footer(line: str) -> bool:
    return " | period " in line or line.startswith(("Page ", "att 0", "OFFICIAL-SENSITIVE"))


def _pdf_text(out: Path) -> list[str]:
    """Each page's text without its footer."""
    with zipfile.ZipFile(out) as archive:
        reader = PdfReader(io.BytesIO(archive.read("bundle.pdf")))
        return [
            "\n".join(
                line for line in (page.extract_text() or "").splitlines() if not _is_footer(line)
            )
            for page in reader.pages
        ]


def test_manifest_lists_every_file_with_its_hash(bundle: tuple[object, Path]) -> None:
    result, out = bundle
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        for entry in manifest["files"]:
            data = archive.read(entry["path"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert len(data) == entry["bytes"]
    assert sorted(names) == sorted([e["path"] for e in manifest["files"]] + ["manifest.json"])
    assert [e["path"] for e in manifest["files"]][:4] == [
        "bundle.pdf",
        "register-extract.csv",
        "register-extract.xlsx",
        "chronology.csv",
    ]
    attachments = [n for n in names if n.startswith("attachments/")]
    assert len(attachments) == 2 and all(n.startswith("attachments/") for n in attachments)
    assert (manifest["upn"], manifest["route"], manifest["tool"]) == (HARVEY, "prosecution", "att")
    assert manifest["period"] == {
        "from": "2025-08-01",
        "to": "2025-11-14",
        "label": "2025/26 to date",
    }
    assert manifest["ready"] is True and manifest["forced"] is False
    assert [i["file_name"] for i in manifest["imports"]] == ["castle_hill_marks.csv"]
    expected = hashlib.sha256((SAMPLE / "castle_hill_marks.csv").read_bytes()).hexdigest()
    assert manifest["imports"][0]["sha256"] == expected
    assert manifest["database_as_at"]["file_name"] == "castle_hill_marks.csv"
    assert result.zip_sha256 == hashlib.sha256(out.read_bytes()).hexdigest()  # type: ignore[attr-defined]


def test_bundle_file_is_private_and_complete(bundle: tuple[object, Path]) -> None:
    _, out = bundle
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in out.parent.iterdir()] == ["bundle.zip"]  # no temporary file left


def test_export_is_audited_and_in_the_chronology(
    bundle: tuple[object, Path], sample_conn: sqlite3.Connection
) -> None:
    result, out = bundle
    entry = list_audit(sample_conn, upn=HARVEY)[-1]
    assert (entry.action, entry.entity, entry.officer) == ("referral_export", "case", OFFICER)
    assert entry.detail["route"] == "prosecution" and entry.detail["forced"] is False
    assert entry.detail["sha256"] == result.zip_sha256  # type: ignore[attr-defined]
    assert verify_audit(sample_conn).ok
    types = [e.type for e in case_view(sample_conn, HARVEY).chronology]
    assert "referral_export" in types


def test_verify_intact_and_a_changed_byte(
    bundle: tuple[object, Path], sample_conn: sqlite3.Connection, tmp_path: Path
) -> None:
    _, out = bundle
    intact = verify_referral_bundle(out, conn=sample_conn)
    # 4 files, the witness statement (a prosecution) and 2 attachments
    assert intact.ok and intact.files_checked == 7 and intact.recorded_export is not None
    assert intact.recorded_export["zip_identical"] is True

    # one byte of a stored (uncompressed) member flipped in the zip file itself
    data = bytearray(out.read_bytes())
    at = data.index(b"%PDF") + 200
    data[at] ^= 0x01
    flipped = tmp_path / "flipped.zip"
    flipped.write_bytes(bytes(data))
    check = verify_referral_bundle(flipped)
    assert (check.ok, check.changed) == (False, ["bundle.pdf"])

    # a member re-written with one character changed (a valid zip, same manifest)
    edited = tmp_path / "edited.zip"
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(edited, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "register-extract.csv":
                content = content.replace(b",G,", b",I,", 1)
            target.writestr(info, content)
    check = verify_referral_bundle(edited, conn=sample_conn)
    assert (check.ok, check.changed, check.missing) == (False, ["register-extract.csv"], [])
    assert check.recorded_export is not None and check.recorded_export["zip_identical"] is False

    extra = tmp_path / "extra.zip"
    shutil.copy(out, extra)
    with zipfile.ZipFile(extra, "a") as archive:
        archive.writestr("attachments/99-new.txt", b"slipped in")
    assert verify_referral_bundle(extra).unexpected == ["attachments/99-new.txt"]
    not_zip = tmp_path / "not.zip"
    not_zip.write_bytes(b"hello")
    assert verify_referral_bundle(not_zip).problem.startswith("not a readable zip")  # type: ignore[union-attr]
    with pytest.raises(NotFoundError):
        verify_referral_bundle(tmp_path / "absent.zip")


def test_pdf_index_pages_and_figures(
    bundle: tuple[object, Path], sample_conn: sqlite3.Connection
) -> None:
    result, out = bundle
    pages = _pdf_text(out)
    assert len(pages) == result.pages  # type: ignore[attr-defined]
    with zipfile.ZipFile(out) as archive:
        first = PdfReader(io.BytesIO(archive.read("bundle.pdf"))).pages[-1].extract_text()
    assert f"Page {len(pages)} of {len(pages)}" in first
    assert "Legal referral: evidence bundle" in pages[0] and "Harvey Marsden" in pages[0]
    assert "A899200218001" in pages[0] and "castle_hill_marks.csv" in pages[0]
    index = pages[1]
    assert index.startswith("Index")
    # each entry: its title, then dot leaders and its page number
    titles = [line.strip() for line in index.splitlines()[1:] if line.strip()[:1].isalpha()]
    numbers = [int(n) for n in re.findall(r"\.\s+(\d+)\s*$", index, flags=re.MULTILINE)]
    assert titles == SECTIONS
    assert len(numbers) == len(SECTIONS) and numbers == sorted(numbers)
    for section, number in zip(SECTIONS, numbers, strict=True):
        heading_on = [n + 1 for n, page in enumerate(pages) if section in page.splitlines()]
        assert heading_on == [2, number], (section, number)  # the index, then its own page
    with zipfile.ZipFile(out) as archive:
        reader = PdfReader(io.BytesIO(archive.read("bundle.pdf")))
        outline = [
            (item.title, reader.get_destination_page_number(item) + 1) for item in reader.outline
        ]
    assert outline == list(zip(SECTIONS, numbers, strict=True))

    # the certificate's figures equal the stored marks counted here from the database
    stored = sample_conn.connection.execute(
        "SELECT m.marks FROM mark_year m JOIN enrolment e ON e.id = m.enrolment_id "
        "JOIN pupil p ON p.id = e.pupil_id WHERE p.upn = ? AND m.academic_year = 2025",
        (HARVEY,),
    ).fetchone()[0]
    categories = [CATEGORY_OF_STORED[ch] for ch in stored]
    possible = sum(c.is_possible for c in categories)
    attended = sum(c.is_attended for c in categories)
    unauthorised = categories.count(Category.UNAUTHORISED)
    assert (possible, attended, unauthorised) == (94, 78, 14)
    certificate = next(p for p in pages if p.lstrip().startswith("Certificate of attendance"))
    flat = " ".join(certificate.split())
    assert f"Possible sessions (the school was open to the pupil) {possible}" in flat
    assert f"Sessions attended (present or approved educational activity) {attended}" in flat
    assert f"Sessions of unauthorised absence {unauthorised}" in flat
    assert "Attendance 83.0%" in flat
    assert "Signed" in flat and "Head teacher of Castle Hill Academy" in flat
    unauthorised_page = next(p for p in pages if p.lstrip().startswith("Unauthorised absence by"))
    assert "14 sessions of unauthorised absence in the period." in unauthorised_page


def test_register_extract_equals_the_imported_marks(bundle: tuple[object, Path]) -> None:
    _, out = bundle
    with (SAMPLE / "castle_hill_marks.csv").open(newline="", encoding="utf-8") as handle:
        imported = [
            (
                dt.datetime.strptime(r["Date"], "%d/%m/%Y").date().isoformat(),
                r["Session"],
                r["Mark"],
            )
            for r in csv.DictReader(handle)
            if r["UPN"] == HARVEY
        ]
    with zipfile.ZipFile(out) as archive:
        text = archive.read("register-extract.csv").decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(archive.read("register-extract.xlsx"))).worksheets[0]
        xlsx = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert list(rows[0]) == ["date", "session", "mark", "meaning", "category", "school_laestab"]
    assert [(r["date"], r["session"], r["mark"]) for r in rows] == sorted(imported)
    assert len(rows) == 96  # 48 school days (the INSET day is marked #)
    g = next(r for r in rows if r["mark"] == "G")
    assert (g["meaning"], g["category"], g["school_laestab"]) == (
        "Holiday not granted by the school",
        "unauthorised",
        "8994001",
    )
    assert xlsx[0] == ["date", "session", "mark", "meaning", "category", "school_laestab"]
    assert [(r[0].date().isoformat(), r[1], r[2]) for r in xlsx[1:]] == sorted(imported)


def test_bundle_holds_nothing_about_siblings(bundle: tuple[object, Path]) -> None:
    _, out = bundle
    with zipfile.ZipFile(out) as archive:
        texts = {
            name: archive.read(name).decode("utf-8", "replace")
            for name in archive.namelist()
            if not name.endswith((".pdf", ".xlsx"))
        }
    texts["bundle.pdf"] = "\n".join(_pdf_text(out))
    for name, content in texts.items():
        assert "Isla" not in content, name
        assert "V899200222001" not in content, name
    assert "[sibling] was on the same holiday" in texts["chronology.csv"]


def test_refused_without_force_and_force_needs_a_reason(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    build_case(sample_conn, sample_db, tmp_path, leave_out=("paul_letter",))
    out = tmp_path / "b.zip"
    before = len(list_audit(sample_conn))
    with pytest.raises(RefusedError, match="not ready for prosecution: missing A dated warning"):
        _export(sample_conn, sample_db, out)
    with pytest.raises(UsageError, match="--force needs --reason"):
        _export(sample_conn, sample_db, out, force=True, reason="  ")
    assert not out.exists() and len(list_audit(sample_conn)) == before
    assert list(tmp_path.glob(".b.*")) == []

    result = _export(
        sample_conn, sample_db, out, force=True, reason="Father's letter returned; court date set"
    )
    assert result.forced and result.missing_items == ["warning_letters"]  # type: ignore[attr-defined]
    cover = " ".join(_pdf_text(out)[0].split())
    assert "EXPORTED WITH AN OVERRIDE by Jo Officer" in cover
    assert "Reason given: Father's letter returned; court date set" in cover
    entry = list_audit(sample_conn, upn=HARVEY)[-1]
    assert entry.detail["forced"] is True
    assert entry.detail["reason"] == "Father's letter returned; court date set"
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert (manifest["forced"], manifest["missing_items"]) == (True, ["warning_letters"])


def test_force_on_a_ready_case_is_no_override(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    build_case(sample_conn, sample_db, tmp_path)
    result = _export(sample_conn, sample_db, tmp_path / "b.zip", force=True, reason="just in case")
    assert result.forced is False and result.reason == "just in case"  # type: ignore[attr-defined]


def test_bad_out_paths(sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path) -> None:
    for out in (tmp_path / "b.pdf", tmp_path / "nowhere" / "b.zip"):
        with pytest.raises(InvalidInputError):
            _export(sample_conn, sample_db, out)


def test_attachment_names_cannot_escape_and_changed_documents_are_refused(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    build_case(sample_conn, sample_db, tmp_path)
    sample_conn.connection.execute(
        "UPDATE case_document SET file_name = '../../etc/évil name.pdf' WHERE id = 1"
    )
    audit_rows_written_by_tests(sample_conn)  # as if att had recorded the hostile name
    out = tmp_path / "b.zip"
    _export(sample_conn, sample_db, out)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
    assert "attachments/1-evil_name.pdf" in names
    assert all(".." not in n and not n.startswith("/") for n in names)

    stored = (
        document_store(sample_db)
        / sample_conn.connection.execute(
            "SELECT sha256 FROM case_document WHERE id = 2"
        ).fetchone()[0]
    )
    stored.chmod(0o600)
    stored.write_bytes(b"tampered")
    with pytest.raises(RefusedError, match="has changed since it was attached"):
        _export(sample_conn, sample_db, tmp_path / "c.zip")
    stored.unlink()
    with pytest.raises(NotFoundError, match="missing from the document store"):
        _export(sample_conn, sample_db, tmp_path / "c.zip")


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        pytest.param("../../etc/passwd", "passwd", id="parent-folders"),
        pytest.param("..\\..\\boot.ini", "boot.ini", id="windows-folders"),
        pytest.param("Zoë's letter (final).PDF", "Zoe_s_letter_final_.PDF", id="accents-spaces"),
        pytest.param("...", "document", id="nothing-left"),
        pytest.param("a" * 200 + ".pdf", "a" * 76 + ".pdf", id="long-name-keeps-suffix"),
    ],
)
def test_sanitise_name(name: str, safe: str) -> None:
    assert sanitise_name(name) == safe


def test_redact_siblings() -> None:
    assert redact_siblings("ISLA  marsden and Isla", ["Isla Marsden"]) == "[sibling] and Isla"
    assert redact_siblings(None, ["Isla Marsden"]) is None


def test_names_outside_latin_1_print_as_written(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    sample_conn.connection.execute(
        "UPDATE pupil SET forename = 'Zoë', surname = 'Ó''Brien' WHERE upn = ?", (HARVEY,)
    )
    sample_conn.connection.execute(
        "UPDATE contact SET name = 'Łukasz Ńowak' WHERE name = 'Paul Marsden' AND pupil_id = "
        "(SELECT id FROM pupil WHERE upn = ?)",
        (HARVEY,),
    )
    build_case(sample_conn, sample_db, tmp_path, parents=("Claire Marsden", "Łukasz Ńowak"))
    out = tmp_path / "b.zip"
    result = _export(sample_conn, sample_db, out)
    text = "\n".join(_pdf_text(out))
    assert "Zoë Ó'Brien" in text and "Łukasz" in text
    assert result.transliterated == ["Ń (U+0143) as N"]  # type: ignore[attr-defined]
    assert "transliterated ((U+0143) as N)" in " ".join(_pdf_text(out)[0].split())
    with zipfile.ZipFile(out) as archive:
        assert "Łukasz Ńowak" in archive.read("chronology.csv").decode("utf-8")


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed"
)
def test_pdftoppm_renders_the_cover(bundle: tuple[object, Path], tmp_path: Path) -> None:
    _, out = bundle
    pdf = tmp_path / "bundle.pdf"
    with zipfile.ZipFile(out) as archive:
        pdf.write_bytes(archive.read("bundle.pdf"))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    (png,) = tmp_path.glob("page*.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 2000


def test_long_texts_split_across_pages(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    """A table row taller than a page (a long note, 30 actions of evidence) must split."""
    build_case(sample_conn, sample_db, tmp_path)
    for n in range(30):
        action = actions.add_action(
            sample_conn, upn=HARVEY, kind="home visit", action=f"Visit {n} " * 30, officer=OFFICER
        )
        actions.complete_action(
            sample_conn, action_id=action.id, outcome="Seen " * 40, officer=OFFICER
        )
    long_note = "The family explained their situation at length. " * 300 + "x" * 700
    notes.add_note(sample_conn, upn=HARVEY, text=long_note, officer=OFFICER)
    out = tmp_path / "long.zip"
    result = _export(sample_conn, sample_db, out)
    assert result.pages > 12  # type: ignore[attr-defined]
    text = " ".join(" ".join(_pdf_text(out)).split())
    # 32 support actions (31 home visits, the early help assessment): 6 shown in the checklist
    assert "… and 26 more (see the chronology and the actions)" in text


def test_marks_changed_between_imports_are_listed(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    from attendance_cli.registers.importer import import_registers
    from tests.helpers import write_csv

    # the school re-sends Thu 18 Sep: Harvey's I (illness) becomes M (medical appointment) AM
    fix = write_csv(
        tmp_path / "castle_hill_fix.csv",
        [["UPN", "Date", "Session", "Mark"], [HARVEY, "2025-09-18", "AM", "M"]],
    )
    assert import_registers(sample_conn, paths=[fix], school="8994001").ok
    build_case(sample_conn, sample_db, tmp_path)
    out = tmp_path / "b.zip"
    _export(sample_conn, sample_db, out)
    page = next(
        p
        for p in _pdf_text(out)[2:]  # after the cover and the index
        if "Register marks changed between imports" in p.splitlines()
    )
    flat = " ".join(page.split())
    assert "18/09/2025 AM 8994001 I M castle_hill_fix.csv" in flat
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        rows = list(
            csv.DictReader(io.StringIO(archive.read("register-extract.csv").decode("utf-8-sig")))
        )
    assert [i["file_name"] for i in manifest["imports"]] == [
        "castle_hill_marks.csv",
        "castle_hill_fix.csv",
    ]
    assert manifest["database_as_at"]["file_name"] == "castle_hill_fix.csv"
    assert {(r["date"], r["session"]): r["mark"] for r in rows}[("2025-09-18", "AM")] == "M"


def test_spreadsheet_files_hold_no_live_formula(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    build_case(sample_conn, sample_db, tmp_path)
    notes.add_note(sample_conn, upn=HARVEY, text='=HYPERLINK("http://x","y")', officer=OFFICER)
    notes.add_note(sample_conn, upn=HARVEY, text="@SUM(A1)", officer=OFFICER)
    # the workbook holds no officer text, but it does hold the pupil's name: make it a formula
    sample_conn.connection.execute(
        "UPDATE pupil SET forename = ? WHERE upn = ?", ('=HYPERLINK("http://x","y")', HARVEY)
    )
    out = tmp_path / "bundle.zip"
    _export(sample_conn, sample_db, out, force=True, reason="test")
    with zipfile.ZipFile(out) as archive:
        chronology = archive.read("chronology.csv").decode("utf-8-sig")
        extract = archive.read("register-extract.xlsx")
    cells = [c for row in csv.reader(io.StringIO(chronology)) for c in row]
    assert '\'=HYPERLINK("http://x","y")' in cells and "'@SUM(A1)" in cells
    assert not any(c.startswith(("=", "+", "@", "\t", "\r")) for c in cells)
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(extract))
    try:
        texts = []
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", cell.coordinate
                    texts.append(cell.value)
    finally:
        workbook.close()
    pupil = [t for t in texts if isinstance(t, str) and "HYPERLINK" in t]
    assert pupil and all(t.startswith("'=HYPERLINK") for t in pupil), pupil


# ------------------------------------------------------------------ the reviewer's findings


def _zip_texts(out: Path) -> dict[str, str]:
    with zipfile.ZipFile(out) as archive:
        texts = {
            name: archive.read(name).decode("utf-8", "replace")
            for name in archive.namelist()
            if not name.endswith((".pdf", ".xlsx"))
        }
    texts["bundle.pdf"] = "\n".join(_pdf_text(out))
    return texts


def _certificate(out: Path) -> str:
    page = next(p for p in _pdf_text(out) if p.lstrip().startswith("Certificate of attendance"))
    return " ".join(page.split())


def test_certificate_covers_only_the_marked_dates(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    """Harvey joined on Wed 3 Sep 2025; his marks end on Fri 14 Nov (TODAY is 20 Nov)."""
    build_case(sample_conn, sample_db, tmp_path)
    out = tmp_path / "b.zip"
    result = _export(sample_conn, sample_db, out, route="penalty-notice", start=dt.date(2025, 9, 1))
    assert (result.period_from, result.period_to) == (dt.date(2025, 9, 1), dt.date(2025, 11, 14))  # type: ignore[attr-defined]
    assert "between 03/09/2025 and 14/11/2025:" in _certificate(out)
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["period"]["to"] == "2025-11-14"
    with pytest.raises(InvalidInputError, match="after today"):
        _export(sample_conn, sample_db, tmp_path / "c.zip", end=dt.date(2031, 1, 1))
    assert not (tmp_path / "c.zip").exists()


def test_sessions_with_no_mark_yet_in_the_summary_and_the_certificate(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    # Eliza Ali: 93 possible, 92 attended, 1 authorised (M), 0 unauthorised, 98.9%, and one
    # session with no mark yet (Fri 14 Nov PM): see test_check
    build_case(sample_conn, sample_db, tmp_path, upn=ELIZA, parents=("Lisa Murray", "Martin Ali"))
    out = tmp_path / "b.zip"
    _export(sample_conn, sample_db, out, upn=ELIZA, force=True, reason="test")
    summary = next(p for p in _pdf_text(out) if p.lstrip().startswith("Attendance summary"))
    flat = " ".join(summary.split())
    assert "No mark yet" in flat
    assert "Castle Hill Academy (8994001) 93 92 1 0 0.5 98.9% 1" in flat
    certificate = _certificate(out)
    assert "between 03/09/2025 and 14/11/2025:" in certificate
    assert "1 session with no mark yet (marked -): missing data, not counted" in certificate


def test_a_document_named_after_a_sibling_is_redacted_in_the_manifest(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    build_case(sample_conn, sample_db, tmp_path)
    for name in ("Isla_Marsden attendance.pdf", "letter about Isla Marsden.pdf"):
        document = tmp_path / name
        document.write_bytes(b"%PDF-1.4\n% about the sister\n" + name.encode())
        documents.attach_document(
            sample_conn,
            upn=HARVEY,
            file=document,
            kind="other",
            store=document_store(sample_db),
            officer=OFFICER,
        )
    out = tmp_path / "b.zip"
    _export(sample_conn, sample_db, out)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
    assert [x["file_name"] for x in manifest["exhibits"]][-2:] == [
        "[sibling] attendance.pdf",
        "letter about [sibling].pdf",
    ]
    assert not any("isla" in n.lower() for n in names)
    for name, content in _zip_texts(out).items():
        if not name.startswith("attachments/"):  # their content is the officer's responsibility
            assert "Isla" not in content, name


def _forge(out: Path, forged: Path) -> None:
    """Replace an attachment, put its new hash and size into manifest.json, zip it again."""
    with zipfile.ZipFile(out) as source:
        manifest = json.loads(source.read("manifest.json"))
        members = {info.filename: source.read(info) for info in source.infolist()}
    target = next(e for e in manifest["files"] if e["path"].startswith("attachments/"))
    replacement = b"%PDF-1.4\n% a different letter\n"
    members[target["path"]] = replacement
    target["sha256"] = hashlib.sha256(replacement).hexdigest()
    target["bytes"] = len(replacement)
    members["manifest.json"] = (json.dumps(manifest, indent=2) + "\n").encode()
    with zipfile.ZipFile(forged, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_verify_refuses_a_forged_manifest_when_it_has_the_audit_log(
    bundle: tuple[object, Path], sample_conn: sqlite3.Connection, tmp_path: Path
) -> None:
    _, out = bundle
    forged = tmp_path / "forged.zip"
    _forge(out, forged)
    checked = verify_referral_bundle(forged, conn=sample_conn)
    assert (checked.ok, checked.changed, checked.missing, checked.unexpected) == (
        False,
        [],
        [],
        [],
    )
    assert checked.audit_checked and checked.recorded_export is None
    assert checked.problem is not None
    assert checked.problem.startswith("the manifest is not the one att exported")
    # without the audit log the forgery is internally consistent: said so, not hidden
    alone = verify_referral_bundle(forged)
    assert (alone.ok, alone.audit_checked) == (True, False)
    assert verify_referral_bundle(out, conn=sample_conn).ok


@pytest.mark.parametrize(
    ("manifest", "says"),
    [
        pytest.param(
            {"files": [{"path": "a.txt", "bytes": 5}]},
            "files entry 1 (a.txt) has no SHA-256",
            id="no-sha256",
        ),
        pytest.param(
            {"files": [{"path": "a.txt", "sha256": 5, "bytes": 5}]},
            "files entry 1 (a.txt) has no SHA-256",
            id="sha256-not-text",
        ),
        pytest.param(
            {"files": [{"path": "a.txt", "sha256": "ab" * 32, "bytes": "5"}]},
            "files entry 1 (a.txt) has no size in bytes",
            id="bytes-as-text",
        ),
        pytest.param({"files": [["a.txt"]]}, "files entry 1 is not an object", id="entry-list"),
        pytest.param({"files": {"a.txt": {}}}, "no files list", id="files-object"),
        pytest.param(["files"], "not a JSON object", id="list"),
        pytest.param({"files": [], "upn": 7}, "upn is not text", id="upn-number"),
    ],
)
def test_verify_reports_a_malformed_manifest(tmp_path: Path, manifest: object, says: str) -> None:
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", b"hello")
        archive.writestr("manifest.json", json.dumps(manifest))
    result = verify_referral_bundle(path)
    assert (result.ok, result.problem) == (False, f"no readable manifest.json ({says})")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_HELLO_SHA256 = hashlib.sha256(b"hello").hexdigest()
_ENTRY = st.fixed_dictionaries(  # each key present or not, often with the right value
    {},
    optional={
        "path": st.just("a.txt") | _JSON,
        "sha256": st.just(_HELLO_SHA256) | _JSON,
        "bytes": st.just(5) | _JSON,
    },
)
_MANIFEST = (
    st.fixed_dictionaries(
        {"files": st.lists(_ENTRY, max_size=2) | _JSON},
        optional={"upn": st.just(HARVEY) | _JSON, "route": _JSON, "generated_at": _JSON},
    )
    | _JSON
)


@settings(max_examples=150, deadline=None)
@given(manifest=_MANIFEST)
def test_verify_never_fails_on_any_manifest_shape(manifest: object) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "b.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("a.txt", b"hello")
            archive.writestr("manifest.json", json.dumps(manifest))
        result = verify_referral_bundle(path)
    well_formed = (
        isinstance(manifest, dict)
        and manifest.get("files") == [{"path": "a.txt", "sha256": _HELLO_SHA256, "bytes": 5}]
        and all(isinstance(manifest.get(k), str | None) for k in ("upn", "route", "generated_at"))
    )
    assert result.ok is well_formed
    if result.problem is not None:
        assert result.problem.startswith("no readable manifest.json (")


def test_only_parents_with_parental_responsibility_have_contact_details(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    # Callum Whitlock: mother Donna Whitlock (PR, 07700 900152, donna.whitlock@example.com);
    # stepfather Dean Pryce (no PR, 07700 900582, dean.pryce@example.com)
    build_case(sample_conn, sample_db, tmp_path, upn=CALLUM, parents=("Donna Whitlock",))
    out = tmp_path / "b.zip"
    _export(sample_conn, sample_db, out, upn=CALLUM, force=True, reason="test")
    family = next(p for p in _pdf_text(out) if p.lstrip().startswith("Pupil and family"))
    flat = " ".join(family.split())
    assert "07700 900152" in flat and "donna.whitlock@example.com" in flat
    assert "Other contacts (no parental responsibility): name and relationship only" in flat
    assert "Dean Pryce Stepfather" in flat
    for name, content in _zip_texts(out).items():
        assert "900582" not in content and "dean.pryce@" not in content, name


class _CommitFails:
    """A connection whose COMMIT fails (disk full, I/O error) and everything else works, on
    either engine."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if sql.strip().upper() == "COMMIT":
            if isinstance(self._conn, sqlite3.Connection):
                raise sqlite3.OperationalError("disk I/O error")
            import psycopg  # the [postgresql] run: the server's own error

            raise psycopg.errors.DiskFull("could not extend file: No space left on device")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self._conn, name)


def test_a_failed_commit_leaves_no_bundle_and_keeps_the_earlier_one(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    from attendance_cli.errors import DatabaseError

    build_case(sample_conn, sample_db, tmp_path)
    out = tmp_path / "out" / "bundle.zip"
    out.parent.mkdir()
    out.write_bytes(b"the earlier bundle")
    before = len(list_audit(sample_conn))
    with pytest.raises(DatabaseError):
        _export(
            Store(_CommitFails(sample_conn.connection), sample_db), sample_db, out, overwrite=True
        )  # type: ignore[arg-type]
    assert out.read_bytes() == b"the earlier bundle"
    assert [p.name for p in out.parent.iterdir()] == ["bundle.zip"]
    assert len(list_audit(sample_conn)) == before


def test_a_failed_rename_after_the_commit_is_reported(
    sample_conn: sqlite3.Connection,
    sample_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from attendance_cli.errors import ExitCode, FileProblemError

    build_case(sample_conn, sample_db, tmp_path)
    out = tmp_path / "out" / "bundle.zip"
    out.parent.mkdir()

    def refuse(source: object, target: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("attendance_cli.files.os.replace", refuse)
    monkeypatch.setattr("attendance_cli.files.os.link", refuse)
    with pytest.raises(FileProblemError) as raised:
        _export(sample_conn, sample_db, out)
    monkeypatch.undo()
    assert raised.value.exit_code == ExitCode.FILE
    entry = list_audit(sample_conn, upn=HARVEY)[-1]
    assert entry.action == "referral_export"
    message = raised.value.message
    assert (
        f"recorded in the audit log (entry {entry.id}, SHA-256 {entry.detail['sha256']})" in message
    )
    assert "could not be moved to" in message and "Permission denied" in message
    assert not out.exists()
    (kept,) = out.parent.iterdir()
    assert f"The complete bundle is at {kept}" in message
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == entry.detail["sha256"]


def test_the_bundle_states_a_notice_as_att_penalty_list_does(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    """Rule 11: one source for a notice's amount and dates. Harvey's notice to Claire Marsden,
    handed over Mon 3 Nov 2025: £80 by Sun 23 Nov (day 21), £160 by Sun 30 Nov (day 28); on
    20 Nov it is outstanding, and its case action is due on 30 Nov."""
    from attendance_cli.cases.penalty import add_penalty_notice, describe_status

    build_case(sample_conn, sample_db, tmp_path)
    notice = add_penalty_notice(
        sample_conn,
        upn=HARVEY,
        parent="Claire Marsden",
        issued=dt.date(2025, 11, 3),
        served_by="hand",
        officer=OFFICER,
        today=TODAY,
    ).notice
    assert describe_status(notice) == "£80 by 23/11, £160 by 30/11/2025"
    out = tmp_path / "pn.zip"
    _export(sample_conn, sample_db, out, route="penalty-notice", force=True, reason="test")
    text = "\n".join(_pdf_text(out))
    history = text[text.rfind("Penalty notice history") :]
    assert re.search(r"£80 by 23/11, £160 by\s+30/11/2025", history)
    assert "£80.00" not in text
    assert re.search(r"due\s+30/11/2025", text)  # the notice's action, due the last day to pay
