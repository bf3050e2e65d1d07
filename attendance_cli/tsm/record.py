"""Recording a Targeting Support Meeting: the meeting, and what was agreed in it.

``record_tsm`` creates the meeting and, from a TSM pack workbook filled in during the meeting
(``tsm.workbook``: the **Actions** sheet), records in ONE transaction every agreed action, lead
practitioner and barriers note, each dated by the meeting (the day it was agreed; when att
recorded it is kept beside it). Each Actions row is read as:

* all of Barriers, Agreed action, Action kind, Owner, Lead practitioner, Agency and Review date
  blank: nothing was agreed for that pupil; the row is skipped;
* **Agreed action** or **Action kind**: an action (both needed) with Owner, Review date (its due
  date, on or after the meeting) and Agency (the agency of the action, and of the lead);
* **Lead practitioner**: the case's lead practitioner (needs Agency) when it differs from the
  current one;
* **Barriers**: a case note "Barriers (TSM DATE): ...".

Rows that cannot be read are reported by their row number and column; unless ``skip_invalid``
nothing at all is written when any row is invalid. Running again is safe: the same workbook
(same SHA-256, as noted in the audit log) is refused, and a corrected one for the same school and
day adds to that day's meeting only what is not recorded yet (an identical action of that
meeting, the same barriers note or the current lead practitioner is not written twice), so fixing
the rows ``--skip-invalid`` passed over and running again records just those.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attendance_cli.cases import kinds
from attendance_cli.errors import InvalidInputError, Problem, RefusedError
from attendance_cli.identifiers import normalise_upn
from attendance_cli.store import cases as stored
from attendance_cli.store.connection import Store
from attendance_cli.store.conversions import to_date
from attendance_cli.tsm.workbook import ACTIONS_FILL_IN

if TYPE_CHECKING:
    from attendance_cli.store import Store
    from attendance_cli.store.registers import Pupil

FILL_IN = ACTIONS_FILL_IN  # the columns the meeting fills in (tsm.workbook writes them)
EXCEL_EPOCH = dt.date(1899, 12, 30)
EXCEL_SERIALS = (36526, 73051)  # 1 Jan 2000 to 31 Dec 2099
_FORMULA_GUARD = ("'=", "'+", "'-", "'@", "'\t", "'\r")


@dataclass
class PlannedRow:
    row: int
    upn: str
    barriers: str | None
    action: str | None
    kind: str | None
    owner: str | None
    lead: str | None
    agency: str | None
    due: dt.date | None


@dataclass
class WorkbookActions:
    laestab: str | None
    sha256: str
    rows: list[PlannedRow]
    blank_rows: int
    problems: list[Problem] = field(default_factory=list)


@dataclass
class TsmRecord:
    meeting_id: int
    school: dict[str, str]
    date: dt.date
    attendees: list[str]
    actions_recorded: int = 0
    action_ids: list[int] = field(default_factory=list)
    leads_set: int = 0
    notes_added: int = 0
    cases_opened: int = 0
    rows_without_agreement: int = 0
    rows_skipped: list[int] = field(default_factory=list)
    rows_already_recorded: list[int] = field(default_factory=list)
    meeting_reused: bool = False
    problems: list[Problem] = field(default_factory=list)
    workbook_sha256: str | None = None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith(_FORMULA_GUARD):  # our own guard against formula injection: undo it
        text = text[1:]
    return text or None


def _date(value: Any) -> dt.date | None:
    """A date cell of the filled-in workbook: a date, Excel's day number, or text in one of
    the forms officers type."""
    if value is None or value == "" or isinstance(value, dt.date):
        return to_date(value)  # a datetime's day, a date as it is, an empty cell as None
    if isinstance(value, int | float) and not isinstance(value, bool):
        # a date typed into a cell without date formatting: Excel's day number (1900 system)
        if float(value).is_integer() and EXCEL_SERIALS[0] <= value <= EXCEL_SERIALS[1]:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(str(value))
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def read_workbook_actions(path: Path, *, meeting_date: dt.date) -> WorkbookActions:
    """Read and check the Actions sheet of a filled-in TSM pack (nothing is written)."""
    import python_calamine

    from attendance_cli.registers.readers import check_zip

    if not path.is_file():
        raise InvalidInputError(f"No such file: {path}", hint="Check the workbook's path.")
    size = path.stat().st_size
    check_zip(path, size)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        if "Actions" not in names or "Lists" not in names:
            raise InvalidInputError(
                f"{path.name} is not a TSM pack: it has no Actions sheet",
                file=path.name,
                hint="Use the workbook written by `att tsm prepare --output pack.xlsx`.",
            )
        lists = workbook.get_sheet_by_name("Lists").to_python()
        actions = workbook.get_sheet_by_name("Actions").to_python(skip_empty_area=False)
        summary = workbook.get_sheet_by_name("Summary").to_python() if "Summary" in names else []
    except InvalidInputError:
        raise
    except Exception as exc:  # calamine's own errors for damaged or encrypted files
        raise InvalidInputError(
            f"{path.name} could not be read as a workbook ({type(exc).__name__})",
            file=path.name,
            hint="If it is password-protected, remove the password in Excel and save again.",
        ) from None
    if not (lists and len(lists[0]) > 5 and _text(lists[0][5]) == "att TSM pack format"):
        raise InvalidInputError(
            f"{path.name} is not a TSM pack written by att",
            file=path.name,
            hint="Use the workbook written by `att tsm prepare --output pack.xlsx`.",
        )
    laestab = next(
        (_text(row[1]) for row in summary if len(row) > 1 and _text(row[0]) == "LAESTAB"), None
    )
    if not actions:
        raise InvalidInputError(f"{path.name}: the Actions sheet is empty", file=path.name)
    header = [_text(v) or "" for v in actions[0]]
    column = {name: index for index, name in enumerate(header) if name}
    absent = [name for name in ("UPN", *FILL_IN) if name not in column]
    if absent:
        raise InvalidInputError(
            f"{path.name}: the Actions sheet has no column {', '.join(absent)}",
            file=path.name,
            hint="Keep the Actions sheet's header row as att wrote it.",
        )

    result = WorkbookActions(laestab=laestab, sha256=digest, rows=[], blank_rows=0)
    for number, raw in enumerate(actions[1:], start=2):

        def cell(name: str, raw: list[Any] = raw) -> Any:
            index = column[name]
            return raw[index] if index < len(raw) else None

        filled = {name: _text(cell(name)) for name in FILL_IN if name != "Review date"}
        due_value = cell("Review date")
        upn_text = _text(cell("UPN"))
        if not any(filled.values()) and due_value in (None, ""):
            if upn_text:
                result.blank_rows += 1
            continue
        problems: list[Problem] = []
        pupil = " ".join(
            n for n in (_text(cell("Forename")), _text(cell("Surname"))) if n
        )  # the row's pupil, as the pack wrote it, so each problem says whose row it is

        def problem(
            col: str,
            message: str,
            hint: str = "",
            number: int = number,
            sink: list[Problem] = problems,
            who: str = pupil,
        ) -> None:
            sink.append(
                Problem(path.name, number, col, f"{who}: {message}" if who else message, hint)
            )

        upn = ""
        try:
            upn = normalise_upn(upn_text or "")
        except Exception:  # noqa: BLE001 - any malformed UPN is one row problem
            problem(
                "UPN",
                f"{upn_text!r} is not a UPN" if upn_text else "no UPN",
                "Give the pupil's UPN.",
            )
        kind = filled["Action kind"]
        if kind is not None:
            found = kinds.normalise_choice(kind, kinds.KINDS)
            if found is None:
                problem("Action kind", f"{kind!r} is not a kind of action", KIND_CHOICES)
            elif found in kinds.RECORDED_ELSEWHERE:
                problem(
                    "Action kind",
                    f"a {found} is recorded with its own command, which applies its rules",
                    f"Use `{kinds.RECORDED_ELSEWHERE[found]}`.",
                )
                found = None
            kind = found
        action = filled["Agreed action"]
        if action and not filled["Action kind"]:
            problem("Action kind", "an agreed action needs its kind", KIND_CHOICES)
        if filled["Action kind"] and not action:
            problem("Agreed action", "say what was agreed", "Describe the action.")
        agency = filled["Agency"]
        if agency is not None:
            found_agency = kinds.normalise_choice(agency, kinds.AGENCIES)
            if found_agency is None:
                problem("Agency", f"{agency!r} is not an agency", AGENCY_CHOICES)
            agency = found_agency
        if filled["Lead practitioner"] and not filled["Agency"]:
            problem("Agency", "a lead practitioner needs an agency", AGENCY_CHOICES)
        due = None
        try:
            due = _date(due_value)
        except ValueError:
            problem(
                "Review date",
                f"{_text(due_value)!r} is not a date",
                "Use a date like 30/11/2025 or 2025-11-30.",
            )
        if due is not None and due < meeting_date:
            problem(
                "Review date",
                f"review date {due:%d/%m/%Y} is before the meeting ({meeting_date:%d/%m/%Y})",
                "Give a date on or after the meeting.",
            )
        if due is not None and not action and not filled["Action kind"]:
            problem("Agreed action", "a review date with no agreed action", "Describe the action.")
        if filled["Owner"] and not action and not filled["Action kind"]:
            problem("Agreed action", "an owner with no agreed action", "Describe the action.")
        if filled["Agency"] and not (
            action or filled["Action kind"] or filled["Lead practitioner"]
        ):
            problem(
                "Agency",
                "an agency with no agreed action or lead practitioner",
                "Fill in the action or the lead practitioner it belongs to.",
            )
        if problems:
            result.problems.extend(problems)
            continue
        result.rows.append(
            PlannedRow(
                row=number,
                upn=upn,
                barriers=filled["Barriers"],
                action=action,
                kind=kind,
                owner=filled["Owner"],
                lead=filled["Lead practitioner"],
                agency=agency,
                due=due,
            )
        )
    return result


KIND_CHOICES = "Choose one of: " + ", ".join(kinds.AGREEABLE_KINDS) + "."
AGENCY_CHOICES = "Choose one of: " + ", ".join(kinds.AGENCIES) + "."


def record_tsm(
    store: Store,
    *,
    school: str,
    date: dt.date,
    officer: str,
    attendees: list[str] | None = None,
    workbook: Path | None = None,
    skip_invalid: bool = False,
    today: dt.date | None = None,
) -> TsmRecord:
    """Create the meeting and (from ``workbook``) everything agreed in it, in one transaction."""
    from attendance_cli.cases import case, meetings
    from attendance_cli.cases.audit import record_audit
    from attendance_cli.store import LOCK_MEETING_WORKBOOKS, writing
    from attendance_cli.store.registers import find_school

    today = today or dt.date.today()
    if date > today:
        raise InvalidInputError(
            f"The meeting date {date.isoformat()} is in the future",
            hint="Record a meeting once it has taken place (--date).",
        )
    ref = find_school(store, school)
    names = [a.strip() for a in attendees or [] if a.strip()]
    planned: WorkbookActions | None = None
    pupils: dict[str, Pupil] = {}
    problems: list[Problem] = []
    if workbook is not None:
        planned = read_workbook_actions(workbook, meeting_date=date)
        if planned.laestab and planned.laestab != ref.laestab:
            raise RefusedError(
                f"{workbook.name} is the pack of school {planned.laestab}, not of "
                f"{ref.name} ({ref.laestab})",
                hint="Check --school, or use that school's pack.",
            )
        _refuse_recorded_workbook(store, planned.sha256, workbook.name)
        problems = list(planned.problems)
        kept = []
        for row in planned.rows:
            try:
                pupils[row.upn] = case.find_pupil(store, row.upn)
                kept.append(row)
            except Exception:  # noqa: BLE001 - NotFoundError: reported as a row problem
                problems.append(
                    Problem(
                        workbook.name,
                        row.row,
                        "UPN",
                        f"no pupil with UPN {row.upn} in the database",
                        "Check the UPN or import the school's roster first.",
                    )
                )
        planned.rows = kept
        if problems and not skip_invalid:
            problems.sort(key=lambda p: p.row or 0)
            raise InvalidInputError(
                f"{workbook.name}: {len({p.row for p in problems})} row(s) of the Actions sheet "
                "could not be read; nothing was recorded",
                file=workbook.name,
                problems=problems,
                hint="Correct the rows and run again, or add --skip-invalid to record the others.",
            )

    result = TsmRecord(
        meeting_id=0,
        school={"laestab": ref.laestab, "name": ref.name},
        date=date,
        attendees=names,
        problems=sorted(problems, key=lambda p: p.row or 0),
        rows_skipped=sorted({p.row for p in problems if p.row is not None}),
        workbook_sha256=planned.sha256 if planned else None,
    )
    # refuse a workbook already recorded, then record it: no other run in between
    with writing(store, LOCK_MEETING_WORKBOOKS):
        existing = None
        if planned is not None:
            assert workbook is not None
            _refuse_recorded_workbook(store, planned.sha256, workbook.name)  # a run in between
            existing = stored.tsm_meeting_on(store, school_id=ref.id, date=date)
        if existing is not None:
            result.meeting_id, result.meeting_reused = existing, True
        else:
            result.meeting_id = meetings.insert_meeting(
                store, ref.id, date, "tsm", names, officer, ref.laestab
            )
        if planned is not None:
            workbook_id = stored.insert_meeting_workbook(
                store,
                meeting_id=result.meeting_id,
                sha256=planned.sha256,
                file_name=workbook.name if workbook else None,
                officer=officer,
            )
            record_audit(
                store,
                officer=officer,
                action="record_meeting_workbook",
                entity="meeting",
                entity_id=result.meeting_id,
                upn=None,
                row=("meeting_workbook", workbook_id),
                detail={
                    "workbook_sha256": planned.sha256,
                    "file_name": workbook.name if workbook else None,
                },
            )
            result.rows_without_agreement = planned.blank_rows
            for row in planned.rows:
                _record_row(store, row, pupils[row.upn], result, date, officer)
    return result


def _refuse_recorded_workbook(store: Store, sha256: str, name: str) -> None:
    earlier = stored.meeting_of_workbook(store, sha256)
    if earlier is not None:
        raise RefusedError(
            f"{name} was already recorded (meeting {earlier})",
            hint="Add further actions with `att case add-action`, or record a changed workbook.",
        )


def _record_row(
    store: Store,
    row: PlannedRow,
    pupil: Any,
    result: TsmRecord,
    date: dt.date,
    officer: str,
) -> None:
    from attendance_cli.cases import actions, case, leads, notes

    open_id = case.open_case(store, pupil.id)
    note = f"Barriers (TSM {date.isoformat()}): {row.barriers}" if row.barriers else None
    lead = leads.current_lead(store, open_id) if open_id is not None else None
    new_note = note is not None and not (
        open_id is not None and stored.note_exists(store, case_id=open_id, text=note)
    )
    new_lead = bool(row.lead and row.agency) and (
        lead is None or (lead.name, lead.agency) != (row.lead, row.agency)
    )
    new_action = bool(row.action and row.kind) and not (
        open_id is not None
        and stored.same_action_exists(
            store,
            case_id=open_id,
            meeting_id=result.meeting_id,
            kind=row.kind or "",
            description=row.action or "",
            due=row.due,
            owner=row.owner,
            agency=row.agency,
        )
    )
    if not (new_note or new_lead or new_action):
        result.rows_already_recorded.append(row.row)
        return
    # everything agreed in the meeting happened on the meeting's date
    case_id = case.ensure_open_case(store, pupil, officer, on=date)
    result.cases_opened += 0 if open_id is not None else 1
    if new_note and note is not None:
        notes.insert_note(store, case_id, note, officer, pupil.upn, on=date)
        result.notes_added += 1
    if new_lead and row.lead and row.agency:
        leads.insert_lead(
            store, case_id, row.lead, row.agency, None, None, officer, pupil.upn, on=date
        )
        result.leads_set += 1
    if new_action and row.action and row.kind:
        action_id = actions.insert_action(
            store,
            case_id,
            row.kind,
            row.action,
            row.owner,
            row.agency,
            row.due,
            result.meeting_id,
            officer,
            pupil.upn,
            on=date,
        )
        result.action_ids.append(action_id)
        result.actions_recorded += 1
