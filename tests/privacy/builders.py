"""A hand-built family for the privacy tests.

Harvey Marsden (the subject, Castle Hill, enrolment with marks for 2018/19 and 2025/26) and his
sister Isla Marsden (St Anne's) share two parents, Claire and Paul Marsden (both at 103 Barley
Close). Kieran Doyle is an unrelated pupil with his own parent, Dawn Doyle. Harvey's case has a
lead, two actions, a note naming Isla, Kieran and Paul, a letter document whose file name names
Isla, and a penalty notice to Claire; Isla has a case note of her own.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from attendance_cli.cases import actions, documents, leads, meetings, notes
from attendance_cli.codes import NO_MARK
from attendance_cli.config import document_store
from attendance_cli.identifiers import make_upn
from attendance_cli.marks import YEAR_LENGTH, position

HARVEY, ISLA, KIERAN = (make_upn(899, 2002, 18, n) for n in (1, 2, 3))
OFFICER = "Jo Officer"
NOW = "2025-09-01 09:00:00.000000"
ADDRESS = "103 Barley Close, Kestrelford KF1 2AB"
NOTE = "Spoke to Paul Marsden; Isla Marsden and her friend K. Doyle were off too. Harvey upset."


def _marks(year: int, marks: dict[dt.date, tuple[str, str]]) -> str:
    text = [NO_MARK] * YEAR_LENGTH
    for day, (am, pm) in marks.items():
        text[position(day, 0)] = am
        text[position(day, 1)] = pm
    return "".join(text)


class _Cursor:
    """``cursor().execute`` then ``lastrowid`` on either engine (a PostgreSQL connection's
    ``execute`` gives the new id of an INSERT, ``db.postgres``)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.lastrowid: int | None = None

    def execute(self, sql: str, parameters: tuple[object, ...] = ()) -> None:
        self.lastrowid = self._conn.connection.execute(sql, parameters).lastrowid


