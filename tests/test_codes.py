"""The code table against ../shared/domain/attendance-rules.md, written out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from attendance_cli import codes
from attendance_cli.codes import Category

# Every code of the 2024 set with its category, copied from the domain rules.
EXPECTED_2024 = {
    **dict.fromkeys(["/", "\\", "L"], "present"),
    **dict.fromkeys(["K", "V", "P", "W", "B"], "aea"),
    **dict.fromkeys(["C1", "M", "J1", "S", "C2", "C", "T", "R", "I", "E"], "authorised"),
    **dict.fromkeys(["G", "N", "O", "U"], "unauthorised"),
    **dict.fromkeys(
        ["D", "Q", "X", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Z", "#"], "not_possible"
    ),
}
EXPECTED_2006 = {
    **dict.fromkeys(["/", "\\", "L"], "present"),
    **dict.fromkeys(["B", "J", "P", "V", "W"], "aea"),
    **dict.fromkeys(["C", "E", "H", "F", "I", "M", "R", "S", "T"], "authorised"),
    **dict.fromkeys(["G", "N", "O", "U"], "unauthorised"),
    **dict.fromkeys(["D", "X", "Y", "Z", "#"], "not_possible"),
}


@pytest.mark.parametrize("code,category", sorted(EXPECTED_2024.items()))
def test_2024_code_category(code: str, category: str) -> None:
    assert codes.CODES_2024[code].category.value == category
    assert codes.lookup(code, dt.date(2025, 9, 3)) is not None


@pytest.mark.parametrize("code,category", sorted(EXPECTED_2006.items()))
def test_2006_code_category(code: str, category: str) -> None:
    assert codes.CODES_2006[code].category.value == category
    assert codes.lookup(code, dt.date(2023, 9, 4)) is not None


def test_sets_hold_exactly_the_documented_codes() -> None:
    assert set(codes.CODES_2024) == set(EXPECTED_2024)
    assert set(codes.CODES_2006) == set(EXPECTED_2006)


@pytest.mark.parametrize(
    "date,expected",
    [
        pytest.param(dt.date(2024, 8, 18), "2006", id="day-before-2024-set"),
        pytest.param(dt.date(2024, 8, 19), "2024", id="first-day-of-2024-set"),
        pytest.param(dt.date(2023, 9, 1), "2006", id="2023-24-year"),
        pytest.param(dt.date(2025, 9, 3), "2024", id="2025-26-year"),
    ],
)
def test_code_set_in_force(date: dt.date, expected: str) -> None:
    assert codes.code_set_name(date) == expected


@pytest.mark.parametrize(
    "code,date,valid",
    [
        pytest.param("J", dt.date(2024, 8, 16), True, id="J-valid-2006"),
        pytest.param("J", dt.date(2024, 8, 19), False, id="J-invalid-2024"),
        pytest.param("J1", dt.date(2024, 8, 16), False, id="J1-invalid-2006"),
        pytest.param("J1", dt.date(2024, 8, 19), True, id="J1-valid-2024"),
        pytest.param("H", dt.date(2025, 1, 6), False, id="H-gone-in-2024"),
        pytest.param("Y", dt.date(2025, 1, 6), False, id="bare-Y-gone-in-2024"),
        pytest.param("Y4", dt.date(2024, 1, 8), False, id="Y4-not-in-2006"),
        pytest.param("K", dt.date(2024, 1, 8), False, id="K-new-in-2024"),
    ],
)
def test_validity_by_date(code: str, date: dt.date, valid: bool) -> None:
    assert (codes.lookup(code, date) is not None) is valid


def test_meaning_changes_between_sets() -> None:
    # J was an approved educational activity (attended); J1 is an authorised absence.
    assert codes.CODES_2006["J"].category is Category.AEA
    assert codes.CODES_2024["J1"].category is Category.AUTHORISED


@pytest.mark.parametrize("table", [codes.CODES_2006, codes.CODES_2024], ids=["2006", "2024"])
def test_stored_characters_are_single_and_unique(table: dict[str, codes.Code]) -> None:
    stored = [c.stored for c in table.values()]
    assert all(len(s) == 1 for s in stored)
    assert len(set(stored)) == len(stored)
    assert codes.NO_MARK not in stored and codes.MISSING_MARK not in stored


def test_a_stored_character_means_one_category_in_both_sets() -> None:
    for code in codes.CODES_2006.values():
        for other in codes.CODES_2024.values():
            if code.stored == other.stored:
                assert code.category is other.category, code.code


@pytest.mark.parametrize(
    "raw,normalised",
    [(" c1 ", "C1"), ("c 2", "C2"), ("n", "N"), ("/", "/"), ("y 7", "Y7"), ("\t#", "#")],
)
def test_normalise_code(raw: str, normalised: str) -> None:
    assert codes.normalise_code(raw) == normalised


def test_possible_and_attended_flags() -> None:
    assert Category.PRESENT.is_possible and Category.PRESENT.is_attended
    assert Category.AEA.is_possible and Category.AEA.is_attended
    assert Category.AUTHORISED.is_possible and Category.AUTHORISED.is_absent
    assert Category.UNAUTHORISED.is_possible and Category.UNAUTHORISED.is_absent
    assert not Category.NOT_POSSIBLE.is_possible
    assert not Category.MISSING.is_possible
    assert not Category.NO_MARK.is_possible


def test_describe_stored_round_trip() -> None:
    day = dt.date(2025, 9, 3)
    for code in codes.CODES_2024.values():
        written, meaning, category = codes.describe_stored(code.stored, day)
        assert written == code.code and meaning == code.meaning and category == code.category.value
