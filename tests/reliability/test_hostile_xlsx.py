"""Workbooks that are not what they claim: password-protected (an OLE compound file), damaged,
not a workbook at all, zip bombs (by ratio, by declared size, by part count, by a header that
under-declares), a sheet whose two far-apart cells would make the reader allocate 17 billion
cells (it aborts the process: refused before it is called), and XML entity tricks. Each is
refused with a clear error naming the file; nothing is written; nothing is expanded."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.errors import InvalidInputError
from attendance_cli.registers import readers
from attendance_cli.registers.importer import import_registers
from tests.helpers import SCHOOL, UPN1, counts, write_xlsx

runner = CliRunner()

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SST = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _sheet(rows: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{rows}</sheetData></worksheet>'


def _workbook(path: Path, sheet: str, shared: str | None = None, **extra: str) -> Path:
    shared = shared or f'<?xml version="1.0"?>{SST}<si><t>UPN</t></si></sst>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", shared)
        for name, text in extra.items():
            archive.writestr(name, text)
    return path


HEADER_ROW = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'


def _refused(conn: sqlite3.Connection, path: Path, pattern: str) -> str:
    with pytest.raises(InvalidInputError, match=pattern) as caught:
        readers.open_source(path)
    assert caught.value.file == path.name or path.name in caught.value.message
    result = import_registers(conn, paths=[path], school=SCHOOL)
    assert result.files[0].status == "rejected"
    assert counts(conn)["import_log"] == 0 and counts(conn)["mark_year"] == 0
    return caught.value.message


def test_password_protected_workbook(conn: sqlite3.Connection, tmp_path: Path) -> None:
    # Excel saves an encrypted .xlsx as an OLE compound file holding EncryptionInfo and
    # EncryptedPackage streams: it starts with the compound file signature, not "PK".
    path = tmp_path / "protected.xlsx"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504 + b"EncryptedPackage" * 64)
    message = _refused(conn, path, "password-protected")
    assert "protected.xlsx" in message
    cli = runner.invoke(app, ["import", str(path), "--school", SCHOOL])
    assert cli.exit_code == 3 and "password" in cli.stderr and "Traceback" not in cli.stderr


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_truncated_workbook(conn: sqlite3.Connection, tmp_path: Path, fraction: float) -> None:
    good = write_xlsx(
        tmp_path / "good.xlsx",
        [["UPN", "Date", "Session", "Mark"], [UPN1, "2025-09-03", "AM", "/"]],
    )
    data = good.read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: int(len(data) * fraction)])
    _refused(conn, path, "not a valid Excel workbook|could not be read")


def test_workbook_with_a_damaged_part(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "damaged.xlsx", _sheet(HEADER_ROW * 50))
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + 5
    data[start : start + 20] = b"\xff" * 20  # scribble over the compressed sheet
    path.write_bytes(bytes(data))
    _refused(conn, path, "not a valid Excel workbook|could not be read")


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        pytest.param(b"UPN,Date\n", "not a valid Excel workbook", id="text-named-xlsx"),
        pytest.param(b"", "not a valid Excel workbook", id="empty"),
        pytest.param(None, "not an Excel workbook", id="zip-of-other-files"),
    ],
)
def test_not_really_a_workbook(
    conn: sqlite3.Connection, tmp_path: Path, content: bytes | None, pattern: str
) -> None:
    path = tmp_path / "register.xlsx"
    if content is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
    else:
        path.write_bytes(content)
    _refused(conn, path, pattern)


def test_zip_bomb_by_ratio(conn: sqlite3.Connection, tmp_path: Path) -> None:
    padding = "<!-- " + " " * (60 * 1024 * 1024) + " -->"
    path = _workbook(tmp_path / "bomb.xlsx", _sheet(HEADER_ROW) + padding)
    assert path.stat().st_size < 200_000
    assert "zip bomb" in _refused(conn, path, "times its size")


def test_zip_bomb_by_declared_size(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = tmp_path / "declared.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/worksheets/sheet1.xml", _sheet(HEADER_ROW))
        archive.filelist[-1].file_size = 3 * 1024**3  # the central directory claims 3 GiB
    _refused(conn, path, "MiB, over att's limit")


def test_part_larger_than_it_declares(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/worksheets/sheet1.xml", _sheet(HEADER_ROW * 20_000)),
        ]:
            archive.writestr(name, text)
        archive.filelist[-1].file_size = 1000  # ~1 MB of XML declared as 1,000 bytes
    _refused(conn, path, "not a valid Excel workbook")


def test_too_many_parts(conn: sqlite3.Connection, tmp_path: Path) -> None:
    extra = {f"xl/media/p{n}.xml": "" for n in range(readers.MAX_XLSX_PARTS + 1)}
    path = _workbook(tmp_path / "parts.xlsx", _sheet(HEADER_ROW), **extra)
    _refused(conn, path, "parts, over att's limit")


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(
            HEADER_ROW + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', id="far-corner"
        ),
        pytest.param(
            HEADER_ROW
            + '<row r="2"><c r="XFD2"><v>1</v></c></row>'
            + '<row r="40000"><c r="A40000"><v>1</v></c></row>',
            id="wide-and-long",
        ),
        pytest.param(
            HEADER_ROW + '<row r="1048576">' + "<c><v>1</v></c>" * 40 + "</row>",
            id="cells-without-references",
        ),
        pytest.param(
            HEADER_ROW + '<row\tr="2"><c\nr="ZZZZ2"><v>1</v></c></row>',
            id="odd-whitespace-and-4-letters",
        ),
    ],
)
def test_sheet_whose_cells_span_too_many_cells(
    conn: sqlite3.Connection, tmp_path: Path, rows: str
) -> None:
    # Without the check the reader allocates rows x columns cells and aborts the whole process.
    path = _workbook(tmp_path / "sparse.xlsx", _sheet(rows))
    assert path.stat().st_size < 5_000
    _refused(conn, path, "over att's limit of 30,000,000 cells")


def test_normal_workbooks_pass_the_checks(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "ok.xlsx",
        [["UPN", "Date", "Session", "Mark"], [UPN1, "2025-09-03", "AM", "/"]],
    )
    assert import_registers(conn, paths=[path], school=SCHOOL).files[0].status == "imported"


ENTITIES = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;'
    '&lol;&lol;&lol;">'
    + "".join(f'<!ENTITY lol{n} "' + f"&lol{n - 1};" * 10 + '">' for n in range(3, 10))
    + "]>"
)


@pytest.mark.parametrize(
    "doctype",
    [
        pytest.param(ENTITIES, id="billion-laughs"),
        pytest.param(
            '<!DOCTYPE x [<!ENTITY lol9 SYSTEM "file:///etc/passwd">]>', id="external-entity"
        ),
    ],
)
def test_xml_entities_are_never_expanded(
    conn: sqlite3.Connection, tmp_path: Path, doctype: str
) -> None:
    # A complete marks workbook (UPN, Date, Session, Mark) whose one mark is the entity: were it
    # expanded, the mark would be "lollol…" or /etc/passwd and show in the problem reported
    # (or be imported); without the DOCTYPE it imports, so the refusal is the entity's.
    words = ["UPN", "Date", "Session", "Mark", UPN1, "2025-09-03", "AM", "&lol9;"]
    strings = "".join(f"<si><t>{w}</t></si>" for w in words)
    cells = lambda row, first: "".join(  # noqa: E731
        f'<c r="{col}{row}" t="s"><v>{first + n}</v></c>' for n, col in enumerate("ABCD")
    )
    sheet = _sheet(f'<row r="1">{cells(1, 0)}</row><row r="2">{cells(2, 4)}</row>')
    plain = _workbook(
        tmp_path / "plain.xlsx",
        sheet,
        f'<?xml version="1.0"?>{SST}{strings.replace("&lol9;", "/")}</sst>',
    )
    assert import_registers(conn, paths=[plain], school=SCHOOL).files[0].status == "imported"
    conn.connection.execute("DELETE FROM mark_year")
    path = _workbook(
        tmp_path / "entities.xlsx", sheet, f'<?xml version="1.0"?>{doctype}{SST}{strings}</sst>'
    )
    result = import_registers(conn, paths=[path], school=SCHOOL)
    summary = result.files[0]
    assert summary.status == "rejected"
    text = " ".join(p.message for p in summary.problems)
    assert "lollol" not in text and "root:" not in text
    assert counts(conn)["mark_year"] == 0


def test_openpyxl_reads_xml_through_defusedxml() -> None:
    """openpyxl (the test helpers' reader; later the TSM workbook round trip) parses XML
    with defusedxml when it is installed: no entity expansion, no external entities."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_cli_errors_are_one_clear_line(db_path: Path, tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "far.xlsx",
        _sheet(HEADER_ROW + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
    )
    result = runner.invoke(app, ["import", str(path), "--school", SCHOOL])
    assert result.exit_code == 3
    assert "far.xlsx" in result.stderr and "30,000,000 cells" in result.stderr
    assert "Traceback" not in result.stderr
