"""Legal hold: a held child has nothing past retention, and nothing of them is erased.

Hand-computed from the builder (tests/privacy/builders.py), default periods: Harvey's 2018/19
marks run from 31/07/2019, are kept to 31/07/2025 and are past from 01/08/2025. Under a hold on
Harvey they are listed as held (not past) from that day, and erasing them, or Harvey, is
refused naming the hold; Kieran, not held, is past on 02/09/2031 as before.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cases.audit import list_audit, verify_audit
from attendance_cli.cli.app import app
from attendance_cli.errors import NotFoundError, RefusedError, UsageError
from attendance_cli.privacy import hold
from attendance_cli.privacy.erase import (
    ErasureTarget,
    erase_records,
    erasure_plan,
    past_retention_targets,
)
from attendance_cli.privacy.retention import RetentionPeriods, retention_items
from attendance_cli.store import Store
from tests.privacy.builders import HARVEY, KIERAN, OFFICER

DEFAULT = RetentionPeriods()
runner = CliRunner()
# the builder writes its penalty notice and letter without audit entries
BUILT_UNAUDITED = {"penalty_notice", "letter"}


def _verified(store: Store) -> bool:
    """The chain is intact and every row problem is one of the builder's unaudited rows."""
    check = verify_audit(store)
    return (
        check.first_broken_id is None and {p.table for p in check.row_problems} <= BUILT_UNAUDITED
    )


def _items(store: Store, today: dt.date) -> dict[tuple[object, ...], tuple[bool, bool]]:
    """(record type, id, year) -> (past, held) of what is listed on ``today``."""
    return {i.key: (i.past, i.held) for i in retention_items(store, periods=DEFAULT, today=today)}


def test_a_held_child_is_never_past_retention(store: Store, family: dict[str, int]) -> None:
    marks = ("marks", family["harvey_enrolment"], 2018)
    assert _items(store, dt.date(2025, 8, 1))[marks] == (True, False)
    placed = hold.place_hold(store, upn=HARVEY, reason="prosecution pending", officer=OFFICER)
    # the last day kept: not listed; the day after: held, not past
    assert marks not in _items(store, dt.date(2025, 7, 31))
    assert _items(store, dt.date(2025, 8, 1))[marks] == (False, True)
    [item] = [i for i in retention_items(store, periods=DEFAULT, today=dt.date(2025, 8, 1))]
    assert item.hold_ids == (placed.id,)
    assert past_retention_targets(store, periods=DEFAULT, today=dt.date(2025, 8, 1)) == []
    # Kieran is not held: past on 02/09/2031
    far = _items(store, dt.date(2031, 9, 2))
    assert far[("pupil", family["kieran"], None)] == (True, False)
    released = hold.release_hold(store, hold_id=placed.id, reason="case closed", officer=OFFICER)
    assert released.released_by == OFFICER and not released.in_force
    assert _items(store, dt.date(2025, 8, 1))[marks] == (True, False)


def test_a_held_pupil_past_retention_as_a_whole_is_one_held_item(
    store: Store, family: dict[str, int]
) -> None:
    """Kieran (nothing but his pupil record) is past on 02/09/2031: held, his item is held."""
    hold.place_hold(store, upn=KIERAN, reason="complaint", officer=OFFICER)
    listed = [
        i for i in retention_items(store, periods=DEFAULT, today=dt.date(2031, 9, 2)) if i.held
    ]
    assert [(i.record_type, i.id, i.past) for i in listed] == [("pupil", family["kieran"], False)]


@pytest.mark.parametrize(
    "target",
    ["pupil", "marks", "note", "contact"],
)
def test_erasing_anything_of_a_held_child_is_refused(
    store: Store, family: dict[str, int], tmp_path: Path, target: str
) -> None:
    placed = hold.place_hold(store, upn=HARVEY, reason="subject access request", officer=OFFICER)
    chosen = {
        "pupil": ErasureTarget("pupil", family["harvey"]),
        "marks": ErasureTarget("mark_year", family["harvey_enrolment"], 2018),
        "note": ErasureTarget("case_note", family["note"]),
        "contact": ErasureTarget("contact", family["harvey:Paul Marsden"]),
    }[target]
    with pytest.raises(RefusedError, match=f"legal hold {placed.id} on {HARVEY}"):
        erasure_plan(store, [chosen])
    with pytest.raises(RefusedError, match="subject access request"):
        erase_records(
            store, targets=[chosen], reason="request", officer=OFFICER, documents=tmp_path
        )
    assert store.connection.execute("SELECT count(*) FROM case_note").fetchone()[0] == 2
    # Isla is not held: her note can go
    erase_records(
        store,
        targets=[ErasureTarget("case_note", family["isla_note"])],
        reason="request",
        officer=OFFICER,
        documents=tmp_path,
    )
    assert _verified(store)


