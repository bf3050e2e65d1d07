"""Making letters: ``preview_letters``, ``generate_letters`` (one pupil, or a school's letter),
``generate_bulk`` (a school's persistently absent pupils) and ``letter_history``.

One letter per parent with parental responsibility (or whose responsibility is not recorded,
as the referral check treats them), addressed to them at their address; a pupil with none
recorded, or a parent with no address, is refused (in bulk: skipped and listed). A penalty
notice and its withdrawal go only to the parent named on the notice.

Nothing is half-written: every letter of a run is checked, planned and rendered in memory
first; any problem stops the run before a file is written. The letters are then put in the
private document store, written beside their final names under temporary names, recorded in
one transaction (a case document of kind ``letter``, dated, naming the template and its version;
the ``letter`` row; audit entries) and only then renamed into place. If recording fails, the
temporary files are removed. PDFs, the combined document for printing and the CSV list follow.

The same letter (pupil, addressee, template, date) is refused a second time unless ``force``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attendance_cli.errors import FileProblemError, NotFoundError, RefusedError, UsageError
from attendance_cli.letters import merge, sources
from attendance_cli.letters.render import (
    CheckedTemplate,
    check_template,
    document_text,
    render_docx,
)
from attendance_cli.letters.templates import Template, find_template
from attendance_cli.settings import Settings

if TYPE_CHECKING:
    from attendance_cli.store.connection import Store

NOTICE_TEMPLATES = {"penalty-notice": "live", "penalty-notice-withdrawal": "withdrawn"}


@dataclass(frozen=True)
class LetterOptions:
    template: str
    letter_date: dt.date | None = None  # default today
    school: str | None = None  # which enrolment (a dual-registered pupil), or the school letter's
    term: str | None = None
    year: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    meeting_date: dt.date | None = None
    meeting_time: str | None = None
    meeting_place: str | None = None
    improvement_weeks: int | None = None
    notice_id: int | None = None


@dataclass
class PlannedLetter:
    addressee: str
    addressee_key: str
    pupil: sources.PupilInfo | None
    school: sources.SchoolInfo
    context: dict[str, Any]
    file_name: str
    letter_date: dt.date
    data: bytes = b""


@dataclass
class Skipped:
    upn: str
    pupil: str
    reason: str


@dataclass
class MadeLetter:
    letter_id: int
    document_id: int | None
    upn: str | None
    pupil: str | None
    school_laestab: str
    school_name: str
    addressee: str
    template: str
    template_version: str
    letter_date: dt.date
    path: Path
    pdf_path: Path | None
    sha256: str
    bytes: int


@dataclass
class LetterRun:
    template: str
    template_version: str
    letter_date: dt.date
    out_dir: Path
    letters: list[MadeLetter] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    combined: Path | None = None
    combined_pdf: Path | None = None
    csv: Path | None = None
    pdf_note: str | None = None  # why no PDF was made, when none was
    batch: str | None = None


@dataclass
class Preview:
    addressee: str
    file_name: str
    text: list[str]


# ---------------------------------------------------------------------------------- planning


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    plain = re.sub(r"['’`]", "", plain)
    return re.sub(r"[^0-9a-z]+", "-", plain).strip("-") or "x"


def _checked(settings: Settings, options: LetterOptions) -> tuple[Template, CheckedTemplate]:
    template = find_template(settings, options.template)
    return template, check_template(template.name, template.data, merge.FIELDS)


def _provided(template: Template, options: LetterOptions) -> set[str]:
    provided = {"notice"} if template.name in NOTICE_TEMPLATES or options.notice_id else set()
    if options.meeting_date is not None or template.addressee == "school":
        provided.add("meeting")
    return provided


def _meeting(options: LetterOptions, default: dt.date | None = None) -> dict[str, str]:
    return {
        "date": merge.long_date(options.meeting_date or default),
        "time": options.meeting_time or "",
        "place": options.meeting_place or "",
    }


def _pupil_enrolment(conn: Store, pupil: sources.PupilInfo, school: str | None) -> Any:
    enrolments = sources.pupil_enrolments(conn, pupil.id)
    if school is not None:
        wanted = sources.find_school(conn, school)
        chosen = [e for e in enrolments if e.school_id == wanted.id]
        if not chosen:
            raise NotFoundError(f"{pupil.upn} has no enrolment at {wanted.name} ({wanted.laestab})")
        return chosen[0]
    if not enrolments:
        raise NotFoundError(
            f"{pupil.upn} is on roll at no school", hint="Import the school's roster first."
        )
    # the current enrolment: not left, the latest entry (as att case list shows a pupil's school)
    return sorted(
        enrolments,
        key=lambda e: (e.leaving_date is not None, -(_ordinal(e.entry_date)), -e.enrolment_id),
    )[0]


def _year_group(value: str | None) -> str:
    """``7`` -> "Year 7", ``R`` -> "Reception", anything else as recorded."""
    text = (value or "").strip()
    if text.isdigit():
        return f"Year {int(text)}"
    return "Reception" if text.upper() == "R" else text


def _ordinal(day: dt.date | None) -> int:
    return day.toordinal() if day else 0


def _notice_context(notice: Any, figures: dict[str, Any], period: Any) -> dict[str, Any]:
    """A notice's fields, all from its record (``cases.penalty``: the amounts and pay-by days
    ``att penalty list`` shows, counted from receipt when service is recorded); the offence
    period and sessions are the notice's own, the letter's period only for a notice recorded
    without them."""
    return {
        "number": str(notice.id),
        "issued": merge.long_date(notice.issued),
        "notice_number": notice.notice_number,
        "amount_reduced": merge.pounds(notice.reduced_amount_pence),
        "amount_full": merge.pounds(notice.full_amount_pence),
        "reduced_until": merge.long_date(notice.reduced_rate_until),
        "pay_by": merge.long_date(notice.pay_by),
        "received": merge.long_date(notice.received_on),
        "offence_from": merge.long_date(notice.offence_from or period.start),
        "offence_to": merge.long_date(notice.offence_to or period.end),
        "unauthorised": len(notice.sessions) if notice.sessions else figures["unauthorised"],
        "withdrawn": merge.long_date(notice.withdrawn),
        "withdrawn_reason": notice.withdrawn_reason or "",
        "paid": merge.long_date(notice.paid),
    }


def _addressees(
    conn: Store, pupil: sources.PupilInfo, template: Template, options: LetterOptions
) -> list[tuple[Any, Any | None]]:
    """(contact, notice or None) for each letter to make; raises RefusedError when there is
    no one to write to."""
    contacts = sources.pupil_contacts(conn, pupil.id)
    parents = [c for c in contacts if c.needs_letter]
    if not parents:
        raise RefusedError(
            f"{pupil.name} ({pupil.upn}) has no parent with parental responsibility on record",
            hint="Import a roster with the parents' names, addresses and parental "
            "responsibility; att writes one letter to each of them.",
        )
    wanted_status = NOTICE_TEMPLATES.get(template.name)
    if wanted_status is None and options.notice_id is None:
        chosen: list[tuple[Any, Any | None]] = [(p, None) for p in parents]
    else:
        notices = sources.penalty_notices(conn, pupil.upn)
        if options.notice_id is not None:
            notices = [n for n in notices if n.id == options.notice_id]
            if not notices:
                raise NotFoundError(
                    f"{pupil.upn} has no penalty notice {options.notice_id}",
                    hint="`att penalty list --upn UPN` lists the pupil's notices.",
                )
        elif wanted_status == "withdrawn":
            notices = [n for n in notices if n.withdrawn is not None]
        else:
            notices = [n for n in notices if n.withdrawn is None]
        chosen = []
        for parent in parents:
            own = [
                n
                for n in notices
                if sources.parent_key(n.parent_name) == sources.parent_key(parent.name)
            ]
            if own:
                chosen.append((parent, own[-1]))
        if not chosen:
            what = "withdrawn penalty notice" if wanted_status == "withdrawn" else "penalty notice"
            raise RefusedError(
                f"No {what} is recorded for a parent of {pupil.name} ({pupil.upn}) with "
                "parental responsibility",
                hint="Record it first (att penalty add / att penalty update --withdrawn), naming "
                "the parent as the roster does.",
            )
    lacking = [p.name for p, _ in chosen if not (p.address and p.address.strip())]
    if lacking:
        raise RefusedError(
            f"No address on record for {', '.join(lacking)} ({pupil.upn})",
            hint="Import a roster with the parent's address; a letter must be addressed.",
        )
    return chosen


def _parent_context(
    conn: Store,
    *,
    pupil: sources.PupilInfo,
    parent_name: str,
    relationship: str | None,
    address: str | None,
    template: Template,
    settings: Settings,
    officer: str,
    day: dt.date,
    enrolment: Any,
    school: sources.SchoolInfo,
    figures: dict[str, Any],
    weeks: int,
    options: LetterOptions,
) -> dict[str, Any]:
    """The merge fields of a letter to one parent about one pupil."""
    base = merge.common_context(settings, officer=officer, letter_date=day, title=template.title)
    return {
        **base,
        "letter": {
            **base["letter"],
            "reference": f"{day:%Y%m%d}/{template.name}/{pupil.id}",
        },
        "addressee_lines": [parent_name, *merge.address_lines(address)],
        "parent": {
            "name": parent_name,
            "relationship": relationship or "",
            "address": address or "",
            "address_lines": merge.address_lines(address),
        },
        "pupil": {
            "name": pupil.name,
            "forename": pupil.forename or pupil.name,
            "surname": pupil.surname or "",
            "upn": pupil.upn,
            "date_of_birth": merge.long_date(pupil.date_of_birth),
            "year_group": _year_group(enrolment.year_group),
        },
        "school": {"name": school.name, "laestab": school.laestab},
        "figures": figures,
        "actions": [merge.action_context(a) for a in sources.open_actions(conn, pupil.id)],
        "improvement": {
            "weeks": weeks,
            "start": merge.long_date(day),
            "end": merge.long_date(day + dt.timedelta(weeks=weeks)),
        },
        "meeting": _meeting(options),
    }


def _plan_pupil(
    conn: Store,
    *,
    pupil: sources.PupilInfo,
    template: Template,
    options: LetterOptions,
    settings: Settings,
    officer: str,
    letter_date: dt.date,
    enrolment: Any,
    school: sources.SchoolInfo,
    period: Any,
    entry: Any,
) -> list[PlannedLetter]:
    figures = merge.figures_context(entry, start=period.start, end=period.end, label=period.label)
    from attendance_cli.settings import check_improvement_weeks, improvement_weeks

    weeks = (
        check_improvement_weeks(options.improvement_weeks, source="--improvement-weeks")
        if options.improvement_weeks
        else improvement_weeks(settings)
    )
    planned = []
    for parent, notice in _addressees(conn, pupil, template, options):
        day = letter_date
        if notice is not None and options.letter_date is None:
            # a notice, or its withdrawal, is dated as recorded (att penalty add / update)
            withdrawn = NOTICE_TEMPLATES.get(template.name) == "withdrawn"
            day = (notice.withdrawn if withdrawn else None) or notice.issued
        context = _parent_context(
            conn,
            pupil=pupil,
            parent_name=parent.name,
            relationship=parent.relationship,
            address=parent.address,
            template=template,
            settings=settings,
            officer=officer,
            day=day,
            enrolment=enrolment,
            school=school,
            figures=figures,
            weeks=weeks,
            options=options,
        )
        if notice is not None:
            context["notice"] = _notice_context(notice, figures, period)
        planned.append(
            PlannedLetter(
                addressee=parent.name,
                addressee_key=sources.parent_key(parent.name),
                pupil=pupil,
                school=school,
                context=context,
                file_name=f"{day.isoformat()}_{template.name}_{pupil.upn}_{_slug(parent.name)}.docx",
                letter_date=day,
            )
        )
    return planned


def _plan_school(
    conn: Store,
    *,
    template: Template,
    options: LetterOptions,
    settings: Settings,
    officer: str,
    letter_date: dt.date,
) -> list[PlannedLetter]:
    if options.school is None:
        raise UsageError(
            f"Template {template.name} is a letter to a school: give --school",
            hint=f"att letter generate --template {template.name} --school LAESTAB",
        )
    school = sources.find_school(conn, options.school)
    meeting = sources.latest_tsm_meeting(conn, school.id)
    period = sources.school_period(
        conn, school.id, term=options.term, year=options.year, start=options.start, end=options.end
    )
    pupils = []
    for case in sources.school_cases(conn, school.laestab):
        actions = [
            a for a in sources.case_actions(conn, case.case_id) if a.status in ("agreed", "overdue")
        ]
        if not actions:
            continue
        pupil = sources.find_pupil(conn, case.upn)
        enrolment = _pupil_enrolment(conn, pupil, school.laestab)
        entry = sources.pupil_figures(
            conn, enrolment_id=enrolment.enrolment_id, school_id=school.id, period=period
        )
        pupils.append(
            {
                "name": pupil.name,
                "upn": pupil.upn,
                "year_group": _year_group(enrolment.year_group),
                "attendance": merge.percent(entry.attendance_pct),
                "band": entry.band,
                "actions": [merge.action_context(a) for a in actions],
            }
        )
    if not pupils:
        raise RefusedError(
            f"No agreed actions are open for pupils of {school.name} ({school.laestab})",
            hint="Record the meeting's actions first (att tsm record, att case add-action).",
        )
    base = merge.common_context(
        settings, officer=officer, letter_date=letter_date, title=template.title
    )
    addressee = f"The Head Teacher, {school.name}"
    context = {
        **base,
        "letter": {
            **base["letter"],
            "reference": f"{letter_date:%Y%m%d}/{template.name}/{school.laestab}",
        },
        "addressee_lines": ["The Head Teacher", school.name],
        "school": {"name": school.name, "laestab": school.laestab},
        "meeting": _meeting(options, meeting[1] if meeting else None),
        "pupils": pupils,
    }
    return [
        PlannedLetter(
            addressee=addressee,
            addressee_key=sources.parent_key(addressee),
            pupil=None,
            school=school,
            context=context,
            file_name=f"{letter_date.isoformat()}_{template.name}_{school.laestab}.docx",
            letter_date=letter_date,
        )
    ]


def _plan_one_pupil(
    conn: Store,
    *,
    upn: str,
    template: Template,
    options: LetterOptions,
    settings: Settings,
    officer: str,
    letter_date: dt.date,
) -> list[PlannedLetter]:
    if template.addressee == "school":
        raise UsageError(
            f"Template {template.name} is a letter to a school, not about one pupil",
            hint=f"att letter generate --template {template.name} --school LAESTAB",
        )
    pupil = sources.find_pupil(conn, upn)
    enrolment = _pupil_enrolment(conn, pupil, options.school)
    school = sources.school_by_id(conn, enrolment.school_id)
    period = sources.school_period(
        conn, school.id, term=options.term, year=options.year, start=options.start, end=options.end
    )
    entry = sources.pupil_figures(
        conn, enrolment_id=enrolment.enrolment_id, school_id=school.id, period=period
    )
    return _plan_pupil(
        conn,
        pupil=pupil,
        template=template,
        options=options,
        settings=settings,
        officer=officer,
        letter_date=letter_date,
        enrolment=enrolment,
        school=school,
        period=period,
        entry=entry,
    )


def _prepare(
    settings: Settings, options: LetterOptions, officer: str
) -> tuple[Template, CheckedTemplate, dt.date]:
    template, checked = _checked(settings, options)
    merge.check_fields_available(
        checked.analysis.used,
        addressee=template.addressee,
        template=template.name,
        settings=settings,
        provided=_provided(template, options),
    )
    return template, checked, options.letter_date or dt.date.today()


def preview_letters(
    conn: Store,
    *,
    upn: str | None,
    options: LetterOptions,
    settings: Settings,
    officer: str,
) -> list[Preview]:
    """The letters ``generate`` would make, as text; nothing is written or filed."""
    template, checked, letter_date = _prepare(settings, options, officer)
    if template.addressee == "school" or upn is None:
        planned = _plan_school(
            conn,
            template=template,
            options=options,
            settings=settings,
            officer=officer,
            letter_date=letter_date,
        )
    else:
        planned = _plan_one_pupil(
            conn,
            upn=upn,
            template=template,
            options=options,
            settings=settings,
            officer=officer,
            letter_date=letter_date,
        )
    return [
        Preview(p.addressee, p.file_name, document_text(render_docx(checked, p.context)))
        for p in planned
    ]


# ------------------------------------------------------------------------------- writing


def _private_dir(path: Path) -> None:
    if not path.exists():
        path.mkdir(mode=0o700, parents=True)
    elif not path.is_dir():
        raise FileProblemError(f"{path} is not a folder", hint="Give a folder with --out.")


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _description(template: Template, addressee: str) -> str:
    what = "Warning letter" if template.counts_as_warning else "Letter"
    return (
        f"{what} sent to {addressee}: {template.title} "
        f"(template {template.name}, version {template.version})"
    )


def _make(
    conn: Store,
    *,
    database: Path,
    template: Template,
    checked: CheckedTemplate,
    planned: list[PlannedLetter],
    letter_date: dt.date,
    out_dir: Path,
    force: bool,
    pdf: bool,
    officer: str,
    batch: str | None,
    skipped: list[Skipped],
) -> LetterRun:
    run = LetterRun(
        template.name, template.version, letter_date, out_dir, skipped=skipped, batch=batch
    )
    for letter in planned:  # render everything first: any failure stops before a write
        letter.data = render_docx(checked, letter.context)
    targets = [out_dir / p.file_name for p in planned]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        raise RefusedError(
            f"{existing[0]} already exists"
            + (f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""),
            hint="Give --force to replace, or another --out folder.",
        )
    if not planned:
        return run
    _private_dir(out_dir)
    store = sources.document_store(database)
    to_file = []
    partials: list[Path] = []
    stored: list[Path] = []  # new files in the document store, removed if recording fails
    try:
        for letter, target in zip(planned, targets, strict=True):
            sha256, new = sources.store_bytes(store, letter.data)
            if new:
                stored.append(store / sha256)
            partial = target.with_name(f".{target.name}.partial")
            _write_private(partial, letter.data)
            partials.append(partial)
            to_file.append(
                sources.LetterToFile(
                    pupil_id=letter.pupil.id if letter.pupil else None,
                    upn=letter.pupil.upn if letter.pupil else None,
                    school_id=letter.school.id,
                    template=template.name,
                    template_version=template.version,
                    template_sha256=template.sha256,
                    addressee=letter.addressee,
                    addressee_key=letter.addressee_key,
                    letter_date=letter.letter_date,
                    file_name=letter.file_name,
                    sha256=sha256,
                    bytes=len(letter.data),
                    description=_description(template, letter.addressee),
                    file_in_case=letter.pupil is not None,
                )
            )
        ids = sources.file_letters(conn, to_file, officer=officer, batch=batch, force=force)
    except BaseException:
        for path in [*partials, *stored]:
            path.unlink(missing_ok=True)
        raise
    for partial, target in zip(partials, targets, strict=True):
        os.replace(partial, target)
    for letter, target, record, (letter_id, document_id) in zip(
        planned, targets, to_file, ids, strict=True
    ):
        run.letters.append(
            MadeLetter(
                letter_id=letter_id,
                document_id=document_id,
                upn=record.upn,
                pupil=letter.pupil.name if letter.pupil else None,
                school_laestab=letter.school.laestab,
                school_name=letter.school.name,
                addressee=letter.addressee,
                template=template.name,
                template_version=template.version,
                letter_date=letter.letter_date,
                path=target,
                pdf_path=None,
                sha256=record.sha256,
                bytes=record.bytes,
            )
        )
    if pdf:
        from attendance_cli.letters.pdf import convert_to_pdf

        made, run.pdf_note = convert_to_pdf(targets, out_dir)
        for item in run.letters:
            item.pdf_path = made.get(item.path)
    return run


def _refuse_duplicates(
    conn: Store, template: Template, planned: list[PlannedLetter]
) -> list[tuple[PlannedLetter, int]]:
    found = []
    for letter in planned:
        earlier = sources.already_sent(
            conn,
            pupil_id=letter.pupil.id if letter.pupil else None,
            school_id=letter.school.id,
            template=template.name,
            addressee_key=letter.addressee_key,
            letter_date=letter.letter_date,
        )
        if earlier is not None:
            found.append((letter, earlier))
    return found


def generate_letters(
    conn: Store,
    *,
    database: Path,
    upn: str | None,
    options: LetterOptions,
    settings: Settings,
    out_dir: Path,
    officer: str,
    force: bool = False,
    pdf: bool = True,
) -> LetterRun:
    """The letters of one template for one pupil (one per parent), or a school's letter
    (``upn`` None, a template addressed to a school, ``options.school``)."""
    template, checked, letter_date = _prepare(settings, options, officer)
    if upn is None:
        planned = _plan_school(
            conn,
            template=template,
            options=options,
            settings=settings,
            officer=officer,
            letter_date=letter_date,
        )
    else:
        planned = _plan_one_pupil(
            conn,
            upn=upn,
            template=template,
            options=options,
            settings=settings,
            officer=officer,
            letter_date=letter_date,
        )
    duplicates = _refuse_duplicates(conn, template, planned)
    if duplicates and not force:
        letter, earlier = duplicates[0]
        raise RefusedError(
            f"Letter {earlier} already went to {letter.addressee} from template {template.name} "
            f"on {letter.letter_date.isoformat()}",
            hint="Give --force to make and file it again.",
        )
    return _make(
        conn,
        database=database,
        template=template,
        checked=checked,
        planned=planned,
        letter_date=letter_date,
        out_dir=out_dir,
        force=force,
        pdf=pdf,
        officer=officer,
        batch=None,
        skipped=[],
    )


def generate_bulk(
    conn: Store,
    *,
    database: Path,
    school: str,
    options: LetterOptions,
    settings: Settings,
    out_dir: Path,
    officer: str,
    severe_only: bool = False,
    not_since_weeks: int | None = None,
    force: bool = False,
    pdf: bool = True,
) -> LetterRun:
    """Letters to the parents of every persistently (or, ``severe_only``, severely) absent
    pupil of the school in the TSM pack's period, leaving out pupils with a letter (any case
    document of kind ``letter``) dated in the last ``not_since_weeks`` weeks. Pupils who cannot
    be written to are skipped and listed; the run also writes one combined document for
    printing and a CSV list of what was made and skipped."""
    template, checked, letter_date = _prepare(settings, options, officer)
    if template.addressee == "school":
        raise UsageError(
            f"Template {template.name} is a letter to the school: leave out --persistent/--severe"
        )
    if not_since_weeks is not None and not 1 <= not_since_weeks <= 520:
        raise UsageError(f"--not-since-weeks {not_since_weeks} is out of range (1 to 520)")
    pack = sources.tsm_pack(
        conn,
        school=school,
        term=options.term,
        year=options.year,
        start=options.start,
        end=options.end,
    )
    school_ref = sources.find_school(conn, pack.school["laestab"])
    period = sources.make_period(pack.period["from"], pack.period["to"], pack.period["label"])
    stem = f"{letter_date.isoformat()}_{template.name}_{school_ref.laestab}"
    combined_path, list_path = out_dir / f"{stem}_all-letters.docx", out_dir / f"{stem}_list.csv"
    for target in (combined_path, list_path):
        if target.exists() and not force:  # checked before any letter is made
            raise RefusedError(f"{target} already exists", hint="Give --force to replace it.")
    bands = ("severe",) if severe_only else ("severe", "persistent")
    store = sources.document_store(database)
    since = letter_date - dt.timedelta(weeks=not_since_weeks) if not_since_weeks else None
    planned: list[PlannedLetter] = []
    skipped: list[Skipped] = []
    for entry in pack.pupils:
        if entry.band not in bands:
            continue
        pupil = sources.find_pupil(conn, entry.upn)
        if since is not None:
            recent = [
                d for d in sources.letter_dates(conn, pupil.upn, store) if since < d <= letter_date
            ]
            if recent:
                skipped.append(
                    Skipped(pupil.upn, pupil.name, f"a letter dated {max(recent).isoformat()}")
                )
                continue
        enrolment = _pupil_enrolment(conn, pupil, school_ref.laestab)
        try:
            letters = _plan_pupil(
                conn,
                pupil=pupil,
                template=template,
                options=options,
                settings=settings,
                officer=officer,
                letter_date=letter_date,
                enrolment=enrolment,
                school=school_ref,
                period=period,
                entry=entry,
            )
        except (RefusedError, NotFoundError) as exc:
            skipped.append(Skipped(pupil.upn, pupil.name, exc.message))
            continue
        for letter, earlier in _refuse_duplicates(conn, template, letters):
            if not force:
                skipped.append(
                    Skipped(
                        pupil.upn,
                        pupil.name,
                        f"letter {earlier} to {letter.addressee} already made",
                    )
                )
                letters.remove(letter)
        planned += letters
    batch = f"{letter_date.isoformat()}-{template.name}-{uuid.uuid4().hex[:8]}"
    run = _make(
        conn,
        database=database,
        template=template,
        checked=checked,
        planned=planned,
        letter_date=letter_date,
        out_dir=out_dir,
        force=force,
        pdf=pdf,
        officer=officer,
        batch=batch,
        skipped=skipped,
    )
    if run.letters:
        run.combined = combined_path
        _write_combined(
            run.combined,
            [m.path for m in run.letters],
            force=force,
            compose=checked.placeholders_outside_body,
        )
        if pdf and run.pdf_note is None:
            from attendance_cli.letters.pdf import convert_to_pdf

            made, run.pdf_note = convert_to_pdf([run.combined], out_dir)
            run.combined_pdf = made.get(run.combined)
    _private_dir(out_dir)
    run.csv = list_path
    _write_list(run.csv, run, force=force)
    return run


def _replace_into(target: Path, data: bytes, *, force: bool) -> None:
    if target.exists() and not force:
        raise RefusedError(f"{target} already exists", hint="Give --force to replace it.")
    partial = target.with_name(f".{target.name}.partial")
    try:
        _write_private(partial, data)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _write_combined(target: Path, paths: list[Path], *, force: bool, compose: bool) -> None:
    """One document holding every letter, each starting on a new page. Letters of one template
    share its styles, numbering, headers and footers, so when a letter's body refers to no
    other part (no image or link: no relationship id) and the template has no placeholder in a
    header, footer or footnote, its paragraphs are copied as they are; otherwise (``compose``)
    docxcompose appends it, carrying its images, styles and parts across (about 0.1 s a
    letter against 0.01 s)."""
    import copy
    import io

    from docx import Document
    from docx.enum.text import WD_BREAK

    master = Document(str(paths[0]))
    composer = None
    body = master.element.body
    for path in paths[1:]:
        master.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        document = Document(str(path))
        if compose or _refers_to_parts(document):
            if composer is None:
                from docxcompose.composer import Composer

                composer = Composer(master)
            composer.append(document)
            continue
        section = body.sectPr
        for element in document.element.body:
            if element.tag.endswith("}sectPr"):
                continue
            if section is not None:
                section.addprevious(copy.deepcopy(element))
            else:
                body.append(copy.deepcopy(element))
    buffer = io.BytesIO()
    (composer.save if composer is not None else master.save)(buffer)
    _replace_into(target, buffer.getvalue(), force=force)


_RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _refers_to_parts(document: Any) -> bool:
    """Whether the body's content (its section properties aside) uses a relationship: an
    image, a link, an embedded object."""
    for child in document.element.body:
        if child.tag.endswith("}sectPr"):
            continue
        for element in child.iter():
            if any(name.startswith("{" + _RELATIONSHIPS_NS + "}") for name in element.attrib):
                return True
    return False


LIST_COLUMNS = [
    "status",
    "letter_id",
    "document_id",
    "upn",
    "pupil",
    "addressee",
    "template",
    "template_version",
    "letter_date",
    "file",
    "pdf",
    "sha256",
    "reason",
]


def run_rows(run: LetterRun) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "status": "made",
            "letter_id": m.letter_id,
            "document_id": m.document_id,
            "upn": m.upn,
            "pupil": m.pupil,
            "addressee": m.addressee,
            "template": m.template,
            "template_version": m.template_version,
            "letter_date": m.letter_date,
            "file": m.path.name,
            "pdf": m.pdf_path.name if m.pdf_path else None,
            "sha256": m.sha256,
            "reason": None,
        }
        for m in run.letters
    ]
    rows += [
        {
            "status": "skipped",
            "letter_id": None,
            "document_id": None,
            "upn": s.upn,
            "pupil": s.pupil,
            "addressee": None,
            "template": run.template,
            "template_version": run.template_version,
            "letter_date": run.letter_date,
            "file": None,
            "pdf": None,
            "sha256": None,
            "reason": s.reason,
        }
        for s in run.skipped
    ]
    return rows


def _write_list(target: Path, run: LetterRun, *, force: bool) -> None:
    _replace_into(
        target, sources.csv_text(run_rows(run), LIST_COLUMNS).encode("utf-8"), force=force
    )


# -------------------------------------------------------------------------------- history


def letter_history(
    conn: Store, *, upn: str | None = None, school: str | None = None
) -> list[sources.LetterRow]:
    pupil_id = sources.find_pupil(conn, upn).id if upn else None
    school_id = sources.find_school(conn, school).id if school else None
    return sources.list_letters(conn, pupil_id=pupil_id, school_id=school_id)


# --------------------------------------------------------------------- a notice's own copy

NOTICE_TEMPLATE = "penalty-notice"


@dataclass(frozen=True)
class NoticeCopy:
    """What making a penalty notice's copy needs beyond the database: the settings (the LA's
    details, and ``[letters] templates``, whose ``penalty-notice.docx`` replaces the built-in
    one) and the case document store folder (``config.document_store``)."""

    settings: Settings
    store: Path


@dataclass(frozen=True)
class FiledCopy:
    letter_id: int
    document_id: int
    sha256: str
    template_version: str


def check_notice_template(copy: NoticeCopy) -> tuple[Template, CheckedTemplate]:
    """The penalty-notice template, checked, and every setting it uses set: called before the
    notice is written, so a template or settings problem refuses the notice with nothing
    recorded."""
    from attendance_cli.errors import AttError

    try:
        template, checked = _checked(copy.settings, LetterOptions(template=NOTICE_TEMPLATE))
        merge.check_fields_available(
            checked.analysis.used,
            addressee=template.addressee,
            template=template.name,
            settings=copy.settings,
            provided={"notice"},
        )
    except AttError as exc:
        exc.hint = (
            f"{exc.hint} Nothing was recorded: recording a notice files its copy, made from "
            "this template. If the LA issues its notices from another system, record it with "
            "--no-copy REASON."
        ).strip()
        raise
    return template, checked


def file_notice_copy(conn: Store, *, notice_id: int, copy: NoticeCopy, officer: str) -> FiledCopy:
    """Render penalty notice ``notice_id`` from the penalty-notice template and file it in the
    pupil's case (a case document of kind ``letter`` dated the issue day, and its ``letter``
    row with batch ``store.letters.notice_copy_batch``), INSIDE the caller's transaction:
    ``cases.penalty`` calls this in the block that writes the notice, so the notice and its copy
    commit together or not at all.

    Every figure comes from the notice's record (``cases.penalty.get_penalty_notice``: the
    amounts and the pay-by days ``att penalty list`` shows, counted from receipt by
    ``cases.served``). The copy is addressed to the parent on the notice: the recorded contact
    (with their address), or the name alone for a parent not on record. The bytes go into the
    content-addressed document store before the rows; if filing fails they are removed (when
    new), and a kill between the two leaves only unreferenced bytes named by their hash, never a
    row."""
    from attendance_cli.cases.case import latest_case
    from attendance_cli.cases.penalty import get_penalty_notice
    from attendance_cli.settings import improvement_weeks
    from attendance_cli.store.letters import notice_copy_batch

    template, checked = check_notice_template(copy)
    notice = get_penalty_notice(conn, notice_id)
    pupil = sources.find_pupil(conn, notice.upn)
    enrolment = _pupil_enrolment(conn, pupil, notice.schools[0] if notice.schools else None)
    school = sources.school_by_id(conn, enrolment.school_id)
    figures: dict[str, Any] = dict.fromkeys(merge.FIELDS["figures"], "")
    figures["unauthorised"] = len(notice.sessions)
    period = sources.make_period(
        notice.offence_from or notice.issued, notice.offence_to or notice.issued, ""
    )
    try:
        if notice.offence_from is None or notice.offence_to is None:
            period = sources.school_period(
                conn, school.id, term=None, year=None, start=None, end=None
            )
        entry = sources.pupil_figures(
            conn, enrolment_id=enrolment.enrolment_id, school_id=school.id, period=period
        )
        figures = merge.figures_context(
            entry, start=period.start, end=period.end, label=period.label
        )
    except NotFoundError:  # a notice recorded (--force) before any register marks: no figures
        pass
    contact = next(
        (c for c in sources.pupil_contacts(conn, pupil.id) if c.id == notice.contact_id), None
    )
    day = notice.issued
    context = _parent_context(
        conn,
        pupil=pupil,
        parent_name=notice.parent_name,
        relationship=contact.relationship if contact else None,
        address=contact.address if contact else None,
        template=template,
        settings=copy.settings,
        officer=officer,
        day=day,
        enrolment=enrolment,
        school=school,
        figures=figures,
        weeks=improvement_weeks(copy.settings),
        options=LetterOptions(template=NOTICE_TEMPLATE),
    )
    context["notice"] = _notice_context(notice, figures, period)
    data = render_docx(checked, context)
    sha256, new = sources.store_bytes(copy.store, data)
    try:
        ((letter_id, document_id),) = sources.file_letters(
            conn,
            [
                sources.LetterToFile(
                    pupil_id=pupil.id,
                    upn=pupil.upn,
                    school_id=school.id,
                    template=template.name,
                    template_version=template.version,
                    template_sha256=template.sha256,
                    addressee=notice.parent_name,
                    addressee_key=sources.parent_key(notice.parent_name),
                    letter_date=day,
                    file_name=f"{day.isoformat()}_{template.name}-{notice.id}_{pupil.upn}_"
                    f"{_slug(notice.parent_name)}.docx",
                    sha256=sha256,
                    bytes=len(data),
                    description=f"Penalty notice {notice.id} to {notice.parent_name}, as issued "
                    f"(template {template.name}, version {template.version})",
                    file_in_case=True,
                    on=day,
                    # the notice's case; a notice recorded already paid or withdrawn with no
                    # case open: the pupil's latest case (a case is opened only if none exists)
                    case_id=notice.case_id or latest_case(conn, pupil.id),
                )
            ],
            officer=officer,
            batch=notice_copy_batch(notice.id),
            force=True,  # the notice is the copy's identity, not (parent, template, date)
        )
    except BaseException:
        if new:
            (copy.store / sha256).unlink(missing_ok=True)
        raise
    assert document_id is not None
    return FiledCopy(letter_id, document_id, sha256, template.version)
