from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attendance_cli.identifiers import is_valid_upn, make_upn, upn_check_letter, upn_problem


def test_domain_example_is_valid() -> None:
    assert upn_problem("B801200005001") is None


@pytest.mark.parametrize(
    "upn,fragment",
    [
        pytest.param("A801200005001", "check letter 'A'", id="wrong-check-letter"),
        pytest.param("B80120000500", "12 characters", id="too-short"),
        pytest.param("B8012000050011", "14 characters", id="too-long"),
        pytest.param("B8012000X5001", "not a check letter", id="letter-inside"),
        pytest.param("B80120000500I", "cannot use", id="temporary-with-I"),
    ],
)
def test_invalid_upns(upn: str, fragment: str) -> None:
    problem = upn_problem(upn)
    assert problem is not None and fragment in problem


def test_temporary_upn_with_final_letter() -> None:
    # the final letter is valued by its index in ABCDEFGHJKLMNPQRTUVWXYZ (A = 0)
    body = "80120000500A"
    # hand computation: digits 8,0,1,2,0,0,0,0,5,0,0 with weights 2..12, then A (0) x 13
    total = 8 * 2 + 0 * 3 + 1 * 4 + 2 * 5 + 5 * 10
    alphabet = "ABCDEFGHJKLMNPQRTUVWXYZ"
    assert upn_check_letter(body) == alphabet[total % 23]
    assert is_valid_upn(alphabet[total % 23] + body)


@given(
    la=st.integers(200, 999),
    establishment=st.integers(1000, 7999),
    year=st.integers(0, 99),
    serial=st.integers(0, 999),
)
def test_made_upns_are_valid_and_other_letters_are_not(
    la: int, establishment: int, year: int, serial: int
) -> None:
    upn = make_upn(la, establishment, year, serial)
    assert is_valid_upn(upn)
    for letter in "ABCZ":
        if letter != upn[0]:
            assert not is_valid_upn(letter + upn[1:])
