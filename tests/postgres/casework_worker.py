"""One officer of the 8-process test (test_concurrency_on_postgres.py): records casework and
penalty notices, imports a register file and records a TSM workbook on the shared PostgreSQL
database, and prints what it did as JSON. Run as
``python -m tests.postgres.casework_worker URL INDEX ROUNDS REGISTER_FILE TSM_WORKBOOK``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

SHARED = "V899200116001"  # every officer adds actions to this pupil: one case must be opened
NOTICE_PUPIL = "T899200125008"  # every officer tries to issue this pupil's parent a notice
TODAY = dt.date(2026, 1, 15)


def main(url: str, index: int, rounds: int, register_file: str, workbook: str) -> dict[str, int]:
    from attendance_cli.cases import actions, notes
    from attendance_cli.cases.penalty import add_penalty_notice
    from attendance_cli.db.open import open_server_database
    from attendance_cli.db.postgres import parse_database_url
    from attendance_cli.errors import RefusedError
    from attendance_cli.registers.importer import import_registers
    from attendance_cli.store import Store

    conn, _ = open_server_database(parse_database_url(url), create=False)
    store = Store(conn)
    done = {
        "actions": 0,
        "notes": 0,
        "notices": 0,
        "refused": 0,
        "marks_added": 0,
        "workbooks": 0,
        "workbooks_refused": 0,
    }
    officer = f"Officer {index}"
    try:
        for r in range(rounds):
            actions.add_action(
                store, upn=SHARED, kind="home visit", action=f"visit {index}.{r}", officer=officer
            )
            done["actions"] += 1
            notes.add_note(store, upn=SHARED, text=f"note {index}.{r}", officer=officer)
            done["notes"] += 1
            try:
                # a different day each time (the same day twice is a duplicate), for that day's
                # sessions only (so no session is shared between notices; the threshold is not
                # met: recorded with force, as the test is of the 2-in-3-years limit under
                # concurrency, not of the offence checks)
                issued = dt.date(2025, 9, 1) + dt.timedelta(days=index * rounds + r)
                add_penalty_notice(
                    store,
                    upn=NOTICE_PUPIL,
                    parent="Jo Smith",
                    new_parent=True,
                    issued=issued,
                    offence_from=issued,
                    offence_to=issued,
                    force=True,
                    force_reason="concurrency test",
                    officer=officer,
                    today=TODAY,
                )
                done["notices"] += 1
            except RefusedError:
                done["refused"] += 1
        result = import_registers(store, paths=[Path(register_file)])
        assert result.ok, [p.message for f in result.files for p in f.problems]
        done["marks_added"] = sum(f.marks_added for f in result.files)
        from attendance_cli.tsm.record import record_tsm

        try:
            record_tsm(
                store,
                school="8994001",
                date=dt.date(2025, 11, 20),
                officer=officer,
                attendees=["Head of Year 9"],
                workbook=Path(workbook),
            )
            done["workbooks"] += 1
        except RefusedError:  # "already recorded": another officer recorded it first
            done["workbooks_refused"] += 1
    finally:
        store.close()
    return done


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:6])))
