"""The evidence bundle for a legal referral: one zip, every file hashed in its manifest.

``build_referral_bundle`` refuses when the readiness check is not met, unless forced with a
reason (printed on the cover and recorded). The zip holds ``bundle.pdf``,
``register-extract.csv`` and ``.xlsx``, ``chronology.csv``, ``attachments/<id>-<name>`` (the
case documents, checked against the SHA-256 recorded when they were attached) and
``manifest.json``. It is written private (0600) to a temporary file in the destination folder
and flushed to disk; then its audit entry (action ``referral_export``, which also puts it in the
case chronology) is committed; only then is it renamed over the final name and the folder
flushed. An existing file at ``--out`` is replaced only with ``overwrite`` (``--overwrite``;
``--force`` is the readiness override). A prosecution bundle also holds the officer's draft
witness statement (``witness-statement.docx``, and its pages in the PDF; ``referrals.statement``)
with the exhibits labelled by the witness's initials. ``copy="court"`` makes the copy for the
court: no readiness checklist (nor the cover's readiness box, override reason or the
manifest's checklist); the legal team's copy (``legal``, the default) keeps it. A failed commit
leaves nothing at ``--out`` (an earlier
bundle there is kept); a failed rename after the commit is reported with the audit entry and
the temporary file's path. The temporary file (``files.PartialFile``) is removed on failure and
swept from the folder by the next export after a kill.

Only this child's and their parents' data go in: siblings are named by the check, never here;
a sibling's full name in free text (notes, actions, document descriptions) is replaced by
``[sibling]`` (a document's file name too), once, in ``referrals.content``. ``verify_referral_bundle`` recomputes the hashes
and, given a database, refuses a bundle whose zip and manifest are both unknown to the audit
log (a manifest rewritten to match a replaced file).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attendance_cli import __version__
from attendance_cli.errors import (
    FileProblemError,
    InvalidInputError,
    NotFoundError,
    RefusedError,
    UsageError,
)
from attendance_cli.referrals.check import check_dict, check_referral
from attendance_cli.referrals.content import gather_bundle_content
from attendance_cli.referrals.evidence import CaseFile, RegisterSession

if TYPE_CHECKING:
    from attendance_cli.store.connection import Store

MANIFEST = "manifest.json"
BUNDLE_FORMAT = "att-referral-bundle/1"
EXTRACT_COLUMNS = ["date", "session", "mark", "meaning", "category", "school_laestab"]
CHRONOLOGY_COLUMNS = ["date", "type", "summary", "ref", "recorded_at"]
COPIES = ("legal", "court")
STATEMENT_FILE = "witness-statement.docx"


@dataclass(frozen=True)
class BundleFile:
    path: str
    sha256: str
    bytes: int


@dataclass
class BundleResult:
    path: Path
    upn: str
    route: str
    period_from: dt.date
    period_to: dt.date
    ready: bool
    forced: bool
    reason: str | None
    missing_items: list[str]
    files: list[BundleFile]
    pages: int
    zip_sha256: str
    manifest_sha256: str
    generated_at: str
    audit_id: int
    transliterated: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------- helpers


def _csv(rows: list[list[Any]], columns: list[str], *, raw_columns: tuple[int, ...] = ()) -> bytes:
    """UTF-8 CSV (with BOM for Excel). Text goes through the formula-injection guard, except
    ``raw_columns``: register codes, a closed set whose only trigger character is ``-`` alone,
    which no spreadsheet reads as a formula."""
    from attendance_cli.exports.safety import neutralise

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [
                "" if v is None else (v if i in raw_columns else neutralise(v))
                for i, v in enumerate(row)
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _extract_rows(extract: list[RegisterSession]) -> list[list[Any]]:
    return [
        [s.date.isoformat(), s.session, s.mark, s.meaning, s.category, s.school_laestab]
        for s in extract
    ]


def _extract_xlsx(extract: list[RegisterSession], case_file: CaseFile) -> bytes:
    from openpyxl import Workbook

    from attendance_cli.exports.xlsx import (
        autosize_columns,
        freeze_and_filter,
        write_cell,
        write_table,
    )

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Register extract"
    last = write_table(
        sheet,
        headers=EXTRACT_COLUMNS,
        rows=([s.date, s.session, None, s.meaning, s.category, s.school_laestab] for s in extract),
    )
    for row, s in enumerate(extract, start=2):  # codes as text, unguarded (see _csv)
        cell = sheet.cell(row=row, column=3)
        cell.value = s.mark
        cell.data_type = "s"
    freeze_and_filter(sheet, header_row=1, columns=len(EXTRACT_COLUMNS), last_row=last)
    autosize_columns(sheet)
    about = workbook.create_sheet("About")
    for row, (key, value) in enumerate(
        [
            ("UPN", case_file.pupil.upn),
            ("Pupil", case_file.pupil.name),
            ("Period from", case_file.period.start),
            ("Period to", case_file.period.end),
            ("Sessions", len(extract)),
            ("Generated by", f"att {__version__}"),
        ],
        start=1,
    ):
        write_cell(about, row, 1, key, bold=True)
        write_cell(about, row, 2, value)
    autosize_columns(about)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _check_out_path(out: Path, *, overwrite: bool = False) -> Path:
    from attendance_cli.files import check_output_path

    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise InvalidInputError(
            f"{out} is not a .zip file name",
            hint="Name the bundle with .zip, e.g. --out bundle.zip.",
        )
    if out.is_dir():
        raise InvalidInputError(
            f"{out} is a folder", hint="Give --out the name of the zip to write."
        )
    if not out.parent.is_dir():
        raise InvalidInputError(
            f"The folder {out.parent} does not exist",
            hint="Create the folder first, or give --out a path in an existing folder.",
        )
    return check_output_path(out, force=overwrite, option="--overwrite")


# -------------------------------------------------------------------------------- export


def build_referral_bundle(
    database: Store,
    *,
    upn: str,
    route: str,
    out: Path,
    store: Path,
    officer: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    force: bool = False,
    reason: str | None = None,
    today: dt.date | None = None,
    overwrite: bool = False,
    copy: str = "legal",
    witness: str = "",
    witness_title: str = "",
    la_name: str = "",
) -> BundleResult:
    """Check the case for ``route`` and write the evidence bundle to ``out`` (a .zip):
    ``copy`` legal or court; ``witness``/``witness_title``/``la_name`` head a prosecution's
    witness statement (the witness defaults to ``officer``)."""
    from attendance_cli.cases.audit import record_audit
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.referrals.pdf import render_bundle_pdf
    from attendance_cli.store import transaction

    if copy not in COPIES:
        raise UsageError(f"Unknown copy {copy!r}", hint="Use --copy legal or --copy court.")
    out = _check_out_path(out, overwrite=overwrite)
    reason = reason.strip() if reason else None
    if force and not reason:
        raise UsageError(
            "--force needs --reason: say why the bundle is exported although the check is not met",
            hint='Add --reason "..." (it is printed on the cover and kept in the audit log).',
        )
    check = check_referral(database, upn=upn, route=route, start=start, end=end, today=today)
    case_file = check.case_file
    if not check.ready and not force:
        raise RefusedError(
            f"{case_file.pupil.upn} is not ready for {check.route.name}: missing "
            + "; ".join(item.title for item in check.missing),
            hint=f"`att referral check {case_file.pupil.upn} --route {check.route.name}` shows "
            "what is missing; to export anyway give --force --reason TEXT.",
        )
    forced = force and not check.ready
    from attendance_cli.cases.audit import casework_findings, chain_head

    tampered = casework_findings(database, upn=case_file.pupil.upn)
    if tampered:  # never exported, even with --force: the evidence is not what att recorded
        raise RefusedError(
            f"{case_file.pupil.upn}'s casework differs from the audit log: " + "; ".join(tampered),
            hint="`att audit verify` lists every difference; restore the database from a backup.",
        )
    audit_head = str(chain_head(database))  # the anchor: the log before this export's entry
    generated = dt.datetime.now(dt.UTC).replace(microsecond=0)
    prosecution = check.route.name == "prosecution"
    from attendance_cli.referrals.statement import (
        build_witness_statement,
        initials,
        statement_docx,
    )

    content = gather_bundle_content(
        database,
        check=check,
        store=store,
        generated_at=generated,
        officer=officer,
        forced=forced,
        reason=reason if force else None,
        exhibit_prefix=initials(witness or officer) if prosecution else None,
        copy=copy,
    )
    if prosecution:
        content.statement = build_witness_statement(
            content, witness=witness or officer, occupation=witness_title, la_name=la_name
        )
    extract, chronology, exhibits = content.extract, content.chronology, content.exhibits
    imports = content.imports
    pdf, pages, transliterated = render_bundle_pdf(content)
    ordered: dict[str, bytes] = {
        "bundle.pdf": pdf,
        "register-extract.csv": _csv(_extract_rows(extract), EXTRACT_COLUMNS, raw_columns=(2,)),
        "register-extract.xlsx": _extract_xlsx(extract, case_file),
        "chronology.csv": _csv(
            [[e.date.isoformat(), e.type, e.summary, e.ref, e.recorded_at] for e in chronology],
            CHRONOLOGY_COLUMNS,
        ),
        **({STATEMENT_FILE: statement_docx(content.statement)} if content.statement else {}),
        **content.attachments,
    }
    listed = [
        BundleFile(path, hashlib.sha256(data).hexdigest(), len(data))
        for path, data in ordered.items()
    ]
    summary = check_dict(check, include_siblings=False)
    as_at = content.as_at
    manifest = {
        "format": BUNDLE_FORMAT,
        "upn": case_file.pupil.upn,
        "route": check.route.name,
        "route_label": check.route.label,
        "law": check.route.law,
        "period": {
            "from": case_file.period.start,
            "to": case_file.period.end,
            "label": case_file.period.label,
        },
        "generated_at": generated.isoformat().replace("+00:00", "Z"),
        "generated_by": officer,
        "tool": "att",
        "tool_version": __version__,
        "copy": copy,
        "ready": check.ready,
        "forced": forced,
        "reason": content.reason,
        "missing_items": summary["missing"],
        "checklist": [
            {"id": i.id, "status": i.status, "detail": i.detail} for i in content.checklist
        ],
        "figures": summary["figures"],
        "database_as_at": (
            {
                "file_name": as_at.file_name,
                "sha256": as_at.sha256,
                "imported_at": as_at.imported_at,
                "date_to": as_at.date_to,
            }
            if as_at
            else None
        ),
        "imports": [
            {
                "id": i.id,
                "file_name": i.file_name,
                "sha256": i.sha256,
                "file_format": i.file_format,
                "imported_at": i.imported_at,
                "date_from": i.date_from,
                "date_to": i.date_to,
                "school_laestab": i.school_laestab,
            }
            for i in imports
        ],
        "exhibits": [
            {"label": x.label, "document_id": x.id, "path": x.path, "file_name": x.file_name}
            for x in exhibits
        ],
        "files": [{"path": f.path, "sha256": f.sha256, "bytes": f.bytes} for f in listed],
        "audit_head": audit_head,
    }
    if copy == "court":  # the LA's internal readiness assessment stays in the legal copy
        for key in ("ready", "forced", "reason", "missing_items", "checklist"):
            del manifest[key]
    if content.statement is not None:
        manifest["witness_statement"] = {
            "path": STATEMENT_FILE,
            "witness": content.statement.witness,
            "exhibits_cited": content.statement.cited,
        }
    manifest_bytes = (
        json.dumps(to_jsonable(manifest), indent=2, ensure_ascii=False) + "\n"
    ).encode("utf-8")
    manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()

    stamp = generated.timetuple()[:6]
    from attendance_cli.files import PartialFile, fsync_folder

    partial = PartialFile(out, force=overwrite, option="--overwrite")
    temporary = partial.path
    try:
        with open(temporary, "wb") as raw:
            with zipfile.ZipFile(raw, "w") as archive:
                for path, data in [*ordered.items(), (MANIFEST, manifest_bytes)]:
                    info = zipfile.ZipInfo(path, date_time=stamp)  # type: ignore[arg-type]
                    info.external_attr = 0o600 << 16
                    already_compressed = path.endswith((".pdf", ".xlsx", ".zip", ".jpg", ".png"))
                    info.compress_type = (
                        zipfile.ZIP_STORED if already_compressed else zipfile.ZIP_DEFLATED
                    )
                    archive.writestr(info, data)
            raw.flush()
            os.fsync(raw.fileno())  # on disk before the audit log says it was exported
        digest = hashlib.sha256()
        with open(temporary, "rb") as written:
            while chunk := written.read(1024 * 1024):
                digest.update(chunk)
        zip_sha256 = digest.hexdigest()
        with transaction(database):  # committed before the bundle appears at --out
            audit_id = record_audit(
                database,
                officer=officer,
                action="referral_export",
                entity="case",
                entity_id=case_file.view.case_id,
                upn=case_file.pupil.upn,
                detail={
                    "route": check.route.name,
                    "copy": copy,
                    "forced": forced,
                    "reason": content.reason,
                    "sha256": zip_sha256,
                    "manifest_sha256": manifest_sha256,
                    "file": out.name,
                    "period_from": case_file.period.start,
                    "period_to": case_file.period.end,
                    "missing_items": summary["missing"],
                },
            )
    except BaseException:
        partial.discard()
        partial.close()
        raise
    try:
        partial.commit()
    except (OSError, InvalidInputError) as exc:  # InvalidInputError: --out appeared meanwhile
        partial.close()
        why = getattr(exc, "strerror", None) or getattr(exc, "message", None) or exc
        raise FileProblemError(
            f"The export was recorded in the audit log (entry {audit_id}, SHA-256 {zip_sha256}) "
            f"but the bundle could not be moved to {out}: {why}. The complete "
            f"bundle is at {temporary}",
            hint=f"Move {temporary} to {out} yourself (`att referral verify` checks it against "
            "the audit entry), or export again.",
        ) from exc
    except BaseException:
        partial.close()  # kept for the officer to move (the export is recorded)
        raise
    partial.close()
    fsync_folder(out.parent)
    return BundleResult(
        path=out,
        upn=case_file.pupil.upn,
        route=check.route.name,
        period_from=case_file.period.start,
        period_to=case_file.period.end,
        ready=check.ready,
        forced=forced,
        reason=content.reason,
        missing_items=list(summary["missing"]),  # type: ignore[call-overload]
        files=listed,
        pages=pages,
        zip_sha256=zip_sha256,
        manifest_sha256=manifest_sha256,
        generated_at=manifest["generated_at"],  # type: ignore[arg-type]
        audit_id=audit_id,
        transliterated=transliterated,
    )


# -------------------------------------------------------------------------------- verify


@dataclass
class BundleVerification:
    path: Path
    ok: bool
    files_checked: int
    changed: list[str]
    missing: list[str]
    unexpected: list[str]
    problem: str | None
    upn: str | None
    route: str | None
    generated_at: str | None
    zip_sha256: str
    manifest_sha256: str | None
    recorded_export: dict[str, Any] | None = None  # the audit entry of this export, if found
    audit_checked: bool = False  # False: only the bundle's internal consistency was checked
    casework_problems: list[str] = field(default_factory=list)  # casework != its audit log
    duplicates: list[str] = field(default_factory=list)  # names held more than once
    unsafe_names: list[str] = field(default_factory=list)  # names an extractor may misplace


# A manifest lists a few hundred files at most (~200 bytes each): 8 MiB is far more than any
# genuine one, and reading is capped there before JSON parsing (a zip bomb's 1 GiB manifest
# would otherwise be read whole into memory).
MANIFEST_LIMIT = 8 * 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_member_name(name: str) -> str | None:
    """Why ``name`` cannot be a member of a genuine bundle (att writes plain relative paths),
    or None: absolute, a drive letter, backslashes, empty, ``.`` or ``..`` parts, control
    characters, or not in Unicode NFC (extractors would put such a file elsewhere than the
    name verify checked, or beside another file of the same name)."""
    if name.startswith("/") or _DRIVE.match(name):
        return "absolute path"
    if "\\" in name:
        return "backslash in the name"
    if any(part in ("", ".", "..") for part in name.split("/")):
        return "empty, . or .. part"
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        return "control character in the name"
    if unicodedata.normalize("NFC", name) != name:
        return "not in Unicode normal form"
    return None


def _name_problems(infos: list[zipfile.ZipInfo]) -> tuple[list[str], list[str]]:
    """(duplicated names, unsafe names) among the zip's members. Names equal once case and
    Unicode form are ignored count as duplicates: they are one file on Windows and macOS."""
    seen: dict[str, str] = {}
    duplicates: list[str] = []
    unsafe: list[str] = []
    for info in infos:
        name = info.orig_filename
        why = unsafe_member_name(name)
        if why:
            unsafe.append(f"{name!r} ({why})")
        key = unicodedata.normalize("NFC", name).casefold()
        if key in seen and name not in duplicates:
            duplicates.append(name)
        seen.setdefault(key, name)
    return duplicates, unsafe


_SHA256 = re.compile(r"[0-9a-f]{64}")


def read_manifest(data: bytes) -> dict[str, Any]:
    """The manifest, its structure checked: ``files`` a list of {``path`` (text), ``sha256`` (64
    hex digits), ``bytes`` (a whole number >= 0)}, each path once; ``upn``, ``route`` and
    ``generated_at`` text or absent. Raises ValueError saying what is wrong."""
    try:
        manifest = json.loads(data)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if not isinstance(manifest, dict):
        raise ValueError("not a JSON object")
    for key in ("upn", "route", "generated_at"):
        if manifest.get(key) is not None and not isinstance(manifest[key], str):
            raise ValueError(f"{key} is not text")
    files = manifest.get("files")
    if not isinstance(files, list):
        raise ValueError("no files list")
    seen: set[str] = set()
    for number, entry in enumerate(files, start=1):
        if not isinstance(entry, dict):
            raise ValueError(f"files entry {number} is not an object")
        path, sha256, size = entry.get("path"), entry.get("sha256"), entry.get("bytes")
        if not isinstance(path, str) or not path:
            raise ValueError(f"files entry {number} has no path")
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
            raise ValueError(f"files entry {number} ({path}) has no SHA-256")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError(f"files entry {number} ({path}) has no size in bytes")
        if path in seen:
            raise ValueError(f"{path} is listed twice")
        seen.add(path)
    return manifest


def verify_referral_bundle(path: Path, *, conn: Store | None = None) -> BundleVerification:
    """Recompute every file's SHA-256 against the manifest. With a database, also look for the
    export's audit entry (the zip's or the manifest's SHA-256): when neither is recorded for the
    bundle's UPN, the manifest is not the one att exported (it may have been rewritten to match
    a replaced file) and the bundle fails. Without one, only internal consistency is checked
    (``audit_checked`` False)."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"No such file: {path}", hint="Give the path of the bundle's .zip.")
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    result = BundleVerification(
        path, False, 0, [], [], [], None, None, None, None, digest.hexdigest(), None
    )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        result.problem = f"not a readable zip file ({exc})"
        return result
    with archive:
        infos = archive.infolist()
        result.duplicates, result.unsafe_names = _name_problems(infos)
        if result.duplicates or result.unsafe_names:
            result.problem = (
                "the zip holds "
                + "; ".join(
                    [f"{len(result.duplicates)} duplicated name(s)"] * bool(result.duplicates)
                    + [f"{len(result.unsafe_names)} unsafe name(s)"] * bool(result.unsafe_names)
                )
                + ": an extractor would show other files than the ones verified"
            )
        try:
            manifest_bytes = _read_manifest_bytes(archive)
        except (KeyError, ValueError, zipfile.BadZipFile, OSError, EOFError) as exc:
            reason = str(exc) if type(exc) is ValueError else exc.__class__.__name__
            result.problem = result.problem or f"no readable {MANIFEST} ({reason})"
            return result
        try:
            manifest = read_manifest(manifest_bytes)
        except ValueError as exc:  # bad JSON, bad UTF-8 or the wrong shape
            reason = str(exc) if type(exc) is ValueError else exc.__class__.__name__
            result.problem = result.problem or f"no readable {MANIFEST} ({reason})"
            return result
        listed = {f["path"]: f for f in manifest["files"]}
        result.manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
        result.upn, result.route = manifest.get("upn"), manifest.get("route")
        result.generated_at = manifest.get("generated_at")
        members: dict[str, list[zipfile.ZipInfo]] = {}
        for info in infos:
            members.setdefault(info.orig_filename, []).append(info)
        for name, entry in listed.items():
            if name not in members:
                result.missing.append(name)
                continue
            result.files_checked += 1
            for info in members[name]:  # every copy of a duplicated name must match
                if not _member_matches(archive, info, entry):
                    result.changed.append(name)
                    break
        result.unexpected = sorted(set(members) - set(listed) - {MANIFEST})
    result.ok = not (
        result.changed
        or result.missing
        or result.unexpected
        or result.duplicates
        or result.unsafe_names
    )
    if conn is not None:
        result.audit_checked = True
        result.recorded_export = _find_export(conn, result)
        if result.recorded_export is None:
            result.ok = False
            result.problem = result.problem or (
                f"the manifest is not the one att exported: neither the zip's nor the "
                f"manifest's SHA-256 is recorded in the audit log as an export for {result.upn}"
            )
        from attendance_cli.cases.audit import casework_findings

        result.casework_problems = casework_findings(
            conn, upn=result.upn, anchor=manifest.get("audit_head")
        )
        if result.casework_problems:
            result.ok = False
            result.problem = result.problem or (
                "the database no longer holds the casework as att recorded it: "
                + "; ".join(result.casework_problems)
            )
    return result


