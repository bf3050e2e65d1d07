"""Letters for sample pupils, read back with python-docx; filing, the chronology, the referral
check and the evidence bundle.

Harvey Marsden (sample LA, Castle Hill 8994001, Year 7), autumn 2025 to his school's last marks
(14 Nov 2025): 94 possible sessions, 78 attended = 83.0%, 16 missed (8 days), 14 unauthorised
(G, 15-24 Oct), penalty threshold first met on 22 Oct 2025 (tests/referrals/builders.py). His
parents Claire and Paul Marsden both have parental responsibility, at 103 Barley Close,
Kestrelford KF5 1SQ.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from attendance_cli.cases import actions, documents, penalty
from attendance_cli.config import document_store
from attendance_cli.errors import RefusedError, UsageError
from attendance_cli.letters import generate
from attendance_cli.letters.builtin import TEMPLATES
from attendance_cli.settings import load_settings
from attendance_cli.tsm.pack import prepare_tsm_pack
from tests.letters.helpers import paragraphs
from tests.referrals.builders import build_case

HARVEY = "A899200218001"
CASTLE_HILL = "8994001"
DATE = dt.date(2025, 11, 17)
OFFICER = "Jo Officer"


def _run(
    conn: sqlite3.Connection, db: Path, out: Path, template: str, **kw: object
) -> generate.LetterRun:
    upn = kw.pop("upn", HARVEY)
    force = bool(kw.pop("force", False))
    return generate.generate_letters(
        conn,
        database=db,
        upn=upn,  # type: ignore[arg-type]
        options=generate.LetterOptions(template=template, letter_date=DATE, **kw),  # type: ignore[arg-type]
        settings=load_settings(),
        out_dir=out,
        officer=OFFICER,
        force=force,
        pdf=False,
    )


def _text(path: Path) -> str:
    return "\n".join(paragraphs(path))


def _zoe(conn: sqlite3.Connection) -> None:
    conn.connection.execute(
        "UPDATE contact SET name = 'Zoë Ó''Brien', address = '12 Rue d''Été, Kestrelford KF5 1SQ' "
        "WHERE name = 'Claire Marsden'"
    )
    conn.connection.commit()


def _notice(conn: sqlite3.Connection, parent: str = "Paul Marsden") -> int:
    return penalty.add_penalty_notice(
        conn, upn=HARVEY, parent=parent, issued=DATE, officer=OFFICER, today=DATE
    ).notice.id


PARENT_TEMPLATES = [name for name, (info, _) in TEMPLATES.items() if info.addressee == "parent"]


@pytest.mark.parametrize("template", PARENT_TEMPLATES)
def test_every_parent_template_renders_for_each_parent(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path, template: str
) -> None:
    _zoe(sample_conn)
    extra: dict[str, object] = {}
    if template == "attendance-meeting":
        extra = {
            "meeting_date": dt.date(2025, 11, 24),
            "meeting_time": "10:30am",
            "meeting_place": "Castle Hill Academy",
        }
    if template == "penalty-notice":
        _notice(sample_conn, "Zoë Ó'Brien")
        _notice(sample_conn, "Paul Marsden")
    if template == "penalty-notice-withdrawal":
        for parent in ("Zoë Ó'Brien", "Paul Marsden"):
            penalty.withdraw_penalty_notice(
                sample_conn,
                notice_id=_notice(sample_conn, parent),
                withdrawn=DATE,
                ground="wrong-person",
                reason="issued in error",
                officer=OFFICER,
                today=DATE,
            )
    run = _run(sample_conn, sample_db, tmp_path / "out", template, **extra)
    by_parent = {m.addressee: m for m in run.letters}
    assert set(by_parent) == {"Zoë Ó'Brien", "Paul Marsden"}
    for name, letter in by_parent.items():
        text = _text(letter.path)
        assert "{{" not in text and "{%" not in text
        assert f"Dear {name}" in text
        lines = paragraphs(letter.path)
        if name == "Zoë Ó'Brien":
            at = lines.index("Zoë Ó'Brien")
            assert lines[at + 1 : at + 3] == ["12 Rue d'Été", "Kestrelford KF5 1SQ"]
            assert "103 Barley Close" not in text  # the other parent's address
        else:
            at = lines.index("Paul Marsden")
            assert lines[at + 1 : at + 3] == ["103 Barley Close", "Kestrelford KF5 1SQ"]
        assert "Harvey" in text and "Castle Hill Academy" in text
        assert "Kestrelford Council" in text and "01632 960 123" in text


def test_withdrawal_goes_to_the_parent_named_on_the_notice(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    _zoe(sample_conn)
    notice_id = _notice(sample_conn, "zoë ó'brien")  # case and spacing ignored
    penalty.withdraw_penalty_notice(
        sample_conn,
        notice_id=notice_id,
        withdrawn=DATE,
        ground="wrong-person",
        reason="issued to the wrong parent",
        officer=OFFICER,
        today=DATE,
    )
    run = _run(sample_conn, sample_db, tmp_path / "out", "penalty-notice-withdrawal")
    assert [m.addressee for m in run.letters] == ["Zoë Ó'Brien"]
    text = _text(run.letters[0].path)
    assert f"penalty notice numbered {notice_id}" in text
    assert "withdrawn on 17 November 2025" in text and "issued to the wrong parent" in text


def test_figures_are_the_tsm_packs(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    run = _run(sample_conn, sample_db, tmp_path / "out", "notice-to-improve")
    text = _text(run.letters[0].path)
    # hand-computed (module docstring)
    assert "attended 78 of 94 sessions (83.0%)" in text
    assert "16 sessions (8 school days) were missed, 14 of them without" in text
    assert "first reached on 22 October 2025" in text
    # and the pack's own row for the same school and period
    pack = prepare_tsm_pack(sample_conn, school=CASTLE_HILL)
    (entry,) = [p for p in pack.pupils if p.upn == HARVEY]
    assert (
        f"attended {entry.attended} of {entry.possible} sessions ({entry.attendance_pct:.1f}%)"
        in text
    )
    assert f"Between 1 August 2025 and {pack.period['to'].day} November 2025" in text
    assert "4 weeks, from 17 November 2025 to 15 December 2025" in text


def test_figures_follow_the_period_options(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    start, end = dt.date(2025, 10, 13), dt.date(2025, 10, 24)
    run = _run(sample_conn, sample_db, tmp_path / "out", "attendance-concern", start=start, end=end)
    pack = prepare_tsm_pack(sample_conn, school=CASTLE_HILL, start=start, end=end)
    (entry,) = [p for p in pack.pupils if p.upn == HARVEY]
    text = _text(run.letters[0].path)
    assert entry.unauthorised == 14  # the holiday, 15-24 Oct, all inside the fortnight
    assert f"attended {entry.attended} of {entry.possible} sessions" in text
    assert "Between 13 October 2025 and 24 October 2025" in text


def test_penalty_notice_states_what_regulation_3_requires(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    notice_id = _notice(sample_conn, "Paul Marsden")
    run = _run(sample_conn, sample_db, tmp_path / "out", "penalty-notice")
    assert [m.addressee for m in run.letters] == ["Paul Marsden"]  # only the parent on the notice
    text = _text(run.letters[0].path)
    assert f"Notice number: {notice_id}" in text and "Date of issue: 17 November 2025" in text
    assert "Harvey Marsden" in text and "Castle Hill Academy" in text
    # the notice's own offence period and sessions: the 10 unauthorised sessions 15-22 Oct 2025
    # that met the threshold (not the letter's period); no service recorded, so the days run
    # from issue (17 Nov 2025): £80 to day 21 (7 Dec), £160 to day 28 (14 Dec)
    assert "Between 15 October 2025 and 22 October 2025" in text and "10 sessions" in text
    assert (
        "Counted from the date of issue, the last day to pay £80 is 7 December 2025 and the "
        "last day to pay £160 is 14 December 2025." in text
    )
    assert "within 21 days of receiving this notice, the penalty is £80" in text
    assert "within 28 days of receiving it, the penalty is £160" in text
    assert "Online at www.example.gov.uk/pay" in text and "Income Team" in text
    assert "prosecute you for the offence" in text and "withdrawn" in text


def test_penalty_notice_without_a_recorded_notice_is_refused(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    with pytest.raises(RefusedError, match="No penalty notice is recorded"):
        _run(sample_conn, sample_db, tmp_path / "out", "penalty-notice")
    assert not (tmp_path / "out").exists()


def test_meeting_letter_needs_the_meeting(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    with pytest.raises(UsageError, match="--meeting-date"):
        _run(sample_conn, sample_db, tmp_path / "out", "attendance-meeting")


def test_missing_setting_is_named(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path, _letter_settings: Path
) -> None:
    _letter_settings.write_text('[la]\nname = "Kestrelford Council"\n', encoding="utf-8")
    with pytest.raises(Exception, match=r"la\.phone") as caught:
        _run(sample_conn, sample_db, tmp_path / "out", "attendance-concern")
    assert str(_letter_settings) == caught.value.file  # type: ignore[attr-defined]


def test_no_parent_with_responsibility_is_refused(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    pupil_id = sample_conn.connection.execute(
        "SELECT id FROM pupil WHERE upn = ?", (HARVEY,)
    ).fetchone()[0]
    sample_conn.connection.execute(
        "UPDATE contact SET parental_responsibility = FALSE WHERE pupil_id = ?", (pupil_id,)
    )
    sample_conn.connection.commit()
    with pytest.raises(RefusedError, match="no parent with parental responsibility"):
        _run(sample_conn, sample_db, tmp_path / "out", "attendance-concern")
    assert not (tmp_path / "out").exists()


def test_only_parents_with_responsibility_get_one(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    sample_conn.connection.execute(
        "UPDATE contact SET parental_responsibility = FALSE WHERE name = 'Paul Marsden'"
    )
    sample_conn.connection.commit()
    run = _run(sample_conn, sample_db, tmp_path / "out", "attendance-concern")
    assert [m.addressee for m in run.letters] == ["Claire Marsden"]


def test_parent_without_an_address_is_refused(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    sample_conn.connection.execute("UPDATE contact SET address = NULL WHERE name = 'Paul Marsden'")
    sample_conn.connection.commit()
    with pytest.raises(RefusedError, match="No address on record for Paul Marsden"):
        _run(sample_conn, sample_db, tmp_path / "out", "attendance-concern")
    assert sample_conn.connection.execute("SELECT count(*) FROM letter").fetchone() == (0,)


def test_each_letter_is_filed_in_the_case(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    import hashlib

    run = _run(sample_conn, sample_db, tmp_path / "out", "warning-before-prosecution")
    docs = documents.list_documents(sample_conn, upn=HARVEY, store=document_store(sample_db))
    assert len(docs) == 2 == len(run.letters)
    for doc, letter in zip(docs, run.letters, strict=True):
        data = letter.path.read_bytes()
        assert doc.kind == "letter" and doc.document_date == DATE
        assert doc.sha256 == hashlib.sha256(data).hexdigest() == letter.sha256
        assert Path(doc.stored_path).read_bytes() == data
        assert oct(letter.path.stat().st_mode & 0o777) == "0o600"
        assert f"sent to {letter.addressee}" in (doc.description or "")
        assert "template warning-before-prosecution, version 2026.2" in (doc.description or "")
    rows = sample_conn.connection.execute(
        "SELECT template, template_version, addressee, letter_date, document_id FROM letter ORDER BY id"
    ).fetchall()
    assert rows == [
        ("warning-before-prosecution", "2026.2", "Claire Marsden", "2025-11-17", docs[0].id),
        ("warning-before-prosecution", "2026.2", "Paul Marsden", "2025-11-17", docs[1].id),
    ]
    assert oct((tmp_path / "out").stat().st_mode & 0o777) == "0o700"
    actions = [
        r[0] for r in sample_conn.connection.execute("SELECT action FROM audit_log ORDER BY id")
    ]
    assert actions.count("send_letter") == 2 and actions.count("attach_document") == 2


def test_chronology_shows_the_letter_sent(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    from attendance_cli.cases.chronology import case_view

    _zoe(sample_conn)
    _run(sample_conn, sample_db, tmp_path / "out", "attendance-concern")
    entries = [e for e in case_view(sample_conn, HARVEY).chronology if e.type == "letter"]
    assert [e.date for e in entries] == [DATE, DATE]
    assert any("Letter sent to Zoë Ó'Brien: Attendance concern" in e.summary for e in entries)


def test_the_same_letter_twice_is_refused_unless_forced(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    _run(sample_conn, sample_db, tmp_path / "out", "attendance-concern")
    with pytest.raises(RefusedError, match="already went to Claire Marsden"):
        _run(sample_conn, sample_db, tmp_path / "other", "attendance-concern")
    assert not (tmp_path / "other").exists()
    again = _run(sample_conn, sample_db, tmp_path / "out", "attendance-concern", force=True)
    assert len(again.letters) == 2
    assert sample_conn.connection.execute("SELECT count(*) FROM letter").fetchone() == (4,)
    # another template, or another day, is another letter
    assert len(_run(sample_conn, sample_db, tmp_path / "out", "cme-enquiry").letters) == 2


def test_an_existing_file_is_not_replaced(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    mine = out / f"{DATE.isoformat()}_attendance-concern_{HARVEY}_paul-marsden.docx"
    mine.write_bytes(b"the officer's own file")
    with pytest.raises(RefusedError, match="already exists"):
        _run(sample_conn, sample_db, out, "attendance-concern")
    assert mine.read_bytes() == b"the officer's own file"
    assert sorted(p.name for p in out.iterdir()) == [mine.name]
    assert sample_conn.connection.execute("SELECT count(*) FROM letter").fetchone() == (0,)


def test_a_failed_recording_leaves_no_letter(
    sample_conn: sqlite3.Connection,
    sample_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from attendance_cli.letters import sources

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(sources, "file_letters", broken)
    with pytest.raises(RuntimeError):
        _run(sample_conn, sample_db, tmp_path / "out", "attendance-concern")
    assert list((tmp_path / "out").iterdir()) == []
    assert list(document_store(sample_db).iterdir()) == []


def test_referral_check_and_bundle_find_the_letters(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    from attendance_cli.referrals.bundle import build_referral_bundle
    from attendance_cli.referrals.check import check_referral

    _zoe(sample_conn)
    build_case(sample_conn, sample_db, tmp_path, parents=())

    def item() -> object:
        check = check_referral(sample_conn, upn=HARVEY, route="prosecution")
        return next(i for i in check.items if i.id == "warning_letters")

    assert item().status == "missing"  # type: ignore[attr-defined]
    _run(sample_conn, sample_db, tmp_path / "out", "attendance-concern")
    assert item().status == "missing"  # type: ignore[attr-defined]  # not a warning letter
    run = _run(sample_conn, sample_db, tmp_path / "out", "warning-before-prosecution")
    found = item()
    assert found.status == "met", found.detail  # type: ignore[attr-defined]
    assert {e.ref for e in found.evidence} == {m.document_id for m in run.letters}  # type: ignore[attr-defined]

    bundle = build_referral_bundle(
        sample_conn,
        upn=HARVEY,
        route="prosecution",
        out=tmp_path / "b.zip",
        store=document_store(sample_db),
        officer=OFFICER,
    )
    with zipfile.ZipFile(bundle.path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        exhibits = {x["document_id"]: x for x in manifest["exhibits"]}
        for letter in run.letters:
            exhibit = exhibits[letter.document_id]
            assert archive.read(exhibit["path"]) == letter.path.read_bytes()


def test_notice_to_improve_counts_as_a_warning_letter(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    from attendance_cli.referrals.check import check_referral

    _run(sample_conn, sample_db, tmp_path / "out", "notice-to-improve")
    check = check_referral(sample_conn, upn=HARVEY, route="prosecution")
    assert next(i for i in check.items if i.id == "warning_letters").status == "met"
    # before a penalty notice the framework asks for the NTI itself, not a warning letter;
    # Harvey's notice would be for a holiday (all G), for which an NTI is not appropriate
    notice = {
        i.id: i for i in check_referral(sample_conn, upn=HARVEY, route="penalty-notice").items
    }
    assert notice["warning_letters"].status == "not_applicable"
    assert notice["notice_to_improve"].status == "not_applicable"


def test_tsm_summary_to_the_school(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    actions.add_action(
        sample_conn,
        upn=HARVEY,
        kind="home visit",
        action="Visit to talk about the holiday",
        owner="A. Smith",
        due=dt.date(2025, 12, 5),
        officer=OFFICER,
    )
    run = _run(
        sample_conn, sample_db, tmp_path / "out", "tsm-summary", upn=None, school="castle hill"
    )
    (letter,) = run.letters
    assert letter.document_id is None  # names many children: in no pupil's case
    text = _text(letter.path)
    assert "Harvey Marsden (Year 7): attendance 83.0%" in text
    assert "Visit to talk about the holiday (A. Smith; review by 5 December 2025)" in text
    assert sample_conn.connection.execute("SELECT count(*) FROM case_document").fetchone() == (0,)
    assert [r.template for r in generate.letter_history(sample_conn, school=CASTLE_HILL)] == [
        "tsm-summary"
    ]


def test_bulk_writes_one_letter_per_parent_and_files_each(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    import csv

    pack = prepare_tsm_pack(sample_conn, school=CASTLE_HILL)
    persistent = [p for p in pack.pupils if p.band in ("severe", "persistent")]
    parents = {
        p.upn: [
            name
            for (name,) in sample_conn.connection.execute(
                "SELECT c.name FROM contact c JOIN pupil p ON p.id = c.pupil_id WHERE p.upn = ? "
                "AND (c.parental_responsibility IS NULL OR c.parental_responsibility = TRUE) "
                "AND c.address IS NOT NULL",
                (p.upn,),
            )
        ]
        for p in persistent
    }
    # Harvey had a letter 3 weeks ago: --not-since-weeks 4 leaves him out
    documents.attach_document(
        sample_conn,
        upn=HARVEY,
        file=_file(tmp_path),
        kind="letter",
        store=document_store(sample_db),
        officer=OFFICER,
        document_date=DATE - dt.timedelta(weeks=3),
    )
    out = tmp_path / "bulk"
    run = generate.generate_bulk(
        sample_conn,
        database=sample_db,
        school=CASTLE_HILL,
        options=generate.LetterOptions(template="attendance-concern", letter_date=DATE),
        settings=load_settings(),
        out_dir=out,
        officer=OFFICER,
        not_since_weeks=4,
        pdf=False,
    )
    expected = sorted(
        (upn, name) for upn, names in parents.items() if upn != HARVEY for name in names
    )
    assert len(expected) > 20
    assert sorted((m.upn, m.addressee) for m in run.letters) == expected
    assert [(s.upn, s.reason) for s in run.skipped if s.upn == HARVEY] == [
        (HARVEY, "a letter dated 2025-10-27")
    ]
    filed = sample_conn.connection.execute(
        "SELECT count(*) FROM case_document WHERE kind = 'letter' AND document_date = ?",
        (DATE.isoformat(),),
    ).fetchone()[0]
    assert filed == len(expected)
    for letter in run.letters:
        assert f"Dear {letter.addressee}" in _text(letter.path)
    with (run.csv or Path()).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted((r["upn"], r["addressee"]) for r in rows if r["status"] == "made") == expected
    assert any(r["status"] == "skipped" and r["upn"] == HARVEY for r in rows)
    combined = paragraphs(run.combined or Path())
    assert sum(1 for line in combined if line.startswith("Dear ")) == len(expected)
    assert len({r[0] for r in sample_conn.connection.execute("SELECT batch FROM letter")}) == 1


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "old-letter.pdf"
    path.write_bytes(b"%PDF-1.4 an earlier letter")
    return path


def test_preview_writes_nothing(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    previews = generate.preview_letters(
        sample_conn,
        upn=HARVEY,
        options=generate.LetterOptions(template="attendance-concern", letter_date=DATE),
        settings=load_settings(),
        officer=OFFICER,
    )
    assert [p.addressee for p in previews] == ["Claire Marsden", "Paul Marsden"]
    assert "Dear Paul Marsden" in previews[1].text
    assert sample_conn.connection.execute("SELECT count(*) FROM letter").fetchone() == (0,)
    assert not document_store(sample_db).exists()


def _png() -> bytes:
    """A 1x1 PNG (a letterhead logo), built by hand."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


