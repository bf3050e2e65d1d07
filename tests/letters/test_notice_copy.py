"""Issue 12: the notice itself filed as a case document when it is recorded (reg. 20's record).

Harvey Marsden (sample LA, Castle Hill Academy) has 10 unauthorised sessions 15-22 Oct 2025 (a
holiday) that meet the threshold. Figures below are worked by hand from the framework: a first
notice is £80 within 21 days of receipt, £160 within 28; posted (first class) it is received on
the second working day after posting; day 1 is the day of receipt.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cases import penalty
from attendance_cli.cases.audit import list_audit, verify_audit
from attendance_cli.cases.chronology import case_view
from attendance_cli.cases.documents import DocumentRecord, list_documents
from attendance_cli.cli.app import app
from attendance_cli.config import document_store
from attendance_cli.errors import InvalidInputError
from attendance_cli.letters import generate
from attendance_cli.settings import load_settings
from tests.letters.helpers import docx_with, paragraphs

HARVEY = "A899200218001"
OFFICER = "Jo Officer"
ISSUED = dt.date(2025, 11, 17)  # a Monday
TODAY = dt.date(2025, 11, 28)
runner = CliRunner()


def _copy(db: Path) -> generate.NoticeCopy:
    return generate.NoticeCopy(settings=load_settings(), store=document_store(db))


def _add(conn: sqlite3.Connection, db: Path, **kw: object) -> penalty.PenaltyNoticeRecord:
    options: dict[str, object] = {
        "upn": HARVEY,
        "parent": "Paul Marsden",
        "issued": ISSUED,
        "officer": OFFICER,
        "served_by": "post",
        "copy": _copy(db),
        "today": TODAY,
        **kw,
    }
    return penalty.add_penalty_notice(conn, **options).notice  # type: ignore[arg-type]


def _copies(conn: sqlite3.Connection, db: Path) -> list[DocumentRecord]:
    return [
        d
        for d in list_documents(conn, upn=HARVEY, store=document_store(db))
        if d.kind == "letter" and "Penalty notice" in (d.description or "")
    ]


def _text(conn: sqlite3.Connection, db: Path, document_id: int) -> str:
    (doc,) = [d for d in _copies(conn, db) if d.id == document_id]
    return "\n".join(paragraphs(Path(doc.stored_path).read_bytes()))


def _verifies(conn: sqlite3.Connection) -> None:
    check = verify_audit(conn)
    assert check.ok and not check.row_problems, check


def test_a_recorded_notice_has_exactly_one_copy_saying_its_amounts_and_dates(
    sample_conn: sqlite3.Connection, sample_db: Path
) -> None:
    notice = _add(sample_conn, sample_db)
    (doc,) = _copies(sample_conn, sample_db)
    assert notice.document_id == doc.id
    assert (doc.document_date, doc.happened_on, doc.withdrawn_at) == (ISSUED, ISSUED, None)
    text = _text(sample_conn, sample_db, doc.id)
    assert f"Notice number: {notice.id}    Date of issue: 17 November 2025" in text
    assert "Dear Paul Marsden" in text
    assert "Between 15 October 2025 and 22 October 2025" in text and "10 sessions" in text
    # posted Mon 17 Nov: received Wed 19 Nov; £80 to day 21 (9 Dec), £160 to day 28 (16 Dec)
    assert "the penalty is £80" in text and "the penalty is £160" in text
    assert (
        "This notice is treated as received on 19 November 2025, so the last day to pay £80 is "
        "9 December 2025 and the last day to pay £160 is 16 December 2025." in text
    )
    # the same figures as att penalty list (one source)
    assert penalty.describe_status(notice) == "£80 by 09/12, £160 by 16/12/2025"
    _verifies(sample_conn)


def test_list_json_has_the_document_id_and_the_chronology_and_bundle_show_the_copy(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    from attendance_cli.referrals.bundle import build_referral_bundle

    added = runner.invoke(
        app,
        ["penalty", "add", HARVEY, "--parent", "Paul Marsden", "--issued", "2025-11-17"]
        + ["--format", "json"],
    )
    assert added.exit_code == 0, added.output
    document_id = json.loads(added.stdout)["document_id"]
    (doc,) = _copies(sample_conn, sample_db)
    assert document_id == doc.id
    listed = runner.invoke(app, ["penalty", "list", "--upn", HARVEY, "--format", "json"])
    assert [r["document_id"] for r in json.loads(listed.stdout)] == [doc.id]
    chronology = case_view(sample_conn, HARVEY).chronology
    entries = [e for e in chronology if e.type == "letter" and e.ref == doc.id]
    assert [e.date for e in entries] == [ISSUED]
    assert doc.file_name in entries[0].summary
    bundle = build_referral_bundle(
        sample_conn,
        upn=HARVEY,
        route="prosecution",
        out=tmp_path / "b.zip",
        store=document_store(sample_db),
        officer=OFFICER,
        force=True,
        reason="test",
    )
    with zipfile.ZipFile(bundle.path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        exhibits = {x["document_id"]: x for x in manifest["exhibits"]}
        assert archive.read(exhibits[doc.id]["path"]) == Path(doc.stored_path).read_bytes()


def test_withdrawing_the_notice_marks_its_copy_withdrawn(
    sample_conn: sqlite3.Connection, sample_db: Path
) -> None:
    notice = _add(sample_conn, sample_db)
    penalty.update_penalty_notice(
        sample_conn,
        notice_id=notice.id,
        withdrawn=dt.date(2025, 11, 20),
        ground="wrong-person",
        reason="Paul does not live with Harvey",
        officer=OFFICER,
        today=TODAY,
    )
    (doc,) = _copies(sample_conn, sample_db)
    assert doc.withdrawn_at is not None
    assert doc.withdrawn_reason == (
        f"Penalty notice {notice.id} was withdrawn on 20/11/2025: Paul does not live with Harvey"
    )
    assert penalty.get_penalty_notice(sample_conn, notice.id).document_id == doc.id
    assert list_audit(sample_conn, upn=HARVEY)[-1].action == "withdraw_document"
    _verifies(sample_conn)


def test_correcting_the_service_date_files_a_new_copy_and_withdraws_the_old(
    sample_conn: sqlite3.Connection, sample_db: Path
) -> None:
    notice = _add(sample_conn, sample_db)
    corrected = penalty.correct_penalty_date(
        sample_conn,
        notice_id=notice.id,
        field_name="served",
        to=dt.date(2025, 11, 18),
        reason="posted on the Tuesday",
        officer=OFFICER,
        copy=_copy(sample_db),
        today=TODAY,
    ).notice
    old, new = _copies(sample_conn, sample_db)
    assert old.withdrawn_at is not None and "Superseded" in (old.withdrawn_reason or "")
    assert new.withdrawn_at is None and corrected.document_id == new.id
    # posted Tue 18 Nov: received Thu 20 Nov; £80 to 10 Dec, £160 to 17 Dec
    assert (
        "treated as received on 20 November 2025, so the last day to pay £80 is 10 December "
        "2025 and the last day to pay £160 is 17 December 2025."
        in _text(sample_conn, sample_db, new.id)
    )
    assert penalty.describe_status(corrected) == "£80 by 10/12, £160 by 17/12/2025"
    _verifies(sample_conn)


def test_a_correction_that_cannot_refile_the_copy_is_refused(
    sample_conn: sqlite3.Connection, sample_db: Path
) -> None:
    notice = _add(sample_conn, sample_db)
    with pytest.raises(penalty.UsageError, match="filed copy"):
        penalty.correct_penalty_date(
            sample_conn,
            notice_id=notice.id,
            field_name="issued",
            to=dt.date(2025, 11, 14),
            reason="typo",
            officer=OFFICER,
            today=TODAY,
        )
    assert penalty.get_penalty_notice(sample_conn, notice.id).issued == ISSUED


def test_a_correction_the_copy_does_not_show_leaves_it(
    sample_conn: sqlite3.Connection, sample_db: Path
) -> None:
    notice = _add(sample_conn, sample_db, paid=dt.date(2025, 11, 21))
    penalty.correct_penalty_date(
        sample_conn,
        notice_id=notice.id,
        field_name="paid",
        to=dt.date(2025, 11, 24),
        reason="typo",
        officer=OFFICER,
        copy=_copy(sample_db),
        today=TODAY,
    )
    (doc,) = _copies(sample_conn, sample_db)
    assert doc.withdrawn_at is None
    _verifies(sample_conn)


@pytest.mark.parametrize("where", ["render_docx", "file_letters"])
def test_a_failure_while_making_the_copy_leaves_no_notice(
    sample_conn: sqlite3.Connection,
    sample_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise OSError("disk full")

    target = generate if where == "render_docx" else generate.sources
    monkeypatch.setattr(target, where, broken)
    before = list_audit(sample_conn)
    with pytest.raises(OSError, match="disk full"):
        _add(sample_conn, sample_db)
    assert penalty.list_penalty_notices(sample_conn, upn=HARVEY) == []
    assert _copies(sample_conn, sample_db) == []
    assert len(list_audit(sample_conn)) == len(before)
    store = document_store(sample_db)
    assert not store.exists() or list(store.iterdir()) == []  # the bytes stored are removed
    _verifies(sample_conn)


def test_missing_settings_refuse_the_notice_before_anything_is_written(
    sample_conn: sqlite3.Connection,
    sample_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("ATT_CONFIG", str(empty))
    with pytest.raises(InvalidInputError, match="needs setting") as raised:
        _add(sample_conn, sample_db)
    assert "--no-copy REASON" in raised.value.hint
    assert penalty.list_penalty_notices(sample_conn, upn=HARVEY) == []


def test_no_copy_records_the_reason_and_files_nothing(
    sample_conn: sqlite3.Connection, sample_db: Path
) -> None:
    added = runner.invoke(
        app,
        ["penalty", "add", HARVEY, "--parent", "Paul Marsden", "--issued", "2025-11-17"]
        + ["--no-copy", "issued from the council's Capita system", "--format", "json"],
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["document_id"] is None
    assert _copies(sample_conn, sample_db) == []
    entry = next(e for e in list_audit(sample_conn, upn=HARVEY) if e.action == "add_penalty_notice")
    assert entry.detail["no_copy_reason"] == "issued from the council's Capita system"


def test_the_las_own_template_is_used_when_configured(
    sample_conn: sqlite3.Connection,
    sample_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    docx_with(
        ["Kestrelford notice {{ notice.number }}: {{ notice.amount_full }} by {{ notice.pay_by }}"],
        folder / "penalty-notice.docx",
    )
    from tests.letter_settings import SETTINGS

    config = tmp_path / "la.toml"
    config.write_text(SETTINGS + f'\n[letters]\ntemplates = "{folder}"\n', encoding="utf-8")
    monkeypatch.setenv("ATT_CONFIG", str(config))
    notice = _add(sample_conn, sample_db)
    (doc,) = _copies(sample_conn, sample_db)
    assert _text(sample_conn, sample_db, doc.id) == (
        f"Kestrelford notice {notice.id}: £160 by 16 December 2025"
    )


def test_a_history_notice_files_its_copy_in_the_latest_case_and_opens_none(
    sample_conn: sqlite3.Connection, sample_db: Path
) -> None:
    from attendance_cli.cases.case import close_case, ensure_open_case, find_pupil, latest_case
    from attendance_cli.store import cases as stored_cases
    from attendance_cli.store import transaction

    pupil = find_pupil(sample_conn, HARVEY)
    store = sample_conn
    with transaction(store):
        case_id = ensure_open_case(store, pupil, OFFICER, on=dt.date(2025, 9, 1))
    close_case(
        sample_conn, upn=HARVEY, outcome="improved", officer=OFFICER, on=dt.date(2025, 11, 1)
    )
    notice = _add(sample_conn, sample_db, paid=dt.date(2025, 11, 21))  # recorded as history
    assert notice.case_id is None and latest_case(sample_conn, pupil.id) == case_id
    found = stored_cases.get_document(store, notice.document_id)  # type: ignore[arg-type]
    assert found is not None and found.case_id == case_id
    assert len(stored_cases.cases_of_pupil(store, pupil.id)) == 1
    _verifies(sample_conn)


def test_a_database_failure_filing_the_copy_leaves_no_notice(sample_db: Path) -> None:
    """A trigger makes the copy's last write (its letter row) fail: on SQLite RAISE(ABORT), on
    PostgreSQL a PL/pgSQL function raising an exception."""
    import contextlib

    from tests.helpers import connect_to, is_postgres

    def counts() -> dict[str, int]:
        with contextlib.closing(connect_to(sample_db)) as conn:
            return {
                t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("penalty_notice", "case_action", "case_document", "letter", "audit_log")
            }

    def trigger(on: bool) -> None:
        if is_postgres(sample_db):
            statements = (
                [
                    "CREATE FUNCTION fail_letter() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'letter table unavailable'; END $$",
                    "CREATE TRIGGER fail_letter BEFORE INSERT ON letter "
                    "FOR EACH ROW EXECUTE FUNCTION fail_letter()",
                ]
                if on
                else ["DROP TRIGGER fail_letter ON letter", "DROP FUNCTION fail_letter()"]
            )
        else:
            statements = (
                [
                    "CREATE TRIGGER fail_letter BEFORE INSERT ON letter "
                    "BEGIN SELECT RAISE(ABORT, 'letter table unavailable'); END"
                ]
                if on
                else ["DROP TRIGGER fail_letter"]
            )
        with contextlib.closing(connect_to(sample_db)) as conn:
            for statement in statements:
                conn.execute(statement)
            conn.commit()

    trigger(True)
    before = counts()
    args = ["penalty", "add", HARVEY, "--parent", "Paul Marsden", "--issued", "2025-11-17"]
    failed = runner.invoke(app, args)
    assert failed.exit_code == 6, failed.output  # a database problem, no traceback
    assert counts() == before  # no notice, no action, no document, no letter, no entry
    store = document_store(sample_db)
    assert not store.exists() or list(store.iterdir()) == []
    trigger(False)
    assert runner.invoke(app, args).exit_code == 0
    after = counts()
    assert (after["penalty_notice"], after["case_document"], after["letter"]) == (
        before["penalty_notice"] + 1,
        before["case_document"] + 1,
        before["letter"] + 1,
    )
