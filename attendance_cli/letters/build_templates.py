"""Write the built-in templates (``letters.builtin``) as Word files with python-docx.

Run ``python -m attendance_cli.letters.build_templates`` after changing the wording and commit
the files it writes (``attendance_cli/letters/templates/*.docx``); a test fails when a checked-in
file no longer says what ``builtin.py`` says.

Each placeholder sits whole in one run, so Word's and docxtpl's handling of runs cannot split it;
lists are ``{%p for %}`` paragraphs (docxtpl's paragraph tags). The file's core properties carry
the template's title and ``WORDING_VERSION`` (read back as the template version).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from attendance_cli.letters.builtin import TEMPLATES, WORDING_VERSION, Block

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
_FIXED_TIME = dt.datetime(2026, 12, 1, 0, 0, 0)


def build_template(name: str, target: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    info, blocks = TEMPLATES[name]
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    style.paragraph_format.space_after = Pt(4)
    for section in document.sections:
        section.top_margin = section.bottom_margin = Cm(2)
        section.left_margin = section.right_margin = Cm(2.2)

    def paragraph(text: str, *, bold: bool = False, right: bool = False) -> None:
        para = document.add_paragraph()
        if right:
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if text:
            run = para.add_run(text)
            run.bold = bold

    for block in blocks:
        _add_block(block, paragraph)
    props = document.core_properties
    props.title = info.title
    props.subject = "att letter template: " + info.name
    props.version = WORDING_VERSION
    props.author = "att"
    props.last_modified_by = "att"
    props.comments = info.purpose
    props.created = props.modified = _FIXED_TIME
    props.revision = 1
    document.save(str(target))


def _add_block(block: Block, paragraph) -> None:  # type: ignore[no-untyped-def]
    kind = block[0]
    if kind in ("p", "raw"):
        paragraph(block[1])
    elif kind == "right":
        paragraph(block[1], right=True)
    elif kind == "h":
        paragraph(block[1], bold=True)
    elif kind == "gap":
        paragraph("")
    elif kind in ("list", "list-right"):
        _, item, source, text = block
        right = kind == "list-right"
        paragraph(f"{{%p for {item} in {source} %}}", right=right)
        paragraph(text, right=right)
        paragraph("{%p endfor %}", right=right)
    elif kind == "list-nested":
        _, item, source, text, inner, inner_source, inner_text = block
        paragraph(f"{{%p for {item} in {source} %}}")
        paragraph(text, bold=True)
        paragraph(f"{{%p for {inner} in {inner_source} %}}")
        paragraph(inner_text)
        paragraph("{%p endfor %}")
        paragraph("{%p endfor %}")
    else:  # pragma: no cover - a typo in builtin.py
        raise ValueError(f"unknown block {kind!r}")


def build_all(directory: Path = TEMPLATE_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TEMPLATES:
        target = directory / f"{name}.docx"
        build_template(name, target)
        written.append(target)
    return written


if __name__ == "__main__":
    for path in build_all(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE_DIR):
        print(path)  # noqa: T201 - a developer script
