"""Building hostile or edited templates, and reading letters back."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path


def docx_with(paragraphs: list[str], path: Path, *, title: str = "") -> Path:
    """A Word file whose paragraphs are ``paragraphs`` (each one run)."""
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if title:
        document.core_properties.title = title
    document.save(str(path))
    return path


def paragraphs(path: Path | bytes) -> list[str]:
    from docx import Document

    source = io.BytesIO(path) if isinstance(path, bytes) else str(path)
    return [p.text for p in Document(source).paragraphs]


def replace_part(path: Path, part: str, data: bytes) -> None:
    """Rewrite one part of a .docx zip (to plant hostile XML)."""
    with zipfile.ZipFile(path) as archive:
        items = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in items:
            archive.writestr(info, data if info.filename == part else content)