def build_family(conn: sqlite3.Connection, db_path: Path, tmp_path: Path) -> dict[str, int]:
    ids: dict[str, int] = {}
    cur = _Cursor(conn)
    for laestab, name in (("8992001", "Castle Hill School"), ("8992002", "St Anne's Primary")):
        cur.execute(
            "INSERT INTO school (laestab, name, created_at) VALUES (?, ?, ?)", (laestab, name, NOW)
        )
        ids[laestab] = cur.lastrowid or 0
    for key, upn, forename, surname, school in (
        ("harvey", HARVEY, "Harvey", "Marsden", "8992001"),
        ("isla", ISLA, "Isla", "Marsden", "8992002"),
        ("kieran", KIERAN, "Kieran", "Doyle", "8992001"),
    ):
        cur.execute(
            "INSERT INTO pupil (upn, surname, forename, date_of_birth, created_at, updated_at) "
            "VALUES (?, ?, ?, '2014-03-02', ?, ?)",
            (upn, surname, forename, NOW, NOW),
        )
        ids[key] = cur.lastrowid or 0
        cur.execute(
            "INSERT INTO enrolment (pupil_id, school_id, entry_date, year_group) "
            "VALUES (?, ?, '2018-09-03', '7')",
            (ids[key], ids[school]),
        )
        ids[f"{key}_enrolment"] = cur.lastrowid or 0
    for pupil, parents in (
        ("harvey", ("Claire Marsden", "Paul Marsden")),
        ("isla", ("Claire Marsden", "Paul Marsden")),
        ("kieran", ("Dawn Doyle",)),
    ):
        for priority, name in enumerate(parents, start=1):
            cur.execute(
                "INSERT INTO contact (pupil_id, priority, name, relationship, address, phone, "
                "parental_responsibility) VALUES (?, ?, ?, ?, ?, '01632 960 111', TRUE)",
                (
                    ids[pupil],
                    priority,
                    name,
                    "Mother" if name.startswith(("Claire", "Dawn")) else "Father",
                    ADDRESS if pupil != "kieran" else "1 Mill Lane",
                ),
            )
            ids[f"{pupil}:{name}"] = cur.lastrowid or 0
    # Harvey: 2018/19 (one day) and 2025/26 (two days); one mark changed by a second import
    for year, marks in (
        (2018, {dt.date(2019, 3, 4): ("/", "\\")}),
        (2025, {dt.date(2025, 9, 8): ("/", "\\"), dt.date(2025, 9, 9): ("O", "O")}),
    ):
        cur.execute(
            "INSERT INTO mark_year (enrolment_id, academic_year, marks) VALUES (?, ?, ?)",
            (ids["harvey_enrolment"], year, _marks(year, marks)),
        )
    cur.execute(
        "INSERT INTO import_log (file_name, sha256, file_format, rows, marks_added, marks_changed, "
        "marks_unchanged, rows_rejected, imported_at, os_user, tool_version) "
        "VALUES ('week2.csv', ?, 'csv', 2, 4, 1, 0, 0, ?, 'test', '0')",
        ("a" * 64, NOW),
    )
    import_id = cur.lastrowid
    cur.execute(
        "INSERT INTO mark_change (import_id, enrolment_id, date, session, old_mark, new_mark) "
        "VALUES (?, ?, '2025-09-09', 0, 'I', 'O')",
        (import_id, ids["harvey_enrolment"]),
    )
    ids["mark_change"] = cur.lastrowid or 0
    conn.connection.commit()
    leads.set_lead(conn, upn=HARVEY, name="Mrs Patel", agency="school", officer=OFFICER)
    meeting = meetings.record_meeting(
        conn,
        school="8992001",
        date=dt.date(2025, 9, 18),
        officer=OFFICER,
        attendees=["Head of Year 7"],
    )
    ids["meeting"] = meeting.id
    visit = actions.add_action(
        conn,
        upn=HARVEY,
        kind="home visit",
        action="Home visit (Isla Marsden also at home)",
        officer=OFFICER,
        meeting_id=meeting.id,
    )
    ids["action"] = visit.id
    ids["note"] = notes.add_note(conn, upn=HARVEY, text=NOTE, officer=OFFICER).id
    ids["isla_note"] = notes.add_note(conn, upn=ISLA, text="Isla's own note", officer=OFFICER).id
    letter = tmp_path / "Marsden_Isla_and_Harvey_letter.pdf"
    letter.write_bytes(b"%PDF-1.4\n% a letter to Claire Marsden\n")
    ids["document"] = documents.attach_document(
        conn,
        upn=HARVEY,
        file=letter,
        kind="letter",
        store=document_store(db_path),
        officer=OFFICER,
        document_date=dt.date(2025, 10, 1),
        description="Letter to Claire Marsden about Harvey and Isla Marsden",
    ).id
    case_id = conn.connection.execute(
        "SELECT id FROM pupil_case WHERE pupil_id = ?", (ids["harvey"],)
    ).fetchone()[0]
    ids["case"] = case_id
    cur.execute(
        "INSERT INTO penalty_notice (pupil_id, case_id, parent_name, issued, amount_pence, "
        "created_at, officer) VALUES (?, ?, 'Claire Marsden', '2025-10-06', 8000, ?, ?)",
        (ids["harvey"], case_id, NOW, OFFICER),
    )
    ids["notice"] = cur.lastrowid or 0
    sha256 = conn.connection.execute(
        "SELECT sha256 FROM case_document WHERE id = ?", (ids["document"],)
    ).fetchone()[0]
    cur.execute(
        "INSERT INTO letter (document_id, pupil_id, school_id, template, template_version, "
        "template_sha256, addressee, addressee_key, letter_date, file_name, sha256, bytes, "
        "created_at, officer) VALUES (?, ?, ?, 'attendance-concern', '1', ?, 'Mrs Claire Marsden', "
        "'claire marsden', '2025-10-01', 'letter.docx', ?, 38, ?, ?)",
        (ids["document"], ids["harvey"], ids["8992001"], "b" * 64, sha256, NOW, OFFICER),
    )
    ids["letter"] = cur.lastrowid or 0
    conn.connection.commit()
    return ids
