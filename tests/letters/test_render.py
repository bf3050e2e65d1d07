"""The sandbox: hostile templates are refused and unknown placeholders named, before anything
is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from attendance_cli.errors import InvalidInputError, RefusedError
from attendance_cli.letters import generate, merge
from attendance_cli.letters.render import check_template
from attendance_cli.settings import load_settings
from tests.letters.helpers import docx_with, replace_part

HARVEY = "A899200218001"


def _check(tmp_path: Path, *texts: str) -> None:
    path = docx_with(list(texts), tmp_path / "t.docx")
    check_template("t", path.read_bytes(), merge.FIELDS)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("{{ ''.__class__.__mro__ }}", id="dunder-attribute"),
        pytest.param("{{ pupil.__class__ }}", id="dunder-on-a-field"),
        pytest.param("{{ pupil['__class__'] }}", id="dunder-by-key"),
        pytest.param("{{ ''.join }}{{ pupil.name._x }}", id="underscore-attribute"),
        pytest.param("{% include 'letter.docx' %}", id="include"),
        pytest.param("{% import 'macros' as m %}", id="import"),
        pytest.param("{% from 'macros' import x %}", id="from-import"),
        pytest.param("{% extends 'base' %}", id="extends"),
        pytest.param("{{ pupil.name.upper() }}", id="method-call"),
        pytest.param("{{ cycler('a') }}", id="global-function"),
        pytest.param("{{ pupil|attr('__class__') }}", id="attr-filter"),
        pytest.param("{% for x in actions %}{{ x.__class__ }}{% endfor %}", id="in-a-loop"),
    ],
)
def test_hostile_template_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(RefusedError, match="is refused"):
        _check(tmp_path, "Dear {{ parent.name }}", text)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        pytest.param("{{ nickname }}", "nickname", id="unknown-name"),
        pytest.param("{{ pupil.nickname }}", "pupil.nickname", id="unknown-field"),
        pytest.param("{% for a in actions %}{{ a.cost }}{% endfor %}", "actions[].cost", id="loop"),
        pytest.param(
            "{% for p in pupils %}{% for a in p.actions %}{{ a.colour }}{% endfor %}{% endfor %}",
            "pupils[].actions[].colour",
            id="nested-loop",
        ),
    ],
)
def test_unknown_placeholder_is_named(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        _check(tmp_path, "Dear {{ parent.name }}", text)
    assert named in caught.value.message


def test_known_fields_loops_and_set_pass(tmp_path: Path) -> None:
    _check(
        tmp_path,
        "{% set who = parent.name %}Dear {{ who|upper }}",
        "{% for a in actions %}{{ loop.index }} {{ a.action }} {{ a.owner or 'none' }}{% endfor %}",
        "{% if figures.penalty_threshold_met %}{{ figures.penalty_threshold_date }}{% endif %}",
    )


def test_entities_in_the_xml_are_refused(tmp_path: Path) -> None:
    path = docx_with(["Dear {{ parent.name }}"], tmp_path / "bomb.docx")
    replace_part(
        path,
        "word/document.xml",
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>",
    )
    with pytest.raises(InvalidInputError, match="not safe, well-formed XML"):
        check_template("bomb", path.read_bytes(), merge.FIELDS)


def test_not_a_docx(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="not a Word document"):
        check_template("x", b"PK not really", merge.FIELDS)


def _folder_with(tmp_path: Path, settings_path: Path, name: str, texts: list[str]) -> Path:
    folder = tmp_path / "la-templates"
    folder.mkdir(exist_ok=True)
    docx_with(texts, folder / f"{name}.docx")
    with settings_path.open("a", encoding="utf-8") as out:
        out.write(f'\n[letters]\ntemplates = "{folder}"\n')
    return folder


@pytest.mark.parametrize(
    ("text", "error"),
    [
        pytest.param("{{ ''.__class__.__mro__ }}", RefusedError, id="hostile"),
        pytest.param("{{ pupil.nickname }}", InvalidInputError, id="unknown"),
    ],
)
def test_a_bad_template_writes_and_files_nothing(
    sample_conn: sqlite3.Connection,
    sample_db: Path,
    tmp_path: Path,
    _letter_settings: Path,
    text: str,
    error: type[Exception],
) -> None:
    _folder_with(tmp_path, _letter_settings, "attendance-concern", ["Dear {{ parent.name }}", text])
    out = tmp_path / "out"
    with pytest.raises(error):
        generate.generate_letters(
            sample_conn,
            database=sample_db,
            upn=HARVEY,
            options=generate.LetterOptions(template="attendance-concern"),
            settings=load_settings(),
            out_dir=out,
            officer="Jo Officer",
        )
    assert not out.exists()
    assert sample_conn.connection.execute("SELECT count(*) FROM letter").fetchone() == (0,)
    assert sample_conn.connection.execute("SELECT count(*) FROM case_document").fetchone() == (0,)
    assert not (tmp_path / "att-documents").exists()


def test_values_are_escaped_into_the_xml(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    """An address with & and < must come out as written (autoescaping), not break the XML."""
    sample_conn.connection.execute(
        "UPDATE contact SET address = 'Flat 1 & 2 <rear>, 103 Barley Close' WHERE name = 'Claire Marsden'"
    )
    sample_conn.connection.commit()
    (preview, _) = generate.preview_letters(
        sample_conn,
        upn=HARVEY,
        options=generate.LetterOptions(template="attendance-concern"),
        settings=load_settings(),
        officer="Jo Officer",
    )
    assert "Flat 1 & 2 <rear>" in preview.text