PNG = _png()


def test_combined_document_keeps_each_letters_images(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path, _letter_settings: Path
) -> None:
    """A letterhead logo in the body makes docxcompose append the letter (copying its
    paragraphs alone would leave the picture pointing at nothing)."""
    from docx import Document
    from docx.shared import Cm

    folder = tmp_path / "la"
    folder.mkdir()
    (tmp_path / "logo.png").write_bytes(PNG)
    template = Document()
    template.add_picture(str(tmp_path / "logo.png"), width=Cm(1))
    template.add_paragraph("Dear {{ parent.name }}")
    template.save(str(folder / "attendance-concern.docx"))
    with _letter_settings.open("a", encoding="utf-8") as out:
        out.write(f'\n[letters]\ntemplates = "{folder}"\n')
    run = generate.generate_bulk(
        sample_conn, database=sample_db, school=CASTLE_HILL,
        options=generate.LetterOptions(template="attendance-concern", letter_date=DATE),
        settings=load_settings(), out_dir=tmp_path / "bulk", officer=OFFICER, pdf=False,
    )  # fmt: skip
    combined = Document(str(run.combined))
    assert len(combined.inline_shapes) == len(run.letters) > 20
    for shape in combined.inline_shapes:
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        assert combined.part.related_parts[blip.embed].blob == PNG


def test_a_notice_letter_is_dated_as_the_notice(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    issued = dt.date(2025, 11, 10)
    notice = penalty.add_penalty_notice(
        sample_conn, upn=HARVEY, parent="Claire Marsden", issued=issued, officer=OFFICER,
        today=DATE,
    ).notice  # fmt: skip
    run = generate.generate_letters(
        sample_conn, database=sample_db, upn=HARVEY,
        options=generate.LetterOptions(template="penalty-notice"), settings=load_settings(),
        out_dir=tmp_path / "out", officer=OFFICER, pdf=False,
    )  # fmt: skip
    (letter,) = run.letters
    assert letter.letter_date == issued and letter.path.name.startswith("2025-11-10_")
    assert paragraphs(letter.path)[paragraphs(letter.path).index("Kestrelford KF5 1SQ") + 2] == (
        "10 November 2025"
    )
    doc = documents.list_documents(sample_conn, upn=HARVEY, store=document_store(sample_db))[0]
    assert doc.document_date == issued
    assert f"Notice number: {notice.id}" in _text(letter.path)
