"""count_many's one-pass lane counting: whole years (more marks than a lane holds in one block)
and the corrupt-character check, with counts worked out by hand."""

from __future__ import annotations

import pytest

from attendance_cli.analysis.counts import count_many
from attendance_cli.errors import InvalidInputError
from attendance_cli.marks import YEAR_LENGTH


def _year(pattern: str) -> str:
    return (pattern * YEAR_LENGTH)[:YEAR_LENGTH]


@pytest.mark.parametrize(
    ("text", "lo", "hi", "expected"),
    [
        # 540 present marks: 540 > 255, so a lane must never carry between blocks
        pytest.param(_year("/"), 0, YEAR_LENGTH, {"present": 540}, id="whole-year-present"),
        # "/L" repeated: 270 '/' and 270 'L' (present and late)
        pytest.param(_year("/L"), 0, YEAR_LENGTH, {"present": 540, "late": 270}, id="late-half"),
        # "OU#-": 135 each: O and U unauthorised (U also late), # not possible, - missing
        pytest.param(
            _year("OU#-"),
            0,
            YEAR_LENGTH,
            {"unauthorised": 270, "late": 135, "not_possible": 135, "missing": 135},
            id="four-kinds",
        ),
        # positions 250..260 of "/O": 250, 252, ..., 258 are '/', the odd ones 'O'
        pytest.param(_year("/O"), 250, 260, {"present": 5, "unauthorised": 5}, id="across-a-block"),
        pytest.param(_year("/"), 7, 7, {}, id="empty-span"),
    ],
)
def test_counts_by_hand(text: str, lo: int, hi: int, expected: dict[str, int]) -> None:
    counts = count_many([text], lo, hi).at(0)
    fields = ("present", "aea", "authorised", "unauthorised", "not_possible", "missing", "late")
    assert {f: getattr(counts, f) for f in fields if getattr(counts, f)} == expected


def test_a_character_that_is_no_code_is_refused() -> None:
    good = _year("/")
    bad = good[:300] + "~" + good[301:]
    with pytest.raises(InvalidInputError, match="Mark string 1 holds a character"):
        count_many([good, bad])
    assert count_many([good, bad], 0, 300).present.tolist() == [300, 300]
