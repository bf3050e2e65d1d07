"""Matching the column headers school systems export to the fields att knows.

Headers are compared case-, space- and punctuation-insensitively ("Pupil UPN", "pupil_upn" and
"PUPIL UPN" are one header) against a list of synonyms per field. Grid session columns are
recognised by ``parse_session_header``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

SYNONYMS: dict[str, tuple[str, ...]] = {
    "upn": ("upn", "pupilupn", "studentupn", "uniquepupilnumber", "pupilnumberupn"),
    "surname": ("surname", "legalsurname", "lastname", "familyname", "preferredsurname"),
    "forename": ("forename", "legalforename", "firstname", "givenname", "preferredforename"),
    "name": (
        "name",
        "pupilname",
        "studentname",
        "fullname",
        "pupil",
        "student",
        "learner",
        "learnername",
        "childname",
        "legalname",
        "surnameforename",
        "namesurnameforename",
    ),
    "registration_group": (
        "reg",
        "reggroup",
        "regroup",
        "registrationgroup",
        "regform",
        "form",
        "formgroup",
        "tutorgroup",
        "tutor",
        "class",
        "classname",
        "regclass",
        "reggrp",
        "formclass",
        "tutorgrp",
        "registrationform",
    ),
    "admission_number": ("adno", "admissionnumber", "admissionno", "admno", "adnumber"),
    "year_group": ("year", "yeargroup", "ncyear", "nationalcurriculumyear", "yr", "yeargrp"),
    "laestab": (
        "laestab",
        "dfenumber",
        "dfeno",
        "dfe",
        "laestabnumber",
        "estabnumber",
        "schoollaestab",
    ),
    "date": ("date", "sessiondate", "attendancedate", "registerdate"),
    "session": ("session", "ampm", "amorpm", "sessionname", "amsession"),
    "mark": ("mark", "code", "attendancecode", "attendancemark", "sessionmark", "markcode"),
    "school_name": ("schoolname", "school", "establishmentname", "establishment"),
    "phase": ("phase", "schoolphase"),
    "date_of_birth": ("dob", "dateofbirth", "birthdate"),
    "gender": ("gender", "sex"),
    "entry_date": ("entrydate", "dateofentry", "admissiondate", "startdate", "onrolldate"),
    "leaving_date": ("leavingdate", "dateofleaving", "leavedate", "enddate", "offrolldate"),
    "fsm": ("fsm", "fsmeligible", "freeschoolmeals", "fsmeligibility"),
    "sen": ("sen", "senprovision", "senstatus", "send"),
    "social_worker": ("socialworker", "cincp", "cinstatus", "socialcare", "cinorcp"),
    "looked_after": ("lookedafter", "cla", "lac", "lookedafterchild", "childlookedafter"),
}

_LOOKUP = {synonym: field for field, synonyms in SYNONYMS.items() for synonym in synonyms}

CONTACT_FIELDS: dict[str, str] = {
    "name": "name",
    "fullname": "name",
    "relationship": "relationship",
    "relation": "relationship",
    "address": "address",
    "phone": "phone",
    "telephone": "phone",
    "mobile": "phone",
    "email": "email",
    "parentalresponsibility": "parental_responsibility",
    "pr": "parental_responsibility",
}
_CONTACT = re.compile(
    r"^(?:parentcarer|parent|carer|contact)(\d)(" + "|".join(CONTACT_FIELDS) + r")$"
)


@functools.lru_cache(maxsize=8192)
def normalise_header(header: str) -> str:
    return re.sub(r"[^0-9a-z]", "", header.lower())


def field_for(header: str) -> str | None:
    """The att field a header means, e.g. ``"Pupil UPN" -> "upn"``; None if unknown."""
    return _LOOKUP.get(normalise_header(header))


def contact_field_for(header: str) -> tuple[int, str] | None:
    """``"Parent 2 Phone" -> (2, "phone")``; None if not a parent/carer column."""
    match = _CONTACT.match(normalise_header(header))
    if not match:
        return None
    return int(match.group(1)), CONTACT_FIELDS[match.group(2)]


_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?"
_DATE = (
    r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"|\d{1,2}(?P<sep>[/.-])\d{1,2}(?P=sep)(?:\d{4}|\d{2})"
    r"|\d{1,2}(?:st|nd|rd|th)?[\s-]+[a-z]{3,9}\.?,?[\s-]+(?:\d{4}|\d{2})"
)
_SESSION_HEADER = re.compile(
    rf"^\s*(?:{_WEEKDAY}[\s,]*)?"
    rf"(?P<date>{_DATE})"
    rf"(?:[\s,]*{_WEEKDAY})?"
    r"[\s_:-]*\(?(?P<session>am|pm)\)?\s*$",
    re.IGNORECASE,
)
_SESSION_FIRST_HEADER = re.compile(  # "AM 03/09/2025", "PM - Wed 03/09/25"
    rf"^\s*(?P<session>am|pm)[\s_:,-]*(?:{_WEEKDAY}[\s,]*)?(?P<date>{_DATE})\s*$",
    re.IGNORECASE,
)
_WEEK_HEADER = re.compile(
    r"^\s*(?:(?:w/?c|w/?b|wk\s*beg(?:inning)?|week\s+(?:beginning|commencing|starting)|week\s+of)"
    rf"[\s:.]*)?(?:{_WEEKDAY}[\s,]*)?(?P<date>{_DATE}|\d{{5}})\s*$",
    re.IGNORECASE,
)


class SessionHeader:
    """A grid column header that names a session; ``date`` is None when the date is invalid."""

    __slots__ = ("date", "session", "problem", "text")

    def __init__(
        self, date: dt.date | None, session: int, problem: str | None, text: str = ""
    ) -> None:
        self.date = date
        self.session = session
        self.problem = problem
        self.text = text  # the date as written in the header


@functools.lru_cache(maxsize=8192)  # an LA's files repeat the same headers: parse each once
def parse_session_header(header: str) -> SessionHeader | None:
    """``"2025-09-03 AM"``, ``"Wed 03/09/25 PM"``, ``"Mon 01 Sep 2025 AM"`` -> SessionHeader;
    None if not a session."""
    match = _SESSION_HEADER.match(header) or _SESSION_FIRST_HEADER.match(header)
    if not match:
        return None
    session = 0 if match.group("session").lower() == "am" else 1
    from attendance_cli.registers.values import parse_date

    date, problem = parse_date(match.group("date"))
    return SessionHeader(date, session, problem, match.group("date"))


@functools.lru_cache(maxsize=8192)
def parse_week_header(header: str) -> tuple[dt.date | None, str | None] | None:
    """A weekly-grid column header (the week's Monday: ``01/09/2025``, ``w/c Mon 01 Sep 2025``,
    an Excel date) -> (date, problem); None when the header is not a date."""
    match = _WEEK_HEADER.match(header)
    if not match:
        return None
    from attendance_cli.registers.values import parse_date

    return parse_date(match.group("date"), allow_serial=True)


def session_date_text(header: str) -> str | None:
    """The date as written in a session header (for the US-order check)."""
    match = (
        _SESSION_HEADER.match(header)
        or _SESSION_FIRST_HEADER.match(header)
        or _WEEK_HEADER.match(header)
    )
    return match.group("date") if match else None


_TOTALS = re.compile(
    r"possible|attended|attendance(?:rate|percent|pct)?$|^present(?:sessions)?$|absence|absent"
    r"|authorised|unauthorised|^pa$|persistent|percent|pct|rate$|^sessions$|^(?:total|count)"
)


def is_totals_header(header: str) -> bool:
    """A column of totals (sessions possible, attended, absence %, ...), not of marks."""
    key = normalise_header(header.replace("%", "percent"))
    return bool(key) and field_for(header) is None and bool(_TOTALS.search(key))