def test_holds_are_audited_and_refusals_are_clear(store: Store, family: dict[str, int]) -> None:
    placed = hold.place_hold(store, upn=HARVEY, reason="prosecution pending", officer=OFFICER)
    with pytest.raises(UsageError):
        hold.place_hold(store, upn=HARVEY, reason="  ", officer=OFFICER)
    hold.release_hold(store, hold_id=placed.id, reason="withdrawn", officer=OFFICER)
    with pytest.raises(RefusedError, match="already released"):
        hold.release_hold(store, hold_id=placed.id, reason="again", officer=OFFICER)
    with pytest.raises(NotFoundError):
        hold.release_hold(store, hold_id=999, reason="x", officer=OFFICER)
    actions = [
        (e.action, e.entity_id) for e in list_audit(store, upn=HARVEY) if e.entity == "legal_hold"
    ]
    assert actions == [("place_hold", placed.id), ("release_hold", placed.id)]
    assert hold.list_holds(store) == []
    assert [h.id for h in hold.list_holds(store, include_released=True)] == [placed.id]
    assert _verified(store)


def test_hold_commands(conn: Store, family: dict[str, int]) -> None:
    placed = runner.invoke(
        app,
        ["privacy", "hold", "--upn", HARVEY, "--reason", "prosecution pending", "--format", "json"],
    )
    assert placed.exit_code == 0, placed.output
    hold_id = json.loads(placed.stdout)["id"]
    refused = runner.invoke(app, ["privacy", "erase", "--upn", HARVEY, "--yes"])
    assert refused.exit_code == 5
    assert f"legal hold {hold_id} on {HARVEY} (prosecution pending" in refused.stderr
    # today (after 01/08/2025) Harvey's 2018/19 marks are past their period, but held
    skipped = runner.invoke(app, ["privacy", "erase", "--past-retention", "--yes"])
    assert skipped.exit_code == 0, skipped.output
    assert f"Skipped 1 record past retention under legal hold (hold {hold_id}" in skipped.stderr
    assert conn.connection.execute("SELECT count(*) FROM mark_year").fetchone()[0] == 2
    listed = runner.invoke(app, ["privacy", "holds", "--format", "csv"])
    assert listed.stdout.splitlines()[0] == (
        "id,upn,reason,placed_at,placed_by,released_at,released_by,release_reason"
    )
    assert len(listed.stdout.strip().splitlines()) == 2
    retention = runner.invoke(app, ["privacy", "retention", "--on", "01/08/2025"])
    assert f"held (hold {hold_id})" in retention.stdout
    assert "kept under a legal hold" in retention.stdout
    released = runner.invoke(app, ["privacy", "release", str(hold_id), "--reason", "concluded"])
    assert released.exit_code == 0, released.output
    erased = runner.invoke(app, ["privacy", "erase", "--past-retention", "--yes"])
    assert erased.exit_code == 0 and "Skipped" not in erased.stderr
    assert conn.connection.execute("SELECT count(*) FROM mark_year").fetchone()[0] == 1


def test_a_reason_is_shown_as_written(conn: Store, family: dict[str, int]) -> None:
    """Text the officer typed is data, not rich markup: brackets stay on screen."""
    reason = "[red]complaint[/red] to the [b]ombudsman"
    placed = runner.invoke(app, ["privacy", "hold", "--upn", HARVEY, "--reason", reason])
    assert placed.exit_code == 0, placed.output
    listed = runner.invoke(app, ["privacy", "holds"])
    assert listed.exit_code == 0, listed.output
    assert "[red]complaint[/red]" in listed.stdout and "[b]ombudsman" in listed.stdout
