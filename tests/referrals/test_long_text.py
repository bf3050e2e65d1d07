"""Long officer text in the bundle (issue 13: export time grew faster than the text): a note
longer than a table cell can hold is shown by its beginning in the chronology and printed whole,
in order, under "Long entries in full" (bench/bench_long_notes.py measures the time)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from attendance_cli.cases import notes
from attendance_cli.referrals.pdf import LONG_ENTRY, _pieces
from tests.referrals.builders import HARVEY, OFFICER, build_case
from tests.referrals.test_bundle import _export, _pdf_text


@pytest.mark.parametrize(
    ("text", "size", "pieces"),
    [
        pytest.param("short", 10, ["short"], id="fits"),
        pytest.param("aaa bbb ccc", 8, ["aaa bbb", "ccc"], id="cut-at-the-last-space"),
        pytest.param("aaa\nbbb ccc", 9, ["aaa", "bbb ccc"], id="cut-at-a-line-end-first"),
        pytest.param("abcdefghij", 4, ["abcd", "efgh", "ij"], id="one-long-word"),
    ],
)
def test_pieces(text: str, size: int, pieces: list[str]) -> None:
    assert list(_pieces(text, size)) == pieces


def test_a_long_note_is_shown_in_the_chronology_and_printed_whole(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    build_case(sample_conn, sample_db, tmp_path)
    marked = " ".join(f"[mark {n}] the family said more about the holiday." for n in range(400))
    assert len(marked) > 5 * LONG_ENTRY
    notes.add_note(sample_conn, upn=HARVEY, text=marked, officer=OFFICER)
    out = tmp_path / "bundle.zip"
    _export(sample_conn, sample_db, out)
    pages = _pdf_text(out)
    chronology = next(i for i, p in enumerate(pages) if "Chronology of support" in p)
    full = next(i for i, p in enumerate(pages) if p.lstrip().startswith("Long entries in full"))
    assert full > chronology
    shown = " ".join(pages[chronology:full])
    assert "continued: printed in full" in re.sub(r"\s+", " ", shown)
    assert "[mark 399]" not in shown  # the cell shows the beginning only
    printed = re.sub(r"\s+", " ", " ".join(pages[full:]))
    numbers = [int(n) for n in re.findall(r"\[mark (\d+)\]", printed)]
    assert numbers == list(range(400))  # every piece, once, in order
