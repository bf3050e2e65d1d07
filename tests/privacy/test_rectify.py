"""Rectification of a contact (UK GDPR art. 16) and roster imports after it.

Each import test writes a real roster file (CSV, tab-separated text, XLSX: the formats a roster
can come in; a CTF carries no contacts) for one pupil with two parents, as the school's MIS
would export it, corrects one parent, and imports the file again. What must hold, by hand:
the corrected value wins over the file's, the import's note quotes what the file still says,
the correction is retired the first time the file agrees (and no note is written then), and
the contact keeps its id throughout.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cases.audit import verify_audit
from attendance_cli.cli.app import app
from attendance_cli.errors import NotFoundError, RefusedError, UsageError
from attendance_cli.identifiers import make_upn
from attendance_cli.privacy import rectify
from attendance_cli.privacy.access import child_access, parent_access
from attendance_cli.privacy.erase import ErasureTarget, erase_records
from attendance_cli.registers.importer import import_registers
from attendance_cli.store import Store
from attendance_cli.store import privacy as stored
from tests.privacy.builders import HARVEY, OFFICER

runner = CliRunner()
UPN = make_upn(899, 2002, 18, 9)
HEADER = [
    "UPN", "Surname", "Forename", "LAESTAB", "School Name",
    "Parent 1 Name", "Parent 1 Relationship", "Parent 1 Address", "Parent 1 Phone",
    "Parent 1 Parental Responsibility",
    "Parent 2 Name", "Parent 2 Relationship", "Parent 2 Address", "Parent 2 Phone",
    "Parent 2 Parental Responsibility",
]  # fmt: skip
OLD_ADDRESS = "14 Old Road, Kestrelford KF1 1AA"
NEW_ADDRESS = "2 Station Row, Kestrelford KF3 9ZZ"


def _row(
    mother: str = "Jo Hart", address: str = OLD_ADDRESS, phone: str = "07700 900111"
) -> list[str]:
    return [
        UPN, "Hart", "Mia", "8992003", "Brook Lane Primary",
        mother, "Mother", address, phone, "Y",
        "Lee Hart", "Father", OLD_ADDRESS, "07700 900222", "Y",
    ]  # fmt: skip


def _write(path: Path, row: list[str]) -> Path:
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(HEADER)
        sheet.append(row)
        book.save(path)
        return path
    delimiter = "\t" if path.suffix == ".txt" else ","
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(HEADER)
        writer.writerow(row)
    return path


def _import(conn: Store, path: Path) -> list[str]:
    summary = import_registers(conn, paths=[path]).files[0]
    assert summary.status == "imported", summary.problems
    return [n for n in summary.notes if "corrected contact" in n]


def _contacts(conn: Store) -> list[tuple[object, ...]]:
    return [
        tuple(r)
        for r in conn.connection.execute(
            "SELECT c.id, c.priority, c.name, c.address, c.phone FROM contact c "
            "JOIN pupil p ON p.id = c.pupil_id WHERE p.upn = ? ORDER BY c.priority",
            (UPN,),
        )
    ]


def _mother(store: Store) -> int:
    return rectify.find_contact(store, upn=UPN, contact="Jo Hart")


@pytest.mark.parametrize("suffix", [".csv", ".txt", ".xlsx"], ids=["csv", "tab-text", "xlsx"])
def test_an_import_keeps_the_correction_until_the_school_agrees(
    conn: Store, store: Store, tmp_path: Path, suffix: str
) -> None:
    assert _import(conn, _write(tmp_path / f"roster1{suffix}", _row())) == []
    mother = _mother(store)
    rectify.correct_contact(
        store, contact_id=mother, changes={"address": NEW_ADDRESS}, reason="moved", officer=OFFICER
    )
    father = _contacts(conn)[1]
    # the school's file still has the old address: the correction wins, the note says so
    notes = _import(conn, _write(tmp_path / f"roster2{suffix}", _row()))
    assert len(notes) == 1
    assert (
        f"kept 1 corrected contact field; the school's file still says: {UPN} Jo Hart: "
        f"address '{OLD_ADDRESS}' (corrected to '{NEW_ADDRESS}')"
    ) in notes[0]
    assert _contacts(conn) == [
        (mother, 1, "Jo Hart", NEW_ADDRESS, "07700 900111"),
        father,
    ]
    [kept] = rectify.list_corrections(store, upn=UPN)
    assert (kept.school_value, kept.value, kept.retired_at) == (OLD_ADDRESS, NEW_ADDRESS, None)
    # the school fixes its MIS: the correction is retired quietly, the contact is unchanged
    notes = _import(conn, _write(tmp_path / f"roster3{suffix}", _row(address=NEW_ADDRESS)))
    assert notes == []
    assert rectify.list_corrections(store, upn=UPN) == []
    [retired] = rectify.list_corrections(store, upn=UPN, include_retired=True)
    assert retired.retired_at is not None
    assert _contacts(conn)[0] == (mother, 1, "Jo Hart", NEW_ADDRESS, "07700 900111")
    # once retired, the school's file is the authority again
    _import(conn, _write(tmp_path / f"roster4{suffix}", _row(address=OLD_ADDRESS)))
    assert _contacts(conn)[0] == (mother, 1, "Jo Hart", OLD_ADDRESS, "07700 900111")
    check = verify_audit(store)
    assert check.ok and check.row_problem_count == 0, check.problem


def test_a_corrected_name_keys_the_contact_until_the_school_renames_it(
    conn: Store, store: Store, tmp_path: Path
) -> None:
    """The name as the school writes it identifies the contact; once the school's file names
    the contact as corrected, the name correction retires and the others follow the new name."""
    _import(conn, _write(tmp_path / "r1.csv", _row(mother="Joe Hart")))
    mother = rectify.find_contact(store, upn=UPN, contact="Joe Hart")
    rectify.correct_contact(
        store, contact_id=mother, changes={"name": "Jo Hart"}, reason="misspelt", officer=OFFICER
    )
    # a second correction of the same contact, found by its corrected name
    assert rectify.find_contact(store, upn=UPN, contact="jo hart") == mother
    rectify.correct_contact(
        store, contact_id=mother, changes={"phone": "07700 900999"}, reason="new", officer=OFFICER
    )
    assert {c.contact_key for c in rectify.list_corrections(store, upn=UPN)} == {"joe hart"}
    notes = _import(conn, _write(tmp_path / "r2.csv", _row(mother="Joe Hart")))
    assert "kept 2 corrected contact fields" in notes[0]
    assert "Jo Hart: name 'Joe Hart' (corrected to 'Jo Hart')" in notes[0]
    assert "Jo Hart: phone '07700 900111' (corrected to '07700 900999')" in notes[0]
    assert _contacts(conn)[0] == (mother, 1, "Jo Hart", OLD_ADDRESS, "07700 900999")
    # the school corrects the name but not the phone
    notes = _import(conn, _write(tmp_path / "r3.csv", _row(mother="Jo Hart")))
    assert "kept 1 corrected contact field" in notes[0] and "phone" in notes[0]
    [phone] = rectify.list_corrections(store, upn=UPN)
    assert (phone.field, phone.contact_key) == ("phone", "jo hart")
    assert _contacts(conn)[0] == (mother, 1, "Jo Hart", OLD_ADDRESS, "07700 900999")
    assert verify_audit(store).ok


def test_reordered_contacts_keep_their_ids_and_corrections(
    conn: Store, store: Store, tmp_path: Path
) -> None:
    """The school swaps Parent 1 and Parent 2: each person keeps their row and correction."""
    _import(conn, _write(tmp_path / "r1.csv", _row()))
    mother, father = (c[0] for c in _contacts(conn))
    rectify.correct_contact(
        store, contact_id=mother, changes={"phone": "07700 900333"}, reason="new", officer=OFFICER
    )
    swapped = _row()
    swapped[5:10], swapped[10:15] = swapped[10:15], swapped[5:10]
    _import(conn, _write(tmp_path / "r2.csv", swapped))
    assert _contacts(conn) == [
        (father, 1, "Lee Hart", OLD_ADDRESS, "07700 900222"),
        (mother, 2, "Jo Hart", OLD_ADDRESS, "07700 900333"),
    ]


def test_a_contact_a_penalty_notice_names_survives_imports(
    conn: Store, store: Store, tmp_path: Path
) -> None:
    """Before, an import changing the pupil's contacts failed on the notice's foreign key."""
    _import(conn, _write(tmp_path / "r1.csv", _row()))
    mother = _mother(store)
    pupil_id = conn.connection.execute("SELECT id FROM pupil WHERE upn = ?", (UPN,)).fetchone()[0]
    conn.connection.execute(
        "INSERT INTO penalty_notice (pupil_id, parent_name, issued, amount_pence, created_at, "
        "officer, kind, contact_id) VALUES (?, 'Jo Hart', '2025-10-06', 8000, "
        "'2025-10-06 09:00:00.000000', ?, 'attendance', ?)",
        (pupil_id, OFFICER, mother),
    )
    conn.connection.commit()
    # the school's file no longer lists the mother, and changes the father's phone
    row = _row()
    row[5:10] = ["Lee Hart", "Father", OLD_ADDRESS, "07700 900444", "Y"]
    row[10:15] = [""] * 5
    _import(conn, _write(tmp_path / "r2.csv", row))
    contacts = _contacts(conn)
    assert [(c[1], c[2], c[4]) for c in contacts] == [
        (1, "Lee Hart", "07700 900444"),
        (2, "Jo Hart", "07700 900111"),  # kept after the file's: the notice names her
    ]
    assert contacts[1][0] == mother


def test_the_corrected_value_is_what_att_uses(
    conn: Store, store: Store, tmp_path: Path, db_path: Path
) -> None:
    """Subject access, letters and notices read the contact row: it holds the correction."""
    _import(conn, _write(tmp_path / "r1.csv", _row()))
    rectify.correct_contact(
        store,
        contact_id=_mother(store),
        changes={"address": NEW_ADDRESS, "parental_responsibility": False},
        reason="court order",
        officer=OFFICER,
    )
    _import(conn, _write(tmp_path / "r2.csv", _row()))
    report = child_access(store, upn=UPN, documents=tmp_path / "docs", officer=OFFICER)
    [mother] = [c for c in report.records["contacts"] if c["name"] == "Jo Hart"]
    assert (mother["address"], mother["parental_responsibility"]) == (NEW_ADDRESS, False)
    corrections = report.other["contact_correction"]
    assert {(c["field"], c["school_value"], c["value"]) for c in corrections} == {
        ("address", OLD_ADDRESS, NEW_ADDRESS),
        ("parental_responsibility", "Y", "N"),
    }
    # asked for by the father: the mother's corrections are hers, withheld like her address
    for_father = child_access(
        store, upn=UPN, documents=tmp_path / "docs", officer=OFFICER, requester="Lee Hart"
    )
    for c in for_father.other["contact_correction"]:
        assert OLD_ADDRESS not in json.dumps(c) and NEW_ADDRESS not in json.dumps(c)
        assert c["contact_key"] != "jo hart"
    # the mother's own report holds her corrections
    hers = parent_access(store, parent="Jo Hart", documents=tmp_path / "docs", officer=OFFICER)
    assert len(hers.other["contact_correction"]) == 2


def test_refusals(conn: Store, store: Store, tmp_path: Path) -> None:
    _import(conn, _write(tmp_path / "r1.csv", _row()))
    mother = _mother(store)
    with pytest.raises(RefusedError, match="already says that"):
        rectify.correct_contact(
            store, contact_id=mother, changes={"address": OLD_ADDRESS}, reason="x", officer=OFFICER
        )
    with pytest.raises(UsageError, match="--reason"):
        rectify.correct_contact(
            store, contact_id=mother, changes={"phone": "1"}, reason=" ", officer=OFFICER
        )
    with pytest.raises(NotFoundError, match="not one of"):
        rectify.find_contact(store, upn=UPN, contact="Someone Else")
    with pytest.raises(NotFoundError, match="No contact"):
        rectify.correct_contact(
            store, contact_id=10**9, changes={"phone": "1"}, reason="x", officer=OFFICER
        )
    assert rectify.list_corrections(store) == []


def test_a_second_correction_supersedes_the_first_and_keeps_the_school_value(
    conn: Store, store: Store, tmp_path: Path
) -> None:
    _import(conn, _write(tmp_path / "r1.csv", _row()))
    mother = _mother(store)
    for phone in ("07700 900555", "07700 900666"):
        rectify.correct_contact(
            store, contact_id=mother, changes={"phone": phone}, reason="new", officer=OFFICER
        )
    [now] = rectify.list_corrections(store, upn=UPN)
    assert (now.school_value, now.value) == ("07700 900111", "07700 900666")
    assert len(rectify.list_corrections(store, upn=UPN, include_retired=True)) == 2
    assert verify_audit(store).ok


def test_erasing_the_child_erases_the_corrections(
    conn: Store, store: Store, tmp_path: Path
) -> None:
    _import(conn, _write(tmp_path / "r1.csv", _row()))
    rectify.correct_contact(
        store, contact_id=_mother(store), changes={"phone": "1"}, reason="x", officer=OFFICER
    )
    pupil_id = conn.connection.execute("SELECT id FROM pupil WHERE upn = ?", (UPN,)).fetchone()[0]
    result = erase_records(
        store,
        targets=[ErasureTarget("pupil", pupil_id)],
        reason="request",
        officer=OFFICER,
        documents=tmp_path / "docs",
    )
    assert result.rows["contact_correction"] == 1
    assert conn.connection.execute("SELECT count(*) FROM contact_correction").fetchone()[0] == 0
    assert verify_audit(store).ok


def test_the_contact_references_the_import_keeps_are_every_foreign_key_to_contact() -> None:
    from attendance_cli.db.models import metadata
    from attendance_cli.store.imports import CONTACT_REFERENCES

    found = {
        (table.name, fk.parent.name)
        for table in metadata.tables.values()
        for fk in table.foreign_keys
        if fk.column.table.name == "contact"
    }
    assert found == set(CONTACT_REFERENCES)


def test_correct_contact_command(conn: Store, family: dict[str, int]) -> None:
    result = runner.invoke(
        app,
        [
            "privacy", "correct-contact", "--upn", HARVEY, "--contact", "Paul Marsden",
            "--phone", "07700 900777", "--parental-responsibility", "N", "--reason", "court order",
            "--format", "json",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["fields"], data["contact_id"]) == (
        ["parental_responsibility", "phone"],
        family["harvey:Paul Marsden"],
    )
    listed = runner.invoke(app, ["privacy", "corrections", "--format", "csv"])
    assert listed.exit_code == 0
    lines = listed.stdout.strip().splitlines()
    assert lines[0].startswith("id,upn,contact_key,field,school_value,value")
    assert len(lines) == 3
    bad = runner.invoke(
        app,
        ["privacy", "correct-contact", "--upn", HARVEY, "--contact", "Nobody", "--phone", "1",
         "--reason", "x"],
    )  # fmt: skip
    assert bad.exit_code == 4 and "Claire Marsden" in bad.stderr
    again = runner.invoke(
        app,
        ["privacy", "correct-contact", "--upn", HARVEY, "--contact", "Paul Marsden",
         "--phone", "07700 900777", "--reason", "x"],
    )  # fmt: skip
    assert again.exit_code == 5 and "already says that" in again.stderr
    # only Harvey's contact changed, not his sister's row for the same father
    assert stored.get_contact(conn, family["isla:Paul Marsden"]).phone == "01632 960 111"  # type: ignore[union-attr]


def test_letters_and_penalty_notices_read_the_corrected_contact(
    conn: Store, store: Store, tmp_path: Path
) -> None:
    """The sources letters and penalty notices take their parents from, after an import of the
    school's uncorrected file."""
    from attendance_cli.letters.sources import pupil_contacts
    from attendance_cli.store.penalties import parent_contacts

    _import(conn, _write(tmp_path / "r1.csv", _row(mother="Joe Hart")))
    mother = rectify.find_contact(store, upn=UPN, contact="Joe Hart")
    rectify.correct_contact(
        store,
        contact_id=mother,
        changes={"name": "Jo Hart", "address": NEW_ADDRESS, "parental_responsibility": False},
        reason="birth certificate; court order",
        officer=OFFICER,
    )
    _import(conn, _write(tmp_path / "r2.csv", _row(mother="Joe Hart")))
    pupil_id = conn.connection.execute("SELECT id FROM pupil WHERE upn = ?", (UPN,)).fetchone()[0]
    [letter_mother, _] = pupil_contacts(conn, pupil_id)
    assert (letter_mother.id, letter_mother.name, letter_mother.address) == (
        mother,
        "Jo Hart",
        NEW_ADDRESS,
    )
    [notice_mother, _] = parent_contacts(store, pupil_id)
    assert (notice_mother.id, notice_mother.name, notice_mother.parental_responsibility) == (
        mother,
        "Jo Hart",
        False,
    )