def _read_manifest_bytes(archive: zipfile.ZipFile) -> bytes:
    """The manifest's bytes, never more than MANIFEST_LIMIT read (whatever the zip claims)."""
    info = archive.getinfo(MANIFEST)
    if info.file_size > MANIFEST_LIMIT:
        raise ValueError(f"{info.file_size:,} bytes, more than a bundle's manifest can be")
    with archive.open(info) as handle:
        data = handle.read(MANIFEST_LIMIT + 1)
    if len(data) > MANIFEST_LIMIT:
        raise ValueError(f"more than {MANIFEST_LIMIT:,} bytes, more than a manifest can be")
    return data


def _member_matches(archive: zipfile.ZipFile, info: zipfile.ZipInfo, entry: dict[str, Any]) -> bool:
    member, size = hashlib.sha256(), 0
    try:
        with archive.open(info) as handle:  # streamed: a bundle may hold large exhibits
            while chunk := handle.read(1024 * 1024):
                member.update(chunk)
                size += len(chunk)
                if size > entry["bytes"]:
                    return False
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False  # a damaged member (its CRC no longer matches)
    return member.hexdigest() == entry["sha256"] and size == entry["bytes"]


def _find_export(conn: Store, result: BundleVerification) -> dict[str, Any] | None:
    from attendance_cli.cases.audit import list_audit

    if not result.upn:
        return None
    for entry in list_audit(conn, upn=result.upn):
        if entry.action != "referral_export":
            continue
        detail = entry.detail
        if detail.get("sha256") == result.zip_sha256 or (
            result.manifest_sha256 and detail.get("manifest_sha256") == result.manifest_sha256
        ):
            return {
                "audit_id": entry.id,
                "at": entry.at,
                "officer": entry.officer,
                "zip_identical": detail.get("sha256") == result.zip_sha256,
            }
    return None
