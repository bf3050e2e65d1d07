"""The TSM pack and the LA report workbooks as printed: rendered by LibreOffice to PDF and read
back word by word (pdftotext -bbox). Skips where LibreOffice or poppler is not installed
(``apt-get install libreoffice-calc poppler-utils``); ``bench/render_workbooks.py`` makes the
PNG pages to look at."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(
    not (SOFFICE and PDFTOTEXT), reason="LibreOffice (soffice) and pdftotext are not installed"
)
XHTML = "{http://www.w3.org/1999/xhtml}"
READABLE_POINTS = 7.0  # the median word on a page is at least this tall (9-10 pt text)

Word = tuple[str, float, float, float, float]  # text, x0, y0, x1, y1 in points


def _render(workbook: Path, folder: Path) -> Path:
    assert SOFFICE
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{folder / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return folder / f"{workbook.stem}.pdf"


def _pages(pdf: Path) -> list[list[Word]]:
    assert PDFTOTEXT
    out = subprocess.run(
        [PDFTOTEXT, "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out).replace("&nbsp;", " "))
    return [
        [
            (
                w.text or "",
                float(w.get("xMin", 0)),
                float(w.get("yMin", 0)),
                float(w.get("xMax", 0)),
                float(w.get("yMax", 0)),
            )
            for w in page.iter(f"{XHTML}word")
        ]
        for page in root.iter(f"{XHTML}page")
    ]


def _overprinted(words: list[Word]) -> list[tuple[str, str]]:
    """Pairs of words drawn over each other (more than a fifth of the smaller one covered)."""
    found = []
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            across = min(a[3], b[3]) - max(a[1], b[1])
            down = min(a[4], b[4]) - max(a[2], b[2])
            if across > 0.5 and down > 0.5:
                smaller = min((a[3] - a[1]) * (a[4] - a[2]), (b[3] - b[1]) * (b[4] - b[2]))
                if across * down > 0.2 * smaller:
                    found.append((a[0], b[0]))
    return found


def _check_readable(pages: list[list[Word]]) -> None:
    for number, words in enumerate(pages, start=1):
        if not words:
            continue
        height = statistics.median(w[4] - w[2] for w in words)
        assert height >= READABLE_POINTS, f"page {number}: text {height:.1f} pt tall"
        assert not _overprinted(words), f"page {number}: {_overprinted(words)[:5]}"


@pytest.fixture(scope="module")
def rendered(
    sample_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[list[Word]]]:
    folder = tmp_path_factory.mktemp("render")
    database = folder / "att.sqlite"
    shutil.copyfile(sample_template, database)
    database.chmod(0o600)
    runner = CliRunner()
    env = {**os.environ, "ATT_DB": str(database)}
    for args in (
        ["tsm", "prepare", "--school", "castle", "--output", str(folder / "pack.xlsx")],
        ["report", "la", "--output", str(folder / "la.xlsx")],
    ):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, result.output
    return {name: _pages(_render(folder / f"{name}.xlsx", folder)) for name in ("pack", "la")}


def _text(words: list[Word]) -> str:
    return " ".join(w[0] for w in words)


def test_pack_prints_readable_with_nothing_overprinted(rendered) -> None:  # type: ignore[no-untyped-def]
    _check_readable(rendered["pack"])


def test_pack_pupil_pages_each_show_the_names(rendered) -> None:  # type: ignore[no-untyped-def]
    pupil_pages = [p for p in rendered["pack"] if "Persistent absence (10% or more)" in _text(p)]
    assert len(pupil_pages) >= 2  # the sheet runs onto a second page across
    for words in pupil_pages:  # the header row and the name columns print on every page
        assert {"UPN", "Surname", "Forename"} <= {w[0] for w in words}


def test_la_report_prints_readable_with_the_chart_on_a_page_of_its_own(rendered) -> None:  # type: ignore[no-untyped-def]
    _check_readable(rendered["la"])
    (chart_page,) = [p for p in rendered["la"] if "(national" in _text(p)]
    assert "Schools ranked by persistent absence rate" not in _text(chart_page)
    assert "Castle Hill Academy" in _text(chart_page)
