"""Pupil and school identifiers: UPN (with its check letter), LAESTAB, URN."""

from __future__ import annotations

import re

_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O, S
_UPN_SHAPE = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")
_LAESTAB_SHAPE = re.compile(r"^\d{7}$")


def upn_check_letter(body: str) -> str:
    """Check letter for the 12 characters after it (positions 2-13, weights 2..13)."""
    total = 0
    for weight, char in enumerate(body, start=2):
        total += weight * (int(char) if char.isdigit() else _ALPHABET.index(char))
    return _ALPHABET[total % 23]


def normalise_upn(raw: str) -> str:
    return "".join(raw.split()).upper()


def upn_problem(upn: str) -> str | None:
    """Why a (normalised) UPN is invalid, or None when it is valid."""
    if not upn.isascii():
        return f"UPN {upn!r} holds characters that are not plain ASCII letters and digits"
    if len(upn) != 13:
        return f"UPN {upn!r} has {len(upn)} characters; a UPN has 13"
    if not _UPN_SHAPE.match(upn):
        return f"UPN {upn!r} is not a check letter, 11 digits and a digit or letter (temporary UPN)"
    last = upn[12]
    if last.isalpha() and last not in _ALPHABET:
        return f"UPN {upn!r} ends in {last!r}, which a temporary UPN cannot use"
    expected = upn_check_letter(upn[1:])
    if upn[0] != expected:
        return f"UPN {upn!r} has check letter {upn[0]!r}; the digits give {expected!r}"
    return None


def is_valid_upn(upn: str) -> bool:
    return upn_problem(upn) is None


def make_upn(la: int, establishment: int, year: int, serial: int) -> str:
    """A valid permanent UPN (used by the sample data generators and tests)."""
    body = f"{la:03d}{establishment:04d}{year % 100:02d}{serial:03d}"
    return upn_check_letter(body) + body


def normalise_laestab(raw: str) -> str:
    return "".join(ch for ch in raw if ch.isdigit()) if re.fullmatch(r"[\d\s/-]+", raw) else raw


def is_valid_laestab(value: str) -> bool:
    return bool(_LAESTAB_SHAPE.match(value))
