"""Templates: the shipped files say what builtin.py says; export; the LA's folder overrides
by name; settings."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError
from attendance_cli.letters import generate
from attendance_cli.letters.build_templates import build_all
from attendance_cli.letters.builtin import TEMPLATES, WORDING_VERSION
from attendance_cli.letters.templates import (
    BUILTIN_DIR,
    export_templates,
    find_template,
    list_templates,
)
from attendance_cli.settings import load_settings
from tests.letters.helpers import docx_with, paragraphs


def test_shipped_templates_match_their_wording(tmp_path: Path) -> None:
    """Changing builtin.py without running build_templates (or editing a shipped file by hand)
    fails here."""
    built = build_all(tmp_path)
    assert sorted(p.name for p in BUILTIN_DIR.glob("*.docx")) == sorted(p.name for p in built)
    for fresh in built:
        assert paragraphs(BUILTIN_DIR / fresh.name) == paragraphs(fresh), fresh.name


def test_every_builtin_is_listed_with_its_version() -> None:
    found = {t.name: t for t in list_templates(load_settings())}
    assert list(found) == list(TEMPLATES)
    assert {t.version for t in found.values()} == {WORDING_VERSION}
    assert {t.source for t in found.values()} == {"built-in"}
    assert found["tsm-summary"].addressee == "school"
    assert {n for n, t in found.items() if t.counts_as_warning} == {
        "notice-to-improve",
        "warning-before-prosecution",
    }


def test_export_never_overwrites_without_force(tmp_path: Path) -> None:
    written = export_templates(tmp_path / "mine")
    assert len(written) == len(TEMPLATES)
    assert (tmp_path / "mine" / "penalty-notice.docx").read_bytes() == (
        BUILTIN_DIR / "penalty-notice.docx"
    ).read_bytes()
    edited = tmp_path / "mine" / "attendance-concern.docx"
    edited.write_bytes(b"the LA's edited letter")
    with pytest.raises(RefusedError, match="already exist"):
        export_templates(tmp_path / "mine")
    assert edited.read_bytes() == b"the LA's edited letter"
    export_templates(tmp_path / "mine", force=True)
    assert edited.read_bytes() == (BUILTIN_DIR / "attendance-concern.docx").read_bytes()


def _use_folder(settings_path: Path, folder: Path) -> None:
    with settings_path.open("a", encoding="utf-8") as out:
        out.write(f'\n[letters]\ntemplates = "{folder}"\nimprovement_weeks = 6\n')


def test_folder_overrides_a_builtin_by_name(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path, _letter_settings: Path
) -> None:
    folder = tmp_path / "la"
    folder.mkdir()
    docx_with(
        ["KESTRELFORD LETTERHEAD", "Dear {{ parent.name }}", "{{ pupil.forename }} must attend."],
        folder / "notice-to-improve.docx",
        title="Our notice to improve",
    )
    docx_with(["Dear {{ parent.name }}"], folder / "thank-you.docx")
    (folder / "~$notice-to-improve.docx").write_bytes(b"Word's lock file")
    _use_folder(_letter_settings, folder)
    settings = load_settings()
    template = find_template(settings, "notice-to-improve")
    assert template.source == str(folder) and template.version.startswith("sha256:")
    assert template.counts_as_warning  # still what the built-in is for
    assert [t.name for t in list_templates(settings)][-1] == "thank-you"
    run = generate.generate_letters(
        sample_conn,
        database=sample_db,
        upn="A899200218001",
        options=generate.LetterOptions(template="notice-to-improve"),
        settings=settings,
        out_dir=tmp_path / "out",
        officer="Jo Officer",
        pdf=False,
    )
    assert paragraphs(run.letters[0].path) == [
        "KESTRELFORD LETTERHEAD",
        "Dear Claire Marsden",
        "Harvey must attend.",
    ]
    version = sample_conn.connection.execute(
        "SELECT template_version, template_sha256 FROM letter"
    ).fetchone()
    assert version == (template.version, template.sha256)


def test_improvement_weeks_from_settings(
    sample_conn: sqlite3.Connection, tmp_path: Path, _letter_settings: Path
) -> None:
    import datetime as dt

    _use_folder(_letter_settings, tmp_path)  # an empty folder: built-ins only
    (preview, _) = generate.preview_letters(
        sample_conn,
        upn="A899200218001",
        options=generate.LetterOptions(
            template="notice-to-improve", letter_date=dt.date(2025, 11, 17)
        ),
        settings=load_settings(),
        officer="Jo Officer",
    )
    assert any("6 weeks, from 17 November 2025 to 29 December 2025" in t for t in preview.text)


def test_unknown_template_names_the_known_ones() -> None:
    with pytest.raises(NotFoundError) as caught:
        find_template(load_settings(), "final-demand")
    assert "cme-enquiry" in caught.value.hint


def test_missing_folder_is_an_error(_letter_settings: Path, tmp_path: Path) -> None:
    _use_folder(_letter_settings, tmp_path / "nowhere")
    with pytest.raises(NotFoundError, match="does not exist"):
        list_templates(load_settings())


def test_settings_file_problems_name_the_file(_letter_settings: Path) -> None:
    _letter_settings.write_text("[la]\nname = Kestrelford\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="not valid TOML") as caught:
        load_settings()
    assert caught.value.file == str(_letter_settings)
    _letter_settings.write_text("[la]\nname = 12\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"la\.name must be text"):
        load_settings().text("la", "name")


def test_settings_path_default_and_override(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from attendance_cli.settings import settings_path

    monkeypatch.delenv("ATT_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert settings_path() == tmp_path / "cfg" / "att" / "config.toml"
    assert not load_settings().exists  # a missing file is no settings
    monkeypatch.setenv("ATT_CONFIG", os.fspath(tmp_path / "x.toml"))
    assert settings_path() == tmp_path / "x.toml"
