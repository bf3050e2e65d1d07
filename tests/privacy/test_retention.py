"""Retention periods: the day a period ends a record is kept, the day after it is past.

Hand-computed from the builder (tests/privacy/builders.py) and the default 6 years:
- Harvey's 2018/19 marks run from 31/07/2019 (the academic year's end): kept to 31/07/2025;
- Kieran (no marks, no case) runs from 01/09/2025, the day he was imported: kept to 01/09/2031;
- Harvey's penalty notice, issued 06/10/2025 and never paid: kept to 06/10/2031;
- a case closed on 15/03/2026 with that notice in it: kept to the later of 15/03/2032 and
  the notice's end, 15/03/2032.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from attendance_cli.errors import InvalidInputError
from attendance_cli.privacy.retention import (
    RetentionPeriods,
    add_years,
    retention_items,
    retention_periods,
)
from attendance_cli.settings import load_settings
from attendance_cli.store import Store

DEFAULT = RetentionPeriods()


def _past(store: Store, today: dt.date, periods: RetentionPeriods = DEFAULT) -> set[tuple]:
    return {i.key for i in retention_items(store, periods=periods, today=today)}


@pytest.mark.parametrize(
    ("today", "past"),
    [
        pytest.param(dt.date(2025, 7, 31), False, id="marks-last-day-kept"),
        pytest.param(dt.date(2025, 8, 1), True, id="marks-day-after"),
    ],
)
def test_marks_boundary(store: Store, family: dict[str, int], today: dt.date, past: bool) -> None:
    key = ("marks", family["harvey_enrolment"], 2018)
    assert (key in _past(store, today)) is past
    assert ("marks", family["harvey_enrolment"], 2025) not in _past(store, today)


@pytest.mark.parametrize(
    ("today", "past"),
    [
        pytest.param(dt.date(2031, 9, 1), False, id="pupil-last-day-kept"),
        pytest.param(dt.date(2031, 9, 2), True, id="pupil-day-after"),
    ],
)
def test_pupil_with_nothing_else_boundary(
    store: Store, family: dict[str, int], today: dt.date, past: bool
) -> None:
    items = [
        i for i in retention_items(store, periods=DEFAULT, today=today) if i.upn.startswith("D")
    ]
    assert [(i.record_type, i.id) for i in items] == ([("pupil", family["kieran"])] if past else [])
    [kieran] = [
        i
        for i in retention_items(store, periods=DEFAULT, today=today, include_kept=True)
        if i.record_type == "pupil" and i.id == family["kieran"]
    ]
    assert (kieran.runs_from, kieran.ends_on) == (dt.date(2025, 9, 1), dt.date(2031, 9, 1))


def test_an_open_case_keeps_the_pupil_and_the_case(store: Store, family: dict[str, int]) -> None:
    far = dt.date(2090, 1, 1)
    kinds = {(i.record_type, i.id) for i in retention_items(store, periods=DEFAULT, today=far)}
    assert ("pupil", family["harvey"]) not in kinds
    assert ("case", family["case"]) not in kinds
    # what is past within an open case's pupil is listed on its own
    assert ("penalty_notice", family["notice"]) in kinds
    assert ("marks", family["harvey_enrolment"]) in kinds


def _close(store: Store, case_id: int, day: str) -> None:
    store.connection.execute(
        "UPDATE pupil_case SET status = 'closed', closed_at = ? WHERE id = ?",
        (f"{day} 10:00:00.000000", case_id),
    )


@pytest.mark.parametrize(
    ("today", "past"),
    [
        pytest.param(dt.date(2032, 3, 15), False, id="case-last-day-kept"),
        pytest.param(dt.date(2032, 3, 16), True, id="case-day-after"),
    ],
)
def test_closed_case_boundary(
    store: Store, family: dict[str, int], today: dt.date, past: bool
) -> None:
    _close(store, family["case"], "2026-03-15")
    _close(store, family["case"] + 1, "2026-03-15")  # Isla's case
    keys = _past(store, today)
    assert (("case", family["case"], None) in keys) is past
    assert ("penalty_notice", family["notice"], None) in keys  # ended 06/10/2031


@pytest.mark.parametrize(
    ("today", "past"),
    [
        pytest.param(dt.date(2031, 10, 6), False, id="notice-last-day-kept"),
        pytest.param(dt.date(2031, 10, 7), True, id="notice-day-after"),
    ],
)
def test_notice_boundary(store: Store, family: dict[str, int], today: dt.date, past: bool) -> None:
    assert (("penalty_notice", family["notice"], None) in _past(store, today)) is past


def test_a_case_is_kept_as_long_as_its_notices(store: Store, family: dict[str, int]) -> None:
    _close(store, family["case"], "2025-10-01")  # 6 years: 01/10/2031; its notice: 06/10/2031
    keys = _past(store, dt.date(2031, 10, 2))
    assert ("case", family["case"], None) not in keys
    assert ("case", family["case"], None) in _past(store, dt.date(2031, 10, 7))


def test_a_pupil_past_retention_covers_their_records(store: Store, family: dict[str, int]) -> None:
    for case_id in (family["case"], family["case"] + 1):
        _close(store, case_id, "2026-03-15")
    # Harvey's last activity: the end of 2025/26 (31/07/2026) + 6 = 31/07/2032, later than
    # the case (15/03/2032) and the notice (06/10/2031)
    assert ("pupil", family["harvey"], None) not in _past(store, dt.date(2032, 7, 31))
    keys = _past(store, dt.date(2032, 8, 1))
    harvey = [k for k in keys if k[0] != "pupil"]
    assert ("pupil", family["harvey"], None) in keys
    assert not [k for k in harvey if k[1] in (family["case"], family["harvey_enrolment"])]


def test_add_years_on_29_february() -> None:
    assert add_years(dt.date(2024, 2, 29), 6) == dt.date(2030, 2, 28)


def test_settings(tmp_path: Path, store: Store, family: dict[str, int]) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[retention]\nmarks_years = 3\n", encoding="utf-8")
    periods = retention_periods(load_settings(config))
    assert periods == RetentionPeriods(marks_years=3)
    # 31/07/2019 + 3 years = 31/07/2022
    assert ("marks", family["harvey_enrolment"], 2018) in _past(store, dt.date(2022, 8, 1), periods)
    assert ("marks", family["harvey_enrolment"], 2018) not in _past(
        store, dt.date(2022, 7, 31), periods
    )
    config.write_text("[retention]\npenalty_notice_years = 2\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="from 3 to 100"):
        retention_periods(load_settings(config))
    config.write_text("[retention]\nnotes_years = 2\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="Unknown setting retention.notes_years"):
        retention_periods(load_settings(config))
    assert retention_periods(load_settings(tmp_path / "missing.toml")) == DEFAULT


def test_the_day_of_import_counts_only_when_nothing_else_has_a_date(
    store: Store, family: dict[str, int]
) -> None:
    # Kieran left on 20/07/2018 after a 2017/18 year of marks; imported on 01/09/2025. His last
    # activity is the end of 2017/18 (31/07/2018): kept to 31/07/2024, past on 01/08/2024,
    # whenever the LA imported him.
    conn = store.connection
    conn.execute(
        "UPDATE enrolment SET leaving_date = '2018-07-20' WHERE id = ?",
        (family["kieran_enrolment"],),
    )
    conn.execute(
        "INSERT INTO mark_year (enrolment_id, academic_year, marks) VALUES (?, 2017, ?)",
        (family["kieran_enrolment"], "." * 540),
    )
    [kieran] = [
        i
        for i in retention_items(store, periods=DEFAULT, today=dt.date(2024, 8, 1))
        if i.record_type == "pupil"
    ]
    assert (kieran.id, kieran.runs_from, kieran.ends_on) == (
        family["kieran"],
        dt.date(2018, 7, 31),
        dt.date(2024, 7, 31),
    )
    assert ("pupil", family["kieran"], None) not in _past(store, dt.date(2024, 7, 31))


# ---------------------------------------------- records of no one pupil (branch rectify)


def test_every_table_has_a_retention_or_a_reason_for_none() -> None:
    """Every table of the schema is named in TABLE_RETENTION, with the record types its rows
    are kept under or a sentence saying why it has no period: a new table cannot be forgotten."""
    from attendance_cli.db.models import metadata
    from attendance_cli.privacy.retention import RECORD_TYPES, TABLE_RETENTION

    assert set(TABLE_RETENTION) == set(metadata.tables)
    for table, kept in TABLE_RETENTION.items():
        if isinstance(kept, str):
            assert len(kept) > 20, table  # a reason, not a placeholder
        else:
            assert kept and set(kept) <= set(RECORD_TYPES), table


def _shared_records(store: Store, family: dict[str, int]) -> dict[str, int]:
    """A meeting on 01/03/2019 with a TSM workbook recorded 05/03/2019, an import on
    10/01/2019 and a letter to a school dated 01/04/2019, none referred to by a pupil's row;
    each audited as att records them."""
    from attendance_cli.cases.audit import record_audit
    from attendance_cli.cases.meetings import record_meeting

    conn = store.connection
    ids: dict[str, int] = {}
    ids["meeting"] = record_meeting(
        store, school="8992002", date=dt.date(2019, 3, 1), officer="t", attendees=["SENCo"]
    ).id
    ids["workbook"] = conn.execute(
        "INSERT INTO meeting_workbook (meeting_id, sha256, file_name, recorded_at, officer) "
        "VALUES (?, ?, 'tsm.xlsx', '2019-03-05 10:00:00.000000', 't')",
        (ids["meeting"], "c" * 64),
    ).lastrowid
    record_audit(
        store, officer="t", action="record_meeting_workbook", entity="meeting_workbook",
        entity_id=ids["workbook"], upn=None,
    )  # fmt: skip
    ids["import"] = conn.execute(
        "INSERT INTO import_log (file_name, sha256, file_format, rows, marks_added, "
        "marks_changed, marks_unchanged, rows_rejected, imported_at, os_user, tool_version) "
        "VALUES ('old.csv', ?, 'csv', 1, 1, 0, 0, 0, '2019-01-10 08:00:00.000000', 't', '0')",
        ("d" * 64,),
    ).lastrowid
    ids["letter"] = conn.execute(
        "INSERT INTO letter (school_id, template, template_version, template_sha256, addressee, "
        "addressee_key, letter_date, file_name, sha256, bytes, created_at, officer) VALUES "
        "(?, 'tsm-summary', '1', ?, 'The Head', 'the head', '2019-04-01', 'summary.docx', ?, 9, "
        "'2019-04-01 09:00:00.000000', 't')",
        (family["8992002"], "e" * 64, "f" * 64),
    ).lastrowid
    record_audit(
        store, officer="t", action="write_letter", entity="letter", entity_id=ids["letter"],
        upn=None,
    )  # fmt: skip
    conn.commit()
    return ids


@pytest.mark.parametrize(
    ("today", "past"),
    [
        # import 10/01/2019 + 6 = 10/01/2025; the meeting 01/03/2019 + 6 = 01/03/2025, kept to
        # its workbook's end, 05/03/2025; the letter 01/04/2019 + 6 = 01/04/2025
        pytest.param(dt.date(2025, 1, 10), set(), id="import-last-day-kept"),
        pytest.param(dt.date(2025, 1, 11), {"import_log"}, id="import-day-after"),
        pytest.param(dt.date(2025, 3, 2), {"import_log"}, id="meeting-kept-for-its-workbook"),
        pytest.param(dt.date(2025, 3, 5), {"import_log"}, id="workbook-last-day-kept"),
        pytest.param(dt.date(2025, 3, 6), {"import_log", "meeting"}, id="meeting-day-after"),
        pytest.param(dt.date(2025, 4, 1), {"import_log", "meeting"}, id="letter-last-day-kept"),
        pytest.param(
            dt.date(2025, 4, 2), {"import_log", "meeting", "letter"}, id="letter-day-after"
        ),
    ],
)
def test_records_of_no_one_pupil(
    store: Store, family: dict[str, int], today: dt.date, past: set[str]
) -> None:
    ids = _shared_records(store, family)
    shared = {
        (i.table, i.id)
        for i in retention_items(store, periods=DEFAULT, today=today)
        if i.upn is None
    }
    # the workbook is covered by its meeting's item; the family's meeting and import are
    # referred to by Harvey's action and mark change, so never past while those are kept
    expected = {
        (table, ids[{"import_log": "import", "meeting": "meeting", "letter": "letter"}[table]])
        for table in past
    }
    assert shared == expected


def test_a_meeting_or_import_a_pupil_row_refers_to_is_kept(
    store: Store, family: dict[str, int]
) -> None:
    items = {
        (i.table, i.id): i
        for i in retention_items(
            store, periods=DEFAULT, today=dt.date(2090, 1, 1), include_kept=True
        )
        if i.upn is None
    }
    meeting = items[("meeting", family["meeting"])]
    assert (meeting.ends_on, meeting.past) == (None, False)
    assert "1 case action(s) refer to it" in meeting.description
    [family_import] = [i for (t, _), i in items.items() if t == "import_log"]
    assert (family_import.ends_on, family_import.past) == (None, False)


def test_erasing_records_of_no_one_pupil_past_retention(
    store: Store, family: dict[str, int], db_path: Path
) -> None:
    from attendance_cli.cases.audit import verify_audit
    from attendance_cli.config import document_store
    from attendance_cli.errors import RefusedError
    from attendance_cli.privacy.erase import (
        ErasureTarget,
        erase_records,
        erasure_plan,
        parse_target,
        past_retention_targets,
    )

    ids = _shared_records(store, family)
    documents = document_store(db_path)
    documents.mkdir(parents=True, exist_ok=True)
    (documents / ("f" * 64)).write_bytes(b"summary")
    today = dt.date(2025, 4, 2)  # everything of _shared_records past; nothing of the family
    targets = past_retention_targets(store, periods=DEFAULT, today=today)
    assert erasure_plan(store, targets) == {
        "import_log": 1, "meeting": 1, "meeting_workbook": 1, "letter": 1,
    }  # fmt: skip
    result = erase_records(
        store, targets=targets, reason="past retention", officer="t", documents=documents
    )
    assert (result.tombstones, result.files_removed) == (4, 1)
    conn = store.connection
    for table, key in (("meeting", "meeting"), ("meeting_workbook", "workbook"),
                       ("import_log", "import"), ("letter", "letter")):  # fmt: skip
        assert (
            conn.execute(f"SELECT count(*) FROM {table} WHERE id = ?", (ids[key],)).fetchone()[0]
            == 0
        )
    check = verify_audit(store)
    assert check.first_broken_id is None
    # only the builder's own unaudited rows (its notice and Harvey's letter) are reported
    assert {(p.table, p.row_id) for p in check.row_problems} == {
        ("penalty_notice", family["notice"]),
        ("letter", family["letter"]),
    }
    # the family's meeting is still named by Harvey's action: refused, nothing erased
    assert parse_target(f"meeting:{family['meeting']}") == ErasureTarget(
        "meeting", family["meeting"]
    )
    with pytest.raises(RefusedError, match="refer to meeting"):
        erasure_plan(store, [ErasureTarget("meeting", family["meeting"])])
