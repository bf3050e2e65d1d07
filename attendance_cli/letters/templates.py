"""Finding templates: the built-in ones, overridden by name by the LA's folder.

The folder is ``letters.templates`` in the settings file (``attendance_cli.settings``); every
``*.docx`` in it is a template named by its file stem (Word's ``~$`` lock files are skipped).
A file named like a built-in template replaces it and keeps what the built-in is for (who it is
addressed to, whether it is a warning letter); any other name is a letter to each parent.

A template's version is its ``version`` document property when set (the built-ins carry
``builtin.WORDING_VERSION``), else ``sha256:`` and the start of the file's SHA-256; the full
SHA-256 is recorded with every letter either way.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from attendance_cli.errors import FileProblemError, NotFoundError, RefusedError
from attendance_cli.letters.builtin import TEMPLATES, TemplateInfo, builtin_info
from attendance_cli.settings import Settings

BUILTIN_DIR = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    purpose: str
    addressee: str  # parent or school
    counts_as_warning: bool
    needs: tuple[str, ...]
    source: str  # built-in, or the folder's path
    path: Path
    version: str
    sha256: str
    data: bytes


def template_folder(settings: Settings) -> Path | None:
    text = settings.text("letters", "templates")
    return Path(text).expanduser() if text else None


_CORE = {
    "version": "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}version",
    "title": "{http://purl.org/dc/elements/1.1/}title",
    "description": "{http://purl.org/dc/elements/1.1/}description",
}


def core_properties(data: bytes) -> dict[str, str]:
    """The document's title, description and version (``docProps/core.xml``), read with
    defusedxml. (python-docx reads the version as empty once docxcompose is imported, which
    docxtpl does.)"""
    import defusedxml.ElementTree as safe_xml

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "docProps/core.xml" not in archive.namelist():
            return {}
        root = safe_xml.fromstring(archive.read("docProps/core.xml"))
    found = {}
    for key, tag in _CORE.items():
        element = root.find(tag)
        if element is not None and element.text and element.text.strip():
            found[key] = element.text.strip()
    return found


def _load(path: Path, source: str) -> Template:
    from attendance_cli.letters.render import check_package

    data = path.read_bytes()
    check_package(data, name=str(path))
    sha256 = hashlib.sha256(data).hexdigest()
    props = core_properties(data)
    name = path.stem
    info = builtin_info(name) or TemplateInfo(
        name, props.get("title", name), props.get("description", ""), "parent"
    )
    return Template(
        name=name,
        title=info.title if source == "built-in" else props.get("title", info.title),
        purpose=info.purpose,
        addressee=info.addressee,
        counts_as_warning=info.counts_as_warning,
        needs=info.needs,
        source=source,
        path=path,
        version=props.get("version") or f"sha256:{sha256[:12]}",
        sha256=sha256,
        data=data,
    )


def _folder_files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        raise NotFoundError(
            f"The letter template folder {folder} does not exist",
            hint="Create it, or correct letters.templates in the settings file.",
        )
    return {
        p.stem: p
        for p in sorted(folder.glob("*.docx"))
        if not p.name.startswith("~$") and p.is_file()
    }


def list_templates(settings: Settings) -> list[Template]:
    """Every template att can use, built-in ones first (in their order), then the folder's."""
    found = {name: BUILTIN_DIR / f"{name}.docx" for name in TEMPLATES}
    sources = dict.fromkeys(found, "built-in")
    folder = template_folder(settings)
    if folder is not None:
        for name, path in _folder_files(folder).items():
            found[name] = path
            sources[name] = str(folder)
    return [_load(path, sources[name]) for name, path in found.items()]


def find_template(settings: Settings, name: str) -> Template:
    wanted = name.strip().removesuffix(".docx")
    folder = template_folder(settings)
    if folder is not None:
        files = _folder_files(folder)
        if wanted in files:
            return _load(files[wanted], str(folder))
    if wanted in TEMPLATES:
        return _load(BUILTIN_DIR / f"{wanted}.docx", "built-in")
    names = sorted(set(TEMPLATES) | (set(_folder_files(folder)) if folder else set()))
    raise NotFoundError(
        f"No letter template named {name!r}",
        hint="Use one of: " + ", ".join(names) + " (att letter templates lists them).",
    )


def export_templates(directory: Path, *, force: bool = False) -> list[Path]:
    """Write the built-in templates into ``directory`` for an LA to edit; an existing file is
    replaced only with ``force`` (checked for every file before any is written)."""
    directory.mkdir(parents=True, exist_ok=True)
    targets = [(BUILTIN_DIR / f"{name}.docx", directory / f"{name}.docx") for name in TEMPLATES]
    existing = [t for _, t in targets if t.exists()]
    if existing and not force:
        raise RefusedError(
            f"{len(existing)} template file(s) already exist in {directory}, e.g. {existing[0].name}",
            hint="Give --force to replace them, or export into an empty folder.",
        )
    written = []
    for source, target in targets:
        partial = target.with_name(f".{target.name}.partial")
        try:
            partial.write_bytes(source.read_bytes())
            os.replace(partial, target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise FileProblemError(
                f"Could not write {target}: {exc.strerror or exc}",
                hint="Check the folder exists and that you can write to it.",
            ) from None
        written.append(target)
    return written
