"""``att case note correct`` and ``att case document withdraw``: correcting a note
(rectification, the original kept) and withdrawing a document (kept, in no new bundle)."""

from __future__ import annotations

from typing import Annotated

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import OfficerOption, RecordFormatOption
from attendance_cli.exports.render import RecordFormat

document_app = typer.Typer(
    help="One case document: withdraw it (kept and listed, in no new bundle).",
    no_args_is_help=True,
)

ReasonOption = Annotated[
    str | None, typer.Option("--reason", help="Why (kept in the audit log).", show_default=False)
]


def correct_note_command(
    ctx: typer.Context,
    note_id: str,
    text: str | None,
    reason: str | None,
    officer: str | None,
    output: RecordFormat,
) -> None:
    """The body of `att case note correct NOTE_ID --text TEXT`."""
    from attendance_cli.cases.notes import correct_note
    from attendance_cli.cli import prompts
    from attendance_cli.config import officer_name
    from attendance_cli.errors import UsageError

    if not note_id.isascii() or not note_id.isdigit() or len(note_id) > 18:
        raise UsageError(
            f"{note_id!r} is not a note id", hint="att case note correct NOTE_ID --text TEXT"
        )
    prompts.require([] if text else ["--text"], command="case note correct")
    text = text or prompts.text("Corrected text of the note", required=True)
    store, _ = common.open_db(ctx)
    result = correct_note(
        store, note_id=int(note_id), text=text or "", reason=reason, officer=officer_name(officer)
    )
    data = {
        "id": result.note.id,
        "upn": result.upn,
        "text": result.note.text,
        "corrected_at": result.note.corrected_at,
        "revision_id": result.revision_id,
        "old_sha256": result.old_sha256,
        "new_sha256": result.new_sha256,
    }
    if not common.render(data, output):
        common.stdout.print(
            f"Corrected note {result.note.id} for {result.upn}; the original text is kept "
            f"(revision {result.revision_id}) and the audit log records both.",
            highlight=False,
        )


@document_app.command("withdraw")
def withdraw(
    ctx: typer.Context,
    document_id: Annotated[
        int,
        typer.Argument(
            help="The document's id.", show_default=False, min=1, max=2**63 - 1, metavar="ID"
        ),
    ],
    reason: ReasonOption = None,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Withdraw a case document: kept and listed as withdrawn, but in no new referral bundle."""
    from attendance_cli.cases.documents import withdraw_document
    from attendance_cli.cli import prompts
    from attendance_cli.config import document_store, officer_name
    from attendance_cli.exports.render import to_jsonable

    prompts.require([] if reason else ["--reason"], command="case document withdraw")
    reason = reason or prompts.text("Why is the document withdrawn", required=True)
    store, path = common.open_db(ctx)
    record = withdraw_document(
        store,
        document_id=document_id,
        reason=reason or "",
        officer=officer_name(officer),
        store=document_store(path),
    )
    data = to_jsonable(record)
    data["date"] = data.pop("document_date")
    if not common.render(data, output):
        common.stdout.print(
            f"Withdrew document {record.id} ({record.file_name}): kept in the case, "
            "left out of new referral bundles.",
            highlight=False,
            markup=False,
        )
