"""A case built through the casework service, ready for a legal referral (or one item short).

Harvey Marsden (sample LA, Castle Hill, Year 7): 94 possible sessions in autumn 2025 to date,
78 attended, 2 I, 14 G (a term-time holiday, 15-24 Oct) = 83.0%; penalty threshold met on Wed
22 Oct PM; parents Claire and Paul Marsden, both with parental responsibility, at 103 Barley
Close; his sister Isla Marsden is at St Anne's.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from attendance_cli.cases import actions, documents, leads
from attendance_cli.config import document_store
from tests.helpers import audit_rows_written_by_tests

HARVEY = "A899200218001"
OFFICER = "Jo Officer"
PARENTS = ("Claire Marsden", "Paul Marsden")
SIBLING = "Isla Marsden"
LEAVE_OUT = ("lead", "support_done", "early_help", "formal_done", "paul_letter", "eso")


def build_case(
    conn: sqlite3.Connection,
    db_path: Path,
    tmp_path: Path,
    *,
    upn: str = HARVEY,
    parents: tuple[str, ...] = PARENTS,
    leave_out: tuple[str, ...] = (),
) -> dict[str, int]:
    """Lead, a support action done, early help offered, an attendance contract done, a dated
    warning letter per parent, an ESO considered; ``leave_out`` names parts to skip."""
    ids: dict[str, int] = {}
    store = document_store(db_path)
    if "lead" not in leave_out:
        leads.set_lead(
            conn, upn=upn, name="Mrs Patel", agency="school", role="Head of Year 7", officer=OFFICER
        )
    visit = actions.add_action(
        conn,
        upn=upn,
        kind="home visit",
        action=f"Home visit to discuss the holiday (sister {SIBLING} also off)",
        owner="A. Smith",
        agency="school",
        officer=OFFICER,
    )
    ids["visit"] = visit.id
    if "support_done" not in leave_out:
        actions.complete_action(
            conn, action_id=visit.id, outcome="Parents will not change plans", officer=OFFICER
        )
    if "early_help" not in leave_out:
        ids["early_help"] = actions.add_action(
            conn,
            upn=upn,
            kind="early help assessment",
            action="Offer an early help assessment",
            agency="early help",
            officer=OFFICER,
        ).id
    contract = actions.add_action(
        conn, upn=upn, kind="attendance contract", action="Attendance contract", officer=OFFICER
    )
    ids["contract"] = contract.id
    if "formal_done" not in leave_out:
        actions.complete_action(
            conn, action_id=contract.id, outcome="Signed, then broken in October", officer=OFFICER
        )
    for parent in parents:
        if parent == "Paul Marsden" and "paul_letter" in leave_out:
            continue
        letter = tmp_path / f"warning-{parent.split()[0].lower()}.pdf"
        letter.write_bytes(b"%PDF-1.4\n% warning letter to " + parent.encode() + b"\n")
        ids[f"letter:{parent}"] = documents.attach_document(
            conn,
            upn=upn,
            file=letter,
            kind="letter",
            store=store,
            officer=OFFICER,
            document_date=dt.date(2025, 10, 1),
            description=f"Warning letter to {parent}",
        ).id
    if "eso" not in leave_out:
        eso = actions.add_action(
            conn, upn=upn, kind="ESO application", action="Consider an ESO", officer=OFFICER
        )
        actions.complete_action(
            conn, action_id=eso.id, outcome="Not appropriate: parents capable", officer=OFFICER
        )
        ids["eso"] = eso.id
    return ids


def add_notice(
    conn: sqlite3.Connection,
    pupil_upn: str,
    parent: str,
    issued: dt.date,
    *,
    withdrawn: dt.date | None = None,
) -> None:
    """A penalty notice row, written straight to the table (``att penalty`` is elsewhere)."""
    pupil_id = conn.connection.execute(
        "SELECT id FROM pupil WHERE upn = ?", (pupil_upn,)
    ).fetchone()[0]
    conn.connection.execute(
        "INSERT INTO penalty_notice (pupil_id, parent_name, issued, amount_pence, withdrawn, "
        "withdrawn_reason, created_at, officer) VALUES (?, ?, ?, 8000, ?, ?, ?, ?)",
        (
            pupil_id,
            parent,
            issued.isoformat(),
            withdrawn.isoformat() if withdrawn else None,
            "issued in error" if withdrawn else None,
            "2025-01-01 00:00:00.000000",
            OFFICER,
        ),
    )
    conn.connection.commit()
    audit_rows_written_by_tests(conn)
