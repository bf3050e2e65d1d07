"""The officer's draft witness statement for a prosecution (Criminal Justice Act 1967 s.9).

Built from a bundle's already redacted content (``referrals.content``): the heading with the
witness's name and occupation (``[officer] name``/``job_title`` and ``[la] name`` from the
settings), the s.9 declaration, then the statement in the first person in the order things
happened (the chronology's dates), citing each exhibit by its label (``JO/1``) where the
document comes in, and signature and date lines. The facts and sources are in
``docs/domain/prosecution-file.md``. ``referrals.pdf`` prints it and ``referrals.bundle`` adds
it as ``witness-statement.docx`` for the officer to edit and sign.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from attendance_cli.text import plural, uk_date

if TYPE_CHECKING:
    from attendance_cli.referrals.content import BundleContent

TITLE = "Witness statement"
AUTHORITY = (
    "Criminal Justice Act 1967, s.9; Magistrates' Courts Act 1980, s.5B; "
    "Criminal Procedure Rules 2020, r.16.4"
)
DECLARATION = (
    "This statement (consisting of ____ page(s) each signed by me) is true to the best of my "
    "knowledge and belief and I make it knowing that, if it is tendered in evidence, I shall be "
    "liable to prosecution if I have wilfully stated in it anything which I know to be false, "
    "or do not believe to be true."
)
DRAFT_NOTE = "DRAFT — to be checked, completed and signed by the witness before it is served."
BLANK = "________________"


def initials(name: str) -> str:
    """The exhibit reference of a witness: the first letter of each word of their name
    (``Jo Officer`` -> ``JO``; ``Mary-Jane O'Neill`` -> ``MJO``); ``X`` when there is none."""
    words = [w for w in re.split(r"[\s\-]+", name.strip()) if w]
    letters = "".join(next((ch for ch in w if ch.isalpha()), "") for w in words)
    return letters.upper() or "X"


@dataclass(frozen=True)
class WitnessStatement:
    witness: str
    occupation: str
    paragraphs: list[str]
    cited: list[str] = field(default_factory=list)  # exhibit labels, in the order first cited

    @property
    def heading(self) -> list[tuple[str, str]]:
        return [
            ("Statement of", self.witness or BLANK),
            ("Age if under 18", "over 18"),
            ("Occupation", self.occupation or BLANK),
        ]


_EVENT = {
    "case_opened": "the local authority opened a case for {child}",
    "case_closed": "the case was closed",
    "case_reopened": "the case was reopened",
}


def _officer_words(summary: str, officer: str, witness: str) -> str:
    """``... by Jo`` as ``by me`` when Jo is the witness."""
    for who in {officer, witness} - {""}:
        summary = re.sub(rf"\bby {re.escape(who)}$", "by me", summary)
    return summary


def build_witness_statement(
    content: BundleContent, *, witness: str, occupation: str, la_name: str
) -> WitnessStatement:
    """The draft statement: who the witness is, the child and school(s), the figures for the
    period, then each chronology entry dated as it happened, citing the exhibits."""
    case_file = content.case_file
    pupil = case_file.pupil
    child = pupil.name
    exhibits = {x.id: x for x in content.exhibits}
    view = case_file.view
    note_writers = {n.id: n.officer for n in view.notes}
    actions = {a.id: a for a in content.actions}  # redacted (referrals.content)
    mine = {content.officer, witness} - {""}
    cited: list[str] = []
    me = witness or content.officer
    role = occupation or "an officer"
    employer = f" employed by {la_name}" if la_name else " of the local authority"
    schools = "; ".join(f"{e.school_name}" for e in case_file.enrolments) or "no school on record"
    period = case_file.period
    paragraphs = [
        f"I am {me}, {role}{employer}. My duties include school attendance casework. I make "
        f"this statement about {child} (date of birth {uk_date(pupil.date_of_birth)}, unique "
        f"pupil number {pupil.upn}), a pupil registered at {schools}.",
        "I keep the local authority's case records for this child in the attendance "
        "database (att); entries are made at the time of the events or shortly after, and "
        "where an entry was made later the date it records is the date the event happened. "
        "What follows is taken from those records and from the school registers imported into "
        "them.",
    ]
    figures = case_file.figures
    if figures is not None and figures.possible:
        paragraphs.append(
            f"Between {uk_date(period.start)} and {uk_date(period.end)} the registers show "
            f"{plural(figures.possible, 'possible session')}, of which {child} attended "
            f"{figures.attended} ({figures.attendance_pct:.1f}%); "
            f"{plural(figures.unauthorised, 'session')} of absence were unauthorised and "
            f"{figures.authorised} authorised. The register extract for the period is in the "
            "bundle (register-extract.csv and .xlsx)."
        )
    for entry in content.chronology:
        day = uk_date(entry.date)
        kind = entry.type
        if kind in _EVENT:
            text = f"On {day} {_EVENT[kind].format(child=child)}"
            by = _officer_words(entry.summary, content.officer, witness).rsplit(" by ", 1)
            paragraphs.append(text + (f" (by {by[1]})." if len(by) == 2 else "."))
        elif kind in ("letter", "document"):
            exhibit = exhibits.get(entry.ref or 0)
            summary = entry.summary
            if exhibit is None:
                paragraphs.append(f"On {day} the case records show: {summary}.")
                continue
            if exhibit.label not in cited:
                cited.append(exhibit.label)
            what = "a letter" if kind == "letter" else f"a document ({exhibit.kind})"
            about = f", {exhibit.description}" if exhibit.description else ""
            paragraphs.append(
                f"On {day} the case records show {what}{about} ({exhibit.file_name}). I produce "
                f"it as exhibit {exhibit.label}."
            )
        elif kind == "note":
            writer = note_writers.get(entry.ref or 0)
            who = "I" if writer is None or writer in mine else writer
            paragraphs.append(f"On {day} {who} recorded: {entry.summary}")
        elif kind == "meeting":
            paragraphs.append(
                f"On {day} there was a {entry.summary[0].lower()}{entry.summary[1:]}."
            )
        elif kind == "action_agreed":
            paragraphs.append(f"On {day} this was agreed: {entry.summary.split(': ', 1)[-1]}.")
        elif kind.startswith("action_"):
            action = actions.get(entry.ref or 0)
            if action is None:
                paragraphs.append(f"On {day}: {entry.summary}.")
                continue
            ended = "completed" if kind == "action_done" else "cancelled"
            paragraphs.append(
                f"On {day} the {action.kind} agreed on {uk_date(action.agreed_on)} was {ended}: "
                f"{action.outcome}."
            )
        elif kind == "lead_practitioner":
            paragraphs.append(
                f"On {day} the lead practitioner became {entry.summary.split(': ', 1)[-1]}."
            )
        elif kind == "referral_export":
            continue  # the file itself, not an event of the case
        else:  # attendance milestones and penalty notices
            paragraphs.append(f"On {day}: {entry.summary}.")
    uncited = [x.label for x in content.exhibits if x.label not in cited]
    if uncited:  # every exhibit in the bundle is produced
        paragraphs.append(
            "I also produce the following documents from the case file: "
            + "; ".join(
                f"{x.file_name} as exhibit {x.label}"
                for x in content.exhibits
                if x.label in uncited
            )
            + "."
        )
        cited += uncited
    return WitnessStatement(
        witness=witness,
        occupation=", ".join(filter(None, [occupation, la_name])),
        paragraphs=paragraphs,
        cited=cited,
    )


def statement_docx(statement: WitnessStatement) -> bytes:
    """The statement as a Word document for the officer to edit and sign (python-docx, which
    docxtpl already brings in)."""
    from docx import Document

    document = Document()
    document.core_properties.title = TITLE
    document.add_heading(TITLE, level=1)
    document.add_paragraph(f"({AUTHORITY})")
    for label, value in statement.heading:
        document.add_paragraph(f"{label}: {value}")
    document.add_paragraph(DECLARATION)
    document.add_paragraph(f"Signature: {BLANK}    Date: {BLANK}")
    for number, text in enumerate(statement.paragraphs, start=1):
        document.add_paragraph(f"{number}. {text}")
    document.add_paragraph(f"Signature: {BLANK}    Date: {BLANK}")
    document.add_paragraph(DRAFT_NOTE)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def statement_text(statement: WitnessStatement) -> str:
    """The statement as plain text (what the tests and the PDF read)."""
    lines: list[Any] = [TITLE, f"({AUTHORITY})"]
    lines += [f"{label}: {value}" for label, value in statement.heading]
    lines += [DECLARATION, f"Signature: {BLANK}    Date: {BLANK}"]
    lines += [f"{n}. {p}" for n, p in enumerate(statement.paragraphs, start=1)]
    lines += [f"Signature: {BLANK}    Date: {BLANK}", DRAFT_NOTE]
    return "\n".join(lines)
