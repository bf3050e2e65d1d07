"""Generate the fictional sample local authority in ``sample_data/``.

Kestrelford Borough Council (LA 899) and everyone in it are invented: names are drawn from lists
of common first names and surnames, phone numbers come from Ofcom's drama range (07700 900xxx),
e-mail addresses use example.com and the "KF" postcode area does not exist.

The period is the autumn term of 2025/26 "to date": Wednesday 3 September to Friday 14 November
2025, with half-term (27-31 October) a holiday with no sessions. Four schools, one register
format each, so every supported format is exercised. Most pupils are generated at random (fixed
seed); the pupils in ``build_cases()`` are written by hand so their figures are exact by construction.
The generator recomputes every figure from the marks it writes (DfE definitions, codes from
``attendance_cli.codes``), checks the hand-designed ones and prints them into README.md.

Run ``python sample_data/generate.py [OUTDIR]`` (default: this folder). The output is the same,
byte for byte, on every run: fixed seed, no timestamps (the XLSX zip entries and document
properties get a fixed date).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import math
import random
import re
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from attendance_cli.codes import CODES_2024, MISSING_MARK, UNAUTHORISED_CODES, Category
from attendance_cli.identifiers import make_upn

HERE = Path(__file__).resolve().parent
SEED = 8992025
LA_CODE = 899
LA_NAME = "Kestrelford Borough Council"
PERIOD_START = dt.date(2025, 9, 3)
PERIOD_END = dt.date(2025, 11, 14)
HALF_TERM = (dt.date(2025, 10, 27), dt.date(2025, 10, 31))
INSET_DAY = dt.date(2025, 10, 17)  # planned closure at every school: '#'
FIXED_TIMESTAMP = dt.datetime(2025, 11, 14, 16, 0, 0)  # for XLSX properties and zip entries
PRESENT_MARKS = ("/", "\\")  # AM, PM
SESSION_NAMES = ("AM", "PM")
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # never locale-dependent


def d(month: int, day: int) -> dt.date:
    """A date in the autumn term of 2025 (the whole period is in 2025)."""
    return dt.date(2025, month, day)


def _school_days() -> list[dt.date]:
    days = []
    day = PERIOD_START
    while day <= PERIOD_END:
        if day.weekday() < 5 and not HALF_TERM[0] <= day <= HALF_TERM[1]:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


DAYS = _school_days()  # 48 days
SESSIONS = [(day, session) for day in DAYS for session in (0, 1)]  # 96 sessions
INDEX = {slot: i for i, slot in enumerate(SESSIONS)}
SCHOOL_WEEKS = sorted({day - dt.timedelta(days=day.weekday()) for day in DAYS})  # 10 weeks


def days_between(
    first: dt.date, last: dt.date, weekdays: Iterable[int] = range(5)
) -> list[dt.date]:
    """School days first..last (inclusive) falling on the given weekdays (0 = Monday)."""
    wanted = set(weekdays)
    return [day for day in DAYS if first <= day <= last and day.weekday() in wanted]


# --------------------------------------------------------------------------------------------
# Schools, people and enrolments


@dataclass(frozen=True)
class School:
    laestab: int
    name: str
    short: str
    phase: str
    year_sizes: dict[int, int]  # year group (0 = Reception) -> enrolments wanted
    marks_file: str
    format_note: str
    closures: dict[dt.date, str] = field(default_factory=dict)  # whole-school not-possible days

    @property
    def establishment(self) -> int:
        return self.laestab % 10000


RIVERSIDE = School(
    8992001,
    "Riverside Primary School",
    "Riverside",
    "Primary",
    {0: 17, 1: 17, 2: 17, 3: 17, 4: 17, 5: 17, 6: 18},
    "riverside_primary_grid.csv",
    "grid CSV: `UPN,Surname,Forename,Year`, then one column per session headed `2025-09-03 AM`; "
    "an empty cell means not on roll that session",
    {INSET_DAY: "#"},
)
CASTLE_HILL = School(
    8994001,
    "Castle Hill Academy",
    "Castle Hill",
    "Secondary",
    {7: 36, 8: 36, 9: 36, 10: 36, 11: 36},
    "castle_hill_marks.csv",
    "long CSV: `UPN,Surname,Forename,Year,Date,Session,Mark,LAESTAB`, one row per pupil-session "
    "on roll, dates `dd/mm/yyyy`, Session `AM`/`PM`",
    {INSET_DAY: "#"},
)
ST_ANNES = School(
    8992002,
    "St Anne's CE Primary School",
    "St Anne's",
    "Primary",
    {0: 8, 1: 9, 2: 9, 3: 8, 4: 9, 5: 8, 6: 9},
    "st_annes_grid.xlsx",
    "grid XLSX, sheet `Attendance`: `Pupil UPN,Legal Surname,Legal Forename,Year Group`, then "
    "session columns headed like `Wed 03/09/2025 AM`; an empty cell means not on roll",
    {INSET_DAY: "#", d(11, 4): "Y4"},  # boiler failure: whole site unexpectedly closed
)
MEADOWBANK = School(
    8997001,
    "Meadowbank Pupil Referral Unit",
    "Meadowbank",
    "Pupil referral unit",
    {7: 2, 8: 3, 9: 4, 10: 5, 11: 6},
    "meadowbank_marks.xlsx",
    "long XLSX, sheet `Marks`: `UPN,Date,AM/PM,Attendance Code`, Date a real Excel date; "
    "one row per pupil-session on roll",
    {INSET_DAY: "#"},
)
SCHOOLS = (RIVERSIDE, CASTLE_HILL, ST_ANNES, MEADOWBANK)


@dataclass
class Parent:
    name: str
    relationship: str
    address: str
    phone: str
    email: str
    responsibility: bool


@dataclass
class Family:
    surname: str
    parents: list[Parent]


@dataclass
class Pupil:
    upn: str
    surname: str
    forename: str
    dob: dt.date
    gender: str
    year: int  # national curriculum year, 0 = Reception
    family: Family
    fsm: bool = False
    sen: str = "N"
    social_worker: str = ""
    looked_after: bool = False

    @property
    def name(self) -> str:
        return f"{self.forename} {self.surname}"


@dataclass(frozen=True)
class Case:
    """A hand-designed pupil: what it shows, what the TSM pack should say, the exact figures."""

    key: str
    shows: str
    tsm: str
    possible: int
    absent: int
    unauthorised: int


@dataclass
class Enrolment:
    pupil: Pupil
    school: School
    entry: dt.date
    leaving: dt.date | None = None
    case: Case | None = None
    marks: list[str | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.marks = []
        for day, session in SESSIONS:
            if day < self.entry or (self.leaving is not None and day > self.leaving):
                self.marks.append(None)
            else:
                self.marks.append(self.school.closures.get(day, PRESENT_MARKS[session]))

    def set(self, day: dt.date, session: int, code: str, *, strict: bool = True) -> bool:
        """Replace a present mark; strict (hand-designed pupils) refuses anything else."""
        i = INDEX[(day, session)]
        if self.marks[i] not in PRESENT_MARKS:
            if strict:
                raise ValueError(
                    f"{self.pupil.upn} {day} {SESSION_NAMES[session]}: {self.marks[i]!r}"
                )
            return False
        self.marks[i] = code
        return True

    def days(self, days: Iterable[dt.date], code: str, sessions: Iterable[int] = (0, 1)) -> None:
        for day in days:
            for session in sessions:
                self.set(day, session, code)

    def force(self, days: Iterable[dt.date], code: str, sessions: Iterable[int] = (0, 1)) -> None:
        """Set not-possible marks (D, Q, Z...) even where no present mark stands."""
        for day in days:
            for session in sessions:
                self.marks[INDEX[(day, session)]] = code


# --------------------------------------------------------------------------------------------
# Names and contact details (all invented)


def _words(text: str, separator: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(separator))


GIRLS = _words(
    "Amelia Olivia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Willow Freya Florence Emily "
    "Ella Poppy Evie Elsie Charlotte Evelyn Sienna Daisy Phoebe Sofia Harper Alice Matilda Ruby "
    "Maya Aria Esme Layla Hallie Zara Imogen Jessica Millie Erin Nancy Aisha Amira Hannah Chloe "
    "Leah Niamh Megan Holly Eliza Maryam Zainab Priya Anya Lucy Molly Scarlett Beatrice Orla Thea "
    "Nia"
)
BOYS = _words(
    "Oliver George Noah Arthur Muhammad Leo Harry Oscar Archie Henry Theodore Freddie Jack Charlie "
    "Theo Alfie Jacob Thomas Finley Arlo William Lucas Roman Tommy Isaac Teddy Alexander Luca "
    "Edward James Joshua Albie Elijah Max Mohammed Reggie Ezra Louie Harrison Hugo Sonny Rory "
    "Ethan Jude Kai Dylan Callum Ryan Zain Yusuf Ibrahim Aarav Kacper Jakub Samuel Daniel Joseph "
    "Benjamin Riley Ollie"
)
WOMEN = _words(
    "Sarah Emma Laura Rebecca Gemma Kirsty Natalie Hayley Stacey Nicola Fatima Nasreen Joanne "
    "Claire Michelle Amy Katie Leanne Samantha Agnieszka Ruth Abena Helen Victoria Rachel Shabana "
    "Donna Lisa Charlotte Jade"
)
MEN = _words(
    "David Daniel Paul Mark Lee Craig Wayne Jamie Stephen Andrew Richard Imran Tariq Kwame Piotr "
    "Gareth Darren Carl Matthew Christopher Simon Neil Adam Kevin Shahid Tomasz Jason Ross Dean "
    "Martin"
)
SURNAMES = _words(
    "Adams Ahmed Ali Allen Appleby Armstrong Ashworth Atkinson Bailey Baker Barker Barnes Bates "
    "Bell Bennett Bibi Bird Bishop Bradley Brennan Brooks Brown Burgess Butler Campbell Carter "
    "Chambers Chapman Chowdhury Clark Clarke Cole Collins Cook Cooper Cox Cunningham Dale Davies "
    "Dawson Dixon Doherty Douglas Duffy Edwards Ellis Evans Farrell Fernandes Fisher Fleming "
    "Fletcher Ford Foster Fox Gallagher Gardner Gibson Goddard Graham Grant Gray Green Griffiths "
    "Hall Hamilton Harper Harris Hart Hayes Henderson Hill Holmes Hughes Hunt Hussain Iqbal "
    "Jackson Jenkins Johnson Jones Kaur Kelly Kennedy Khan King Knight Kowalski Lambert Lawrence "
    "Lee Lewis Lloyd Marsh Marshall Mason Matthews Miah Miller Mills Mitchell Moore Morgan Morris "
    "Murphy Murray Nowak O'Brien O'Connor Osei Owen Palmer Parker Patel Pearson Perry Phillips "
    "Pike Powell Price Quinn Rahman Reid Reynolds Richards Roberts Robinson Rogers Rose Ross "
    "Russell Saunders Scott Shah Sharma Shaw Simpson Singh Slater Spencer Stevens Stone Sutton "
    "Taylor Thomas Thompson Turner Walker Walsh Ward Watson Webb Wells West White Wilkinson "
    "Williams Wilson Wood Wright Young Zielinski"
)
STREETS = _words(
    "Willow Lane|Station Road|Church Street|Mill Lane|Park Avenue|Orchard Close|Victoria Road|"
    "Meadow View|Chapel Street|Heron Way|Foundry Lane|Kingfisher Drive|Barley Close|Canal Street|"
    "Alder Grove|Ferry Road|Lime Tree Walk|Castle Hill Road|Riverside Terrace|Brook Street|"
    "Greenfield Avenue|Rowan Crescent|Nightingale Road|Quarry Lane|Market Street|Tannery Row|"
    "Weavers Court|Hawthorn Rise|Saxon Way|Bramble Close",
    "|",
)
AREAS = ("Kestrelford", "Upper Alder", "Nethermoor", "Kestrel Green", "Alder Cross", "Holmbrook")
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


class People:
    """Deterministic source of invented names, addresses, phone numbers and e-mails."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        numbers = list(range(1000))
        rng.shuffle(numbers)
        self._phones = iter(numbers)
        self._emails: set[str] = set()
        self._addresses: set[str] = set()
        self.full_names: set[str] = set()
        self._serials: Counter[tuple[int, int]] = Counter()

    def phone(self) -> str:
        return f"07700 900{next(self._phones):03d}"

    def email(self, forename: str, surname: str) -> str:
        base = re.sub(r"[^a-z.]", "", f"{forename}.{surname}".lower())
        candidate, n = f"{base}@example.com", 1
        while candidate in self._emails:
            n += 1
            candidate = f"{base}{n}@example.com"
        self._emails.add(candidate)
        return candidate

    def address(self) -> str:
        while True:
            rng = self.rng
            number = rng.randint(1, 180)
            street, area = rng.choice(STREETS), rng.choice(AREAS)
            district = rng.randint(1, 9)
            inward = (
                f"{rng.randint(1, 9)}{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
            )
            town = "Kestrelford" if area == "Kestrelford" else f"{area}, Kestrelford"
            text = f"{number} {street}, {town} KF{district} {inward}"
            if text not in self._addresses:
                self._addresses.add(text)
                return text

    def upn(self, establishment: int, year: int) -> str:
        self._serials[(establishment, year)] += 1
        return make_upn(LA_CODE, establishment, year, self._serials[(establishment, year)])

    def parent(
        self,
        forename: str,
        surname: str,
        relationship: str,
        address: str,
        *,
        responsibility: bool = True,
        email: bool = True,
    ) -> Parent:
        return Parent(
            f"{forename} {surname}",
            relationship,
            address,
            self.phone(),
            self.email(forename, surname) if email else "",
            responsibility,
        )

    def random_family(self, surname: str) -> Family:
        """One or two parents/carers sharing an address (sometimes separated or a step-parent)."""
        rng = self.rng
        address = self.address()
        mother_surname = surname if rng.random() < 0.8 else rng.choice(SURNAMES)
        mother = (rng.choice(WOMEN), mother_surname, "Mother")
        father = (rng.choice(MEN), surname, "Father")
        first, other = (father, mother) if rng.random() < 0.15 else (mother, father)
        parents = [self.parent(*first, address, email=rng.random() < 0.9)]
        roll = rng.random()
        if roll < 0.45:  # both parents at home
            parents.append(self.parent(*other, address, email=rng.random() < 0.7))
        elif roll < 0.55:  # separated: the other parent lives elsewhere
            parents.append(self.parent(*other, self.address()))
        elif roll < 0.62 and first is mother:
            stepfather = (rng.choice(MEN), rng.choice(SURNAMES), "Stepfather")
            parents.append(self.parent(*stepfather, address, responsibility=False))
        elif roll < 0.66:
            grandmother = (rng.choice(WOMEN), mother_surname, "Grandmother")
            parents.append(
                self.parent(*grandmother, self.address(), responsibility=False, email=False)
            )
        return Family(surname, parents)

    def forename(self, gender: str) -> str:
        return self.rng.choice(GIRLS if gender == "F" else BOYS)


def reception_start(year_group: int) -> int:
    """Calendar year in which a pupil now in ``year_group`` started Reception."""
    return 2025 - year_group


def dob_for(rng: random.Random, year_group: int, *, month: int | None = None) -> dt.date:
    """A date of birth fitting the year group (born Sep..Aug of the right academic year)."""
    first = dt.date(2020 - year_group, 9, 1)
    if month is not None:
        year = first.year if month >= 9 else first.year + 1
        return dt.date(year, month, rng.randint(1, 28))
    return first + dt.timedelta(days=rng.randrange(365))


def first_day_of_autumn(year: int) -> dt.date:
    day = dt.date(year, 9, 3)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def year_label(year_group: int) -> str:
    return "R" if year_group == 0 else str(year_group)


# --------------------------------------------------------------------------------------------
# The hand-designed pupils


class Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.people = People(rng)
        self.enrolments: list[Enrolment] = []

    def pupil(
        self,
        forename: str,
        surname: str,
        gender: str,
        year: int,
        family: Family,
        *,
        upn_school: School | int,
        dob_month: int | None = None,
        **flags: object,
    ) -> Pupil:
        establishment = upn_school if isinstance(upn_school, int) else upn_school.establishment
        upn = self.people.upn(establishment, reception_start(year) % 100)
        self.people.full_names.add(f"{forename} {surname}")
        pupil = Pupil(
            upn, surname, forename, dob_for(self.rng, year, month=dob_month), gender, year, family
        )
        for name, value in flags.items():
            setattr(pupil, name, value)
        return pupil

    def enrol(
        self,
        pupil: Pupil,
        school: School,
        *,
        entry: dt.date | None = None,
        leaving: dt.date | None = None,
        case: Case | None = None,
    ) -> Enrolment:
        if entry is None:  # Reception or Year 7 start; PRU placements within the last year
            if school is MEADOWBANK:
                entry = dt.date(2024, 11, 4) + dt.timedelta(days=7 * self.rng.randrange(36))
            elif school.phase == "Primary":
                entry = first_day_of_autumn(2025 - pupil.year)
            else:
                entry = first_day_of_autumn(2025 - (pupil.year - 7))
        enrolment = Enrolment(pupil, school, entry, leaving, case)
        self.enrolments.append(enrolment)
        return enrolment


def build_cases(b: Builder) -> None:
    """The edge-case pupils. Every expected figure below is counted from the calendar:
    48 school days = 96 sessions; the INSET day (# on Fri 17 Oct) leaves 94 possible sessions
    for a full-period pupil, 92 at St Anne's (Y4 whole-site closure on Tue 4 Nov)."""
    p = b.people

    # --- Riverside Primary ------------------------------------------------------------------
    fam = Family(
        "Harcourt",
        [
            p.parent("Joanne", "Harcourt", "Mother", addr := p.address()),
            p.parent("Craig", "Harcourt", "Father", addr),
        ],
    )
    e = b.enrol(
        b.pupil("Maisie", "Harcourt", "F", 5, fam, upn_school=RIVERSIDE, sen="K"),
        RIVERSIDE,
        case=Case(
            "severe-exactly-50pct",
            "Severely absent at exactly 50%: 47 of 94 possible sessions (39 authorised I/M, "
            "8 unauthorised N/O). 2 x 47 = 94, so SA (and PA).",
            "Listed as severely absent; a joint plan must exist; also in the PA list.",
            possible=94,
            absent=47,
            unauthorised=8,
        ),
    )
    e.days(days_between(d(9, 15), d(9, 19)) + days_between(d(9, 29), d(10, 3)), "I")
    e.days(days_between(d(10, 13), d(10, 16)) + days_between(d(11, 3), d(11, 6)), "I")
    e.days([d(9, 9), d(9, 23), d(10, 21)], "M", sessions=[0])
    e.days([d(10, 7), d(10, 8)], "N")
    e.days([d(11, 10), d(11, 11)], "O")

    fam = Family("Pennick", [p.parent("Laura", "Pennick", "Mother", p.address())])
    e = b.enrol(
        b.pupil("Oscar", "Pennick", "M", 3, fam, upn_school=RIVERSIDE),
        RIVERSIDE,
        case=Case(
            "pa-just-below-10pct",
            "Just below PA: 9 of 94 = 9.57%, which ROUNDS to 10% but is not PA (10 x 9 = 90 < 94). "
            "At risk (7-10%).",
            "Not in the PA list; in the at-risk list.",
            possible=94,
            absent=9,
            unauthorised=0,
        ),
    )
    e.days([d(9, 10), d(9, 11), d(11, 4), d(11, 5)], "I")
    e.set(d(10, 2), 1, "M")

    fam = Family(
        "Ashdown",
        [
            p.parent("Natalie", "Ashdown", "Mother", addr := p.address()),
            p.parent("Gareth", "Ashdown", "Father", addr),
        ],
    )
    e = b.enrol(
        b.pupil("Willow", "Ashdown", "F", 2, fam, upn_school=RIVERSIDE),
        RIVERSIDE,
        case=Case(
            "at-risk-7pct",
            "At risk of PA: 7 of 94 = 7.45%.",
            "In the at-risk list only.",
            possible=94,
            absent=7,
            unauthorised=1,
        ),
    )
    e.days([d(9, 22), d(9, 23), d(11, 12)], "I")
    e.set(d(10, 9), 0, "N")
    e.set(d(9, 17), 0, "L")
    e.set(d(10, 15), 0, "L")

    # Calloway siblings: Riverside (Monday/Friday pattern) and Castle Hill (missing education?)
    calloway = Family("Calloway", [p.parent("Stacey", "Calloway", "Mother", p.address())])
    e = b.enrol(
        b.pupil("Tyler", "Calloway", "M", 4, calloway, upn_school=RIVERSIDE, fsm=True),
        RIVERSIDE,
        case=Case(
            "monday-friday-pattern",
            "PA with a Monday/Friday pattern: 7 whole days, all Mondays or Fridays: 14 of 94 = "
            "14.89% (8 I, 6 N/O). Sibling of Jayden Calloway at Castle Hill (same mother and "
            "address).",
            "PA list; the pattern (Mon/Fri) shown; sibling at Castle Hill flagged.",
            possible=94,
            absent=14,
            unauthorised=6,
        ),
    )
    e.days([d(9, 8), d(9, 19), d(10, 10), d(11, 10)], "I")
    e.days([d(9, 29), d(11, 7)], "O")
    e.days([d(10, 20)], "N")

    fam = Family(
        "Okafor",
        [
            p.parent("Abena", "Mensah", "Foster Carer", p.address(), responsibility=False),
            p.parent("Grace", "Okafor", "Mother", p.address(), email=False),
        ],
    )
    e = b.enrol(
        b.pupil(
            "Daniel",
            "Okafor",
            "M",
            6,
            fam,
            upn_school=RIVERSIDE,
            looked_after=True,
            sen="K",
            fsm=True,
        ),
        RIVERSIDE,
        case=Case(
            "looked-after-with-N",
            "Looked-after child with unexplained absence: 3 N sessions + 2 I = 5 of 94 = 5.32%.",
            "Not PA, but flagged: looked after (virtual school head) with N absences to follow up.",
            possible=94,
            absent=5,
            unauthorised=3,
        ),
    )
    e.days([d(9, 17), d(10, 1), d(11, 11)], "N", sessions=[0])
    e.days([d(10, 14)], "I")

    # The mover: Riverside until Fri 26 Sep, St Anne's from Mon 29 Sep (same UPN)
    fam = Family(
        "Lindqvist",
        [
            p.parent("Helen", "Lindqvist", "Mother", addr := p.address()),
            p.parent("Martin", "Lindqvist", "Father", addr),
        ],
    )
    mover = b.pupil("Elsa", "Lindqvist", "F", 3, fam, upn_school=RIVERSIDE)
    e = b.enrol(
        mover,
        RIVERSIDE,
        entry=first_day_of_autumn(2022),
        leaving=d(9, 26),
        case=Case(
            "mover-riverside",
            "Moved school: on roll at Riverside 3-26 Sep (18 days = 36 sessions); 6 absent "
            "(4 I, 2 O) = 16.67%. Blank cells after 26 Sep.",
            "Riverside's figure covers only its enrolment: PA at Riverside (left).",
            possible=36,
            absent=6,
            unauthorised=2,
        ),
    )
    e.days([d(9, 11), d(9, 12)], "I")
    e.days([d(9, 26)], "O")
    e = b.enrol(
        mover,
        ST_ANNES,
        entry=d(9, 29),
        case=Case(
            "mover-st-annes",
            "The same pupil at St Anne's from Mon 29 Sep: 30 days = 60 sessions less # and Y4 = "
            "56 possible; 3 absent (2 I, 1 M) = 5.36%.",
            "A separate enrolment with its own figure: not PA at St Anne's.",
            possible=56,
            absent=3,
            unauthorised=0,
        ),
    )
    e.days([d(10, 15)], "I")
    e.set(d(11, 12), 0, "M")

    fam = Family("Brightwell", [p.parent("Katie", "Brightwell", "Mother", p.address())])
    e = b.enrol(
        b.pupil("Finn", "Brightwell", "M", 1, fam, upn_school=RIVERSIDE),
        RIVERSIDE,
        entry=d(11, 3),
        case=Case(
            "joiner-riverside",
            "Joined Mon 3 Nov: blank cells before; 10 days = 20 possible; 1 M = 5.00%.",
            "Short enrolment; not PA.",
            possible=20,
            absent=1,
            unauthorised=0,
        ),
    )
    e.set(d(11, 6), 0, "M")

    fam = Family(
        "Varga",
        [
            p.parent("Agnieszka", "Varga", "Mother", addr := p.address()),
            p.parent("Tomasz", "Varga", "Father", addr),
        ],
    )
    e = b.enrol(
        b.pupil("Lena", "Varga", "F", 5, fam, upn_school=RIVERSIDE),
        RIVERSIDE,
        leaving=d(10, 10),
        case=Case(
            "leaver-riverside",
            "Left Fri 10 Oct: 28 days = 56 possible; 2 I = 3.57%. Blank cells after.",
            "Appears only for the dates on roll (left).",
            possible=56,
            absent=2,
            unauthorised=0,
        ),
    )
    e.days([d(9, 24)], "I")

    fam = Family("Quayle", [p.parent("Gemma", "Quayle", "Mother", p.address())])
    e = b.enrol(
        b.pupil("Poppy", "Quayle", "F", 0, fam, upn_school=RIVERSIDE, dob_month=7),
        RIVERSIDE,
        case=Case(
            "reception-x",
            "Reception child below compulsory school age, mornings only while settling in: X on "
            "8 afternoons (3-12 Sep) is not possible: 86 possible; 4 I = 4.65%.",
            "X never counts as absence.",
            possible=86,
            absent=4,
            unauthorised=0,
        ),
    )
    e.days(days_between(d(9, 3), d(9, 12)), "X", sessions=[1])
    e.days([d(10, 2), d(10, 3)], "I")

    # --- Castle Hill Academy ----------------------------------------------------------------
    fam = Family("Doyle", [p.parent("Leanne", "Doyle", "Mother", p.address(), email=False)])
    e = b.enrol(
        b.pupil("Kieran", "Doyle", "M", 9, fam, upn_school=2003, social_worker="CP", fsm=True),
        CASTLE_HILL,
        case=Case(
            "severe-child-protection",
            "Severely absent child on a child protection plan: from 22 Sep attends Wednesdays only. "
            "56 of 94 = 59.57% (28 I, 14 N, 14 O).",
            "SA list (joint plan); CP: the social worker must be told of the N/O absences; "
            "also over the penalty-notice threshold (28 unauthorised), where safeguarding "
            "comes first.",
            possible=94,
            absent=56,
            unauthorised=28,
        ),
    )
    e.days([d(9, 12)], "O")
    e.days(days_between(d(9, 22), PERIOD_END, [0]), "N")
    e.days(days_between(d(9, 22), PERIOD_END, [1, 3]), "I")
    e.days([day for day in days_between(d(9, 22), PERIOD_END, [4]) if day != INSET_DAY], "O")

    fam = Family(
        "Fairbairn",
        [
            p.parent("Rachel", "Fairbairn", "Mother", addr := p.address()),
            p.parent("Simon", "Fairbairn", "Father", addr),
        ],
    )
    e = b.enrol(
        b.pupil("Ruby", "Fairbairn", "F", 8, fam, upn_school=2004, sen="E"),
        CASTLE_HILL,
        case=Case(
            "pa-exactly-10pct",
            "PA at exactly 10%: LA transport failed Thu 2 and Fri 3 Oct (Y1, 4 sessions not "
            "possible) so 90 possible; 9 absent (6 I, 1 M, 2 N) = 10.00%. 10 x 9 = 90 >= 90.",
            "In the PA list (the boundary counts).",
            possible=90,
            absent=9,
            unauthorised=2,
        ),
    )
    e.days([d(10, 2), d(10, 3)], "Y1")
    e.days([d(9, 16), d(9, 17), d(11, 13)], "I")
    e.set(d(10, 8), 0, "M")
    e.days([d(10, 22)], "N")

    # Marsden siblings: Castle Hill and St Anne's, a term-time holiday together
    marsden = Family(
        "Marsden",
        [
            p.parent("Claire", "Marsden", "Mother", addr := p.address()),
            p.parent("Paul", "Marsden", "Father", addr),
        ],
    )
    e = b.enrol(
        b.pupil("Harvey", "Marsden", "M", 7, marsden, upn_school=ST_ANNES),
        CASTLE_HILL,
        case=Case(
            "penalty-threshold-holiday",
            "Term-time holiday not granted: G Wed 15 - Fri 24 Oct (7 days round the INSET day) = "
            "14 unauthorised sessions within 10 school weeks; 16 of 94 = 17.02%. Sibling of Isla "
            "Marsden at St Anne's.",
            "PA list; penalty notice must be considered (>= 10 unauthorised in 10 school weeks).",
            possible=94,
            absent=16,
            unauthorised=14,
        ),
    )
    e.days([day for day in days_between(d(10, 15), d(10, 24)) if day != INSET_DAY], "G")
    e.days([d(9, 18)], "I")

    fam = Family(
        "Whitlock",
        [
            p.parent("Donna", "Whitlock", "Mother", addr := p.address()),
            p.parent("Dean", "Pryce", "Stepfather", addr, responsibility=False),
        ],
    )
    e = b.enrol(
        b.pupil("Callum", "Whitlock", "M", 10, fam, upn_school=2005),
        CASTLE_HILL,
        case=Case(
            "penalty-nine-unauthorised",
            "Exactly 9 unauthorised sessions (4 U late after the register closed, 3 N, 2 O): one "
            "below the penalty-notice threshold. 11 of 94 = 11.70% with 2 I.",
            "PA list; NOT over the penalty-notice threshold (9 < 10). 4 U + 3 L = 7 late sessions.",
            possible=94,
            absent=11,
            unauthorised=9,
        ),
    )
    e.days([d(9, 9), d(9, 23), d(10, 7), d(11, 4)], "U", sessions=[0])
    e.days([d(9, 16), d(10, 21), d(11, 12)], "L", sessions=[0])
    e.days([d(10, 1)], "N")
    e.set(d(10, 14), 1, "N")
    e.days([d(11, 11)], "O")
    e.days([d(9, 25)], "I")

    e = b.enrol(
        b.pupil("Jayden", "Calloway", "M", 9, calloway, upn_school=RIVERSIDE, fsm=True, sen="K"),
        CASTLE_HILL,
        case=Case(
            "continuous-unauthorised-cme",
            "Not seen since Thu 16 Oct: N Mon 20 - Wed 22 Oct, O from Thu 23 Oct to the end = 15 "
            "school days (30 sessions) of continuous unauthorised absence, still running. 40 of "
            "94 = 42.55% (4 I, 36 unauthorised). Brother of Tyler Calloway at Riverside.",
            "PA list; >= 10 school days continuous unauthorised absence: the school must tell the "
            "LA; consider children missing education (CME); penalty threshold also passed.",
            possible=94,
            absent=40,
            unauthorised=36,
        ),
    )
    e.days([d(9, 10), d(9, 11)], "I")
    e.days([d(9, 26), d(10, 6)], "O")
    e.days([d(10, 10)], "N")
    e.days(days_between(d(10, 20), d(10, 22)), "N")
    e.days(days_between(d(10, 23), PERIOD_END), "O")

    # Dual registration: Castle Hill and Meadowbank from Mon 15 Sep
    fam = Family("Stroud", [p.parent("Kirsty", "Stroud", "Mother", p.address())])
    dual = b.pupil("Mason", "Stroud", "M", 10, fam, upn_school=2003, sen="K", fsm=True)
    e = b.enrol(
        dual,
        CASTLE_HILL,
        case=Case(
            "dual-registered-main",
            "Dual registered with Meadowbank from Mon 15 Sep: D on Mon-Wed (at the PRU) is not "
            "possible. 16 sessions 3-12 Sep + 15 Thu/Fri days (30) = 46 possible; suspended 10-12 "
            "Sep (6 E) + 4 O = 10 absent = 21.74%.",
            "PA at Castle Hill; one figure per school.",
            possible=46,
            absent=10,
            unauthorised=4,
        ),
    )
    e.force(days_between(d(9, 15), PERIOD_END, [0, 1, 2]), "D")
    e.days(days_between(d(9, 10), d(9, 12)), "E")
    e.days([d(10, 9), d(11, 7)], "O")
    e = b.enrol(
        dual,
        MEADOWBANK,
        entry=d(9, 15),
        case=Case(
            "dual-registered-pru",
            "The same pupil at Meadowbank from Mon 15 Sep, Mon-Wed: 24 days = 48 possible (D on "
            "Thu/Fri); 3 absent (N, M, O) = 6.25%.",
            "Not PA at Meadowbank.",
            possible=48,
            absent=3,
            unauthorised=2,
        ),
    )
    e.force([day for day in days_between(d(9, 15), PERIOD_END, [3, 4]) if day != INSET_DAY], "D")
    e.set(d(9, 22), 0, "N")
    e.set(d(10, 1), 1, "M")
    e.set(d(11, 10), 0, "O")

    fam = Family("Nwachukwu", [p.parent("Ruth", "Nwachukwu", "Mother", p.address())])
    e = b.enrol(
        b.pupil("Chidi", "Nwachukwu", "M", 7, fam, upn_school=2004),
        CASTLE_HILL,
        entry=d(10, 6),
        case=Case(
            "joiner-castle-hill",
            "In-year admission Mon 6 Oct: no rows before; 25 days less # = 48 possible; 2 I = "
            "4.17%.",
            "Short enrolment; not PA.",
            possible=48,
            absent=2,
            unauthorised=0,
        ),
    )
    e.days([d(11, 6)], "I")

    fam = Family(
        "Hollins",
        [
            p.parent("Lisa", "Hollins", "Mother", addr := p.address()),
            p.parent("Neil", "Hollins", "Father", addr),
        ],
    )
    e = b.enrol(
        b.pupil("Amber", "Hollins", "F", 11, fam, upn_school=2005),
        CASTLE_HILL,
        leaving=d(9, 19),
        case=Case(
            "leaver-castle-hill",
            "Left Fri 19 Sep (moved out of the LA): 13 days = 26 possible; 1 M = 3.85%. No rows "
            "after.",
            "Appears only for the dates on roll (left).",
            possible=26,
            absent=1,
            unauthorised=0,
        ),
    )
    e.set(d(9, 11), 0, "M")

    fam = Family("Greaves", [p.parent("Jason", "Greaves", "Father", p.address())])
    e = b.enrol(
        b.pupil("Logan", "Greaves", "M", 11, fam, upn_school=2001),
        CASTLE_HILL,
        case=Case(
            "friday-afternoon-pattern",
            "PA with a Friday-afternoon pattern: O on 7 Friday afternoons, plus 4 I (two Mondays) "
            "and 1 M = 12 of 94 = 12.77%.",
            "PA list; the Friday PM pattern shown.",
            possible=94,
            absent=12,
            unauthorised=7,
        ),
    )
    fridays = [d(9, 12), d(9, 19), d(9, 26), d(10, 3), d(10, 10), d(10, 24), d(11, 7)]
    e.days(fridays, "O", sessions=[1])
    e.days([d(9, 15), d(10, 13)], "I")
    e.set(d(11, 10), 0, "M")

    # --- St Anne's CE Primary --------------------------------------------------------------
    fam = Family(
        "Tranter",
        [
            p.parent("Hayley", "Tranter", "Mother", p.address()),
            p.parent("Lee", "Tranter", "Father", p.address()),
        ],
    )
    e = b.enrol(
        b.pupil(
            "Summer", "Tranter", "F", 2, fam, upn_school=ST_ANNES, social_worker="CIN", fsm=True
        ),
        ST_ANNES,
        case=Case(
            "child-in-need-with-N-O",
            "Child in need with unexplained absence: 14 of 92 = 15.22% (6 I, 4 N, 4 O).",
            "PA list; CIN: the social worker must be told of the N/O absences.",
            possible=92,
            absent=14,
            unauthorised=8,
        ),
    )
    e.days([d(9, 8), d(11, 10)], "N")
    e.days([d(9, 22), d(10, 20)], "O")
    e.days(days_between(d(10, 1), d(10, 3)), "I")

    e = b.enrol(
        b.pupil("Isla", "Marsden", "F", 3, marsden, upn_school=ST_ANNES),
        ST_ANNES,
        case=Case(
            "penalty-threshold-holiday-sibling",
            "Sister of Harvey Marsden (Castle Hill), same holiday: 14 G + 1 M = 15 of 92 = 16.30%.",
            "PA list; penalty notice must be considered; sibling at Castle Hill with the same "
            "holiday (one notice per parent per child).",
            possible=92,
            absent=15,
            unauthorised=14,
        ),
    )
    e.days([day for day in days_between(d(10, 15), d(10, 24)) if day != INSET_DAY], "G")
    e.set(d(9, 30), 0, "M")

    fam = Family("Beaumont", [p.parent("Victoria", "Beaumont", "Mother", p.address())])
    e = b.enrol(
        b.pupil("Arlo", "Beaumont", "M", 5, fam, upn_school=ST_ANNES),
        ST_ANNES,
        case=Case(
            "at-risk-st-annes",
            "At risk of PA: 7 of 92 = 7.61% (4 I, 1 M, 2 N).",
            "At-risk list only.",
            possible=92,
            absent=7,
            unauthorised=2,
        ),
    )
    e.days([d(9, 30), d(10, 1)], "I")
    e.set(d(10, 14), 0, "M")
    e.days([d(11, 6)], "N")

    fam = Family(
        "Sandoval",
        [
            p.parent("Amy", "Sandoval", "Mother", addr := p.address()),
            p.parent("Carl", "Sandoval", "Father", addr),
        ],
    )
    e = b.enrol(
        b.pupil("Mateo", "Sandoval", "M", 4, fam, upn_school=2003),
        ST_ANNES,
        entry=d(10, 13),
        case=Case(
            "joiner-with-z",
            "Joined Mon 13 Oct; Z (not yet on roll) on Thu 9 and Fri 10 Oct, blank before. 20 "
            "days less # and Y4 = 36 possible; 2 I = 5.56%.",
            "Z and blanks are never possible sessions; not PA.",
            possible=36,
            absent=2,
            unauthorised=0,
        ),
    )
    e.force([d(10, 9), d(10, 10)], "Z")
    e.days([d(11, 12)], "I")

    fam = Family(
        "Ellwood",
        [
            p.parent("Michelle", "Ellwood", "Mother", addr := p.address()),
            p.parent("Andrew", "Ellwood", "Father", addr),
        ],
    )
    e = b.enrol(
        b.pupil("Freya", "Ellwood", "F", 6, fam, upn_school=ST_ANNES),
        ST_ANNES,
        leaving=d(10, 24),
        case=Case(
            "leaver-st-annes",
            "Left Fri 24 Oct (last day before half-term): 38 days less # = 74 possible; 2 I = "
            "2.70%.",
            "Appears only for the dates on roll (left).",
            possible=74,
            absent=2,
            unauthorised=0,
        ),
    )
    e.days([d(10, 2)], "I")

    # --- Meadowbank PRU ---------------------------------------------------------------------
    fam = Family(
        "Rowe",
        [
            p.parent("Shabana", "Rowe", "Mother", p.address()),
        ],
    )
    e = b.enrol(
        b.pupil(
            "Kai", "Rowe", "M", 9, fam, upn_school=2001, social_worker="CIN", fsm=True, sen="E"
        ),
        MEADOWBANK,
        entry=dt.date(2025, 4, 22),
        case=Case(
            "severe-part-time-timetable",
            "Severely absent because of a part-time timetable: C2 every afternoon (47) is "
            "authorised ABSENCE, plus 2 I and 4 N/O mornings = 53 of 94 = 56.38%. Child in need.",
            "SA list (joint plan; review the part-time timetable); CIN: tell the social worker "
            "about the N/O mornings.",
            possible=94,
            absent=53,
            unauthorised=4,
        ),
    )
    e.days([day for day in DAYS if day != INSET_DAY], "C2", sessions=[1])
    e.days([d(9, 15), d(10, 6), d(11, 10)], "O", sessions=[0])
    e.set(d(10, 13), 0, "N")
    e.days([d(11, 3), d(11, 4)], "I", sessions=[0])

    fam = Family(
        "Kilbride",
        [
            p.parent("Nicola", "Ferris", "Foster Carer", p.address(), responsibility=False),
            p.parent("Darren", "Kilbride", "Father", p.address(), email=False),
        ],
    )
    e = b.enrol(
        b.pupil(
            "Reece", "Kilbride", "M", 10, fam, upn_school=2005, looked_after=True, sen="E", fsm=True
        ),
        MEADOWBANK,
        entry=dt.date(2025, 3, 3),
        case=Case(
            "severe-looked-after",
            "Looked-after, severely absent: Y5 (criminal justice detention) 6-10 Oct not possible "
            "= 84 possible; O every Monday and Friday to 3 Oct (18), then from 13 Oct absent "
            "except Wednesday mornings (4 I, 30 O) = 52 of 84 = 61.90%.",
            "SA list (joint plan with the virtual school head); penalty threshold passed but "
            "looked after: the LA is the corporate parent.",
            possible=84,
            absent=52,
            unauthorised=48,
        ),
    )
    e.days(days_between(d(9, 3), d(10, 3), [0, 4]), "O")
    e.days(days_between(d(10, 6), d(10, 10)), "Y5")
    e.days([d(10, 13), d(10, 14)], "I")
    later = days_between(d(10, 15), PERIOD_END)
    for day in later:
        for session in (0, 1):
            if day == INSET_DAY or (day.weekday() == 2 and session == 0):
                continue
            e.set(day, session, "O")

    fam = Family(
        "Petrovic",
        [
            p.parent("Jade", "Petrovic", "Mother", addr := p.address()),
            p.parent("Kevin", "Petrovic", "Father", addr),
        ],
    )
    e = b.enrol(
        b.pupil("Nikola", "Petrovic", "M", 7, fam, upn_school=2002),
        MEADOWBANK,
        entry=d(9, 22),
        case=Case(
            "joiner-no-transport-q",
            "Joined Mon 22 Sep; Q (no LA transport arranged yet) 22-26 Sep is not possible: "
            "70 sessions less # and 10 Q = 58 possible; 2 I = 3.45%.",
            "Q never counts as absence; not PA.",
            possible=58,
            absent=2,
            unauthorised=0,
        ),
    )
    e.days(days_between(d(9, 22), d(9, 26)), "Q")
    e.days([d(11, 5)], "I")


# --------------------------------------------------------------------------------------------
# The rest of each school, at random


@dataclass(frozen=True)
class Tier:
    weight_primary: float
    weight_secondary: float
    weight_pru: float
    illness: float  # mean number of illness episodes
    longest: int  # longest episode, days
    medical: float
    unexplained: float  # N/O episodes (a session or a day)
    late: float
    late_after_close: float


TIERS = (
    Tier(0.74, 0.66, 0.00, 0.9, 2, 0.3, 0.15, 1.0, 0.05),
    Tier(0.21, 0.25, 0.45, 2.0, 3, 0.7, 1.0, 3.0, 0.4),
    Tier(0.05, 0.09, 0.55, 3.5, 4, 1.0, 2.2, 5.0, 1.0),
)
MAX_UNAUTHORISED = 6  # keeps the random pupils clear of the hand-designed penalty cases
MAX_ABSENCE_SHARE = 0.4  # and of severe absence


def poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def build_background(b: Builder) -> None:
    rng, people = b.rng, b.people
    slots: list[tuple[School, int]] = []
    for school in SCHOOLS:
        taken = Counter(e.pupil.year for e in b.enrolments if e.school is school)
        for year, size in school.year_sizes.items():
            slots += [(school, year)] * (size - taken[year])
    rng.shuffle(slots)
    while slots:
        school, year = slots.pop()
        surname = rng.choice(SURNAMES)
        family = people.random_family(surname)
        children = [(school, year)]
        for _ in range(2 if rng.random() < 0.12 else 1 if rng.random() < 0.3 else 0):
            years = {y for _, y in children}
            for i, (_, other_year) in enumerate(slots):
                if other_year not in years and abs(other_year - year) <= 6:
                    children.append(slots.pop(i))
                    break
        for child_school, child_year in children:
            gender = rng.choice("MF")
            forename = people.forename(gender)
            while f"{forename} {surname}" in people.full_names:
                forename = people.forename(gender)
            upn_school = (
                child_school.establishment
                if child_school.phase == "Primary"
                else rng.choice([2001, 2002, 2003, 2004, 2005])
            )
            pru = child_school is MEADOWBANK
            pupil = b.pupil(
                forename,
                surname,
                gender,
                child_year,
                family,
                upn_school=upn_school,
                fsm=rng.random() < (0.6 if pru else 0.24),
                sen=rng.choices("NKE", [30, 40, 30] if pru else [84, 13, 3])[0],
                social_worker=rng.choices(["", "CIN", "CP"], [97, 2, 1])[0],
            )
            entry = None
            if (
                child_school.phase == "Primary" and child_year >= 1 and rng.random() < 0.12
            ):  # joined in an earlier year
                entry = first_day_of_autumn(2025 - child_year) + dt.timedelta(
                    days=7 * rng.randrange(1, 52 * max(child_year, 1))
                )
                entry = min(entry, dt.date(2025, 7, 14))
                while entry.weekday() >= 5:
                    entry += dt.timedelta(days=1)
            b.enrol(pupil, child_school, entry=entry)


def apply_events(b: Builder) -> None:
    """Whole-group and one-off events, on randomly chosen generated (not hand-designed) pupils."""
    rng = b.rng

    def pick(school: School, years: Iterable[int], n: int) -> list[Enrolment]:
        wanted = set(years)
        pool = [
            e
            for e in b.enrolments
            if e.case is None and e.school is school and e.pupil.year in wanted
        ]
        return rng.sample(pool, min(n, len(pool)))

    def everyone(school: School, year: int) -> list[Enrolment]:
        return [
            e
            for e in b.enrolments
            if e.case is None and e.school is school and e.pupil.year == year
        ]

    def mark(
        enrolments: Iterable[Enrolment],
        days: Iterable[dt.date],
        code: str,
        sessions: Iterable[int] = (0, 1),
    ) -> None:
        for e in enrolments:
            for day in days:
                for session in sessions:
                    e.set(day, session, code, strict=False)

    # Reception children born in the summer: mornings only for the first eight days (X)
    for e in b.enrolments:
        if e.case is None and e.pupil.year == 0 and e.pupil.dob.month in (6, 7, 8):
            mark([e], days_between(d(9, 3), d(9, 12)), "X", [1])
    # Religious observance: Yom Kippur (Thu 2 Oct) and Diwali (Mon 20 Oct)
    mark(pick(CASTLE_HILL, range(7, 12), 2) + pick(RIVERSIDE, range(7), 1), [d(10, 2)], "R")
    diwali = pick(CASTLE_HILL, range(7, 12), 2) + pick(RIVERSIDE, range(7), 1)
    mark(diwali + pick(ST_ANNES, range(7), 1), [d(10, 20)], "R")
    # Riverside: a showman family travelling for work (T); a public-health exclusion (Y6)
    mark(pick(RIVERSIDE, [2], 1), days_between(d(9, 22), d(9, 26)), "T")
    mark(pick(RIVERSIDE, [1], 1), [d(9, 16), d(9, 17)], "Y6")
    mark(pick(RIVERSIDE, [4], 1), [d(10, 8)], "C")  # a family funeral
    # Castle Hill
    mark(everyone(CASTLE_HILL, 7), [d(10, 9)], "V")  # Year 7 trip
    mark(pick(CASTLE_HILL, [8, 9, 10], 10), [d(10, 8)], "P", [1])  # football fixture
    mark(pick(CASTLE_HILL, [10], 4), [d(11, 11), d(11, 12)], "W")
    mark(pick(CASTLE_HILL, [11], 6), [d(11, 13)], "S", [1])  # mock-exam study leave
    mark(pick(CASTLE_HILL, [11], 2), [d(11, 5)], "J1", [0])  # college interview
    mark(pick(CASTLE_HILL, [8], 1), days_between(d(11, 10), d(11, 12)), "C1")  # touring show
    mark(pick(CASTLE_HILL, [9], 1), days_between(d(9, 3), PERIOD_END, [3]), "K", [1])
    mark(pick(CASTLE_HILL, [8], 1), [d(10, 15), d(10, 16)], "E")  # suspension
    mark(pick(CASTLE_HILL, [9, 10], 2), [d(10, 3)], "C")  # a family funeral
    mark(pick(CASTLE_HILL, range(7, 12), 8), [d(11, 6)], "Y2", [0])  # storm: buses cancelled
    mark(everyone(CASTLE_HILL, 11), [d(10, 14)], "Y3", [0])  # sports hall flooded
    mark(pick(CASTLE_HILL, [7, 8], 1), [d(9, 25)], "B", [1])
    # Castle Hill's Friday afternoon register for one Year 8 form is not yet complete: '-'
    mark(pick(CASTLE_HILL, [8], 6), [PERIOD_END], MISSING_MARK, [1])
    # St Anne's: a flooded home (Y7); a museum visit for Year 5 (V)
    mark(pick(ST_ANNES, [3], 1), [d(9, 24)], "Y7")
    mark(everyone(ST_ANNES, 5), [d(11, 13)], "V")
    # Meadowbank: college taster afternoons (B), a taxi that did not come (Y1), sport (P)
    mark(pick(MEADOWBANK, [10, 11], 4), days_between(d(9, 17), PERIOD_END, [2]), "B", [1])
    mark(pick(MEADOWBANK, [8, 9], 1), [d(10, 21)], "Y1")
    mark(pick(MEADOWBANK, range(7, 12), 3), [d(11, 6)], "P", [1])


def random_absence(b: Builder) -> None:
    rng = b.rng
    for e in b.enrolments:
        if e.case is not None:
            continue
        weights = {
            "Primary": [t.weight_primary for t in TIERS],
            "Secondary": [t.weight_secondary for t in TIERS],
        }.get(e.school.phase, [t.weight_pru for t in TIERS])
        tier = rng.choices(TIERS, weights)[0]
        on_roll = [i for i, m in enumerate(e.marks) if m is not None]
        possible = sum(1 for i in on_roll if e.marks[i] in PRESENT_MARKS)
        budget = int(possible * MAX_ABSENCE_SHARE)
        unauthorised = 0
        plan: list[tuple[int, str]] = []
        for _ in range(poisson(rng, tier.illness)):
            start = rng.choice(on_roll) // 2 * 2
            start += 1 if rng.random() < 0.2 else 0  # went home ill at lunchtime
            length = 2 * rng.randint(1, tier.longest) - (start % 2)
            plan += [(i, "I") for i in range(start, min(start + length, len(SESSIONS)))]
        for _ in range(poisson(rng, tier.medical)):
            plan.append((rng.choice(on_roll), "M"))
        for _ in range(poisson(rng, tier.unexplained)):
            code = rng.choice("NO")
            i = rng.choice(on_roll)
            plan += (
                [(i // 2 * 2, code), (i // 2 * 2 + 1, code)] if rng.random() < 0.4 else [(i, code)]
            )
        for _ in range(poisson(rng, tier.late)):
            plan.append((rng.choice(on_roll) // 2 * 2, "L"))
        for _ in range(poisson(rng, tier.late_after_close)):
            plan.append((rng.choice(on_roll) // 2 * 2, "U"))
        for i, code in plan:
            if e.marks[i] not in PRESENT_MARKS:
                continue
            is_unauthorised = code in UNAUTHORISED_CODES
            if code != "L" and budget <= 0:
                continue
            if is_unauthorised and unauthorised >= MAX_UNAUTHORISED:
                continue
            budget -= code != "L"
            unauthorised += is_unauthorised
            e.marks[i] = code


# --------------------------------------------------------------------------------------------
# Figures (DfE definitions)


@dataclass(frozen=True)
class Figures:
    possible: int
    attended: int
    authorised: int
    unauthorised: int
    not_possible: int
    missing: int
    late: int
    longest_unauthorised_run: int  # sessions, ignoring not-possible sessions
    run_at_end: bool  # the longest run is still running on the last day of the period
    most_unauthorised_in_10_weeks: int

    @property
    def absent(self) -> int:
        return self.authorised + self.unauthorised

    @property
    def severe(self) -> bool:
        return self.possible > 0 and 2 * self.absent >= self.possible

    @property
    def persistent(self) -> bool:
        return self.possible > 0 and 10 * self.absent >= self.possible

    @property
    def at_risk(self) -> bool:
        return not self.persistent and self.possible > 0 and 100 * self.absent >= 7 * self.possible

    def rate(self) -> str:
        return f"{100 * self.absent / self.possible:.2f}%" if self.possible else "n/a"


def figures(marks: list[str | None]) -> Figures:
    counts: Counter[Category] = Counter()
    late = run = longest = 0
    run_at_end = False
    weekly: Counter[dt.date] = Counter()
    for (day, _), code in zip(SESSIONS, marks, strict=True):
        if code is None:
            continue
        if code == MISSING_MARK:
            counts[Category.MISSING] += 1
            run = 0
            continue
        category = CODES_2024[code].category
        counts[category] += 1
        late += code in ("L", "U")
        if category is Category.UNAUTHORISED:
            run += 1
            weekly[day - dt.timedelta(days=day.weekday())] += 1
            longest = max(longest, run)
            run_at_end = run == longest
        elif category is not Category.NOT_POSSIBLE:
            run = 0
            run_at_end = False
    windows = [
        sum(weekly[week] for week in SCHOOL_WEEKS[i : i + 10])
        for i in range(max(1, len(SCHOOL_WEEKS) - 9))
    ]
    return Figures(
        possible=sum(
            counts[c]
            for c in (Category.PRESENT, Category.AEA, Category.AUTHORISED, Category.UNAUTHORISED)
        ),
        attended=counts[Category.PRESENT] + counts[Category.AEA],
        authorised=counts[Category.AUTHORISED],
        unauthorised=counts[Category.UNAUTHORISED],
        not_possible=counts[Category.NOT_POSSIBLE],
        missing=counts[Category.MISSING],
        late=late,
        longest_unauthorised_run=longest,
        run_at_end=run_at_end and longest > 0 and marks[-1] is not None,  # still on roll
        most_unauthorised_in_10_weeks=max(windows),
    )


# --------------------------------------------------------------------------------------------
# Writing the files


def _csv_text(rows: Iterable[Iterable[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _deterministic_xlsx(workbook: object) -> bytes:
    """Save an openpyxl workbook with fixed timestamps, so the bytes never change."""
    workbook.properties.creator = LA_NAME  # type: ignore[attr-defined]
    raw = io.BytesIO()
    workbook.save(raw)  # type: ignore[attr-defined]
    stamp = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp.encode(), data)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return out.getvalue()


def _session_header_iso(day: dt.date, session: int) -> str:
    return f"{day.isoformat()} {SESSION_NAMES[session]}"


def _session_header_uk(day: dt.date, session: int) -> str:
    return f"{WEEKDAY_NAMES[day.weekday()]} {day:%d/%m/%Y} {SESSION_NAMES[session]}"


ROSTER_HEADER = _words(
    "UPN,Surname,Forename,DOB,Gender,Year,LAESTAB,School Name,Entry Date,Leaving Date,FSM,SEN,"
    "Social Worker,Looked After,Parent 1 Name,Parent 1 Relationship,Parent 1 Address,"
    "Parent 1 Phone,Parent 1 Email,Parent 1 Parental Responsibility,Parent 2 Name,"
    "Parent 2 Relationship,Parent 2 Address,Parent 2 Phone,Parent 2 Email,"
    "Parent 2 Parental Responsibility",
    ",",
)


def _yn(value: bool) -> str:
    return "Y" if value else "N"


def roster_rows(enrolments: list[Enrolment], *, excel: bool) -> list[list[object]]:
    rows: list[list[object]] = []
    for e in enrolments:
        p = e.pupil
        parents: list[object] = []
        for parent in p.family.parents + [None] * (2 - len(p.family.parents)):
            if parent is None:
                parents += [""] * 6 if not excel else [None] * 6
            else:
                parents += [
                    parent.name,
                    parent.relationship,
                    parent.address,
                    parent.phone,
                    parent.email or (None if excel else ""),
                    _yn(parent.responsibility),
                ]

        def day(value: dt.date | None) -> object:
            if excel:
                return value
            return value.isoformat() if value else ""

        rows.append(
            [
                p.upn,
                p.surname,
                p.forename,
                day(p.dob),
                p.gender,
                (p.year if p.year else "R") if excel else year_label(p.year),
                e.school.laestab if excel else str(e.school.laestab),
                e.school.name,
                day(e.entry),
                day(e.leaving),
                _yn(p.fsm),
                p.sen,
                p.social_worker or (None if excel else ""),
                _yn(p.looked_after),
                *parents,
            ]
        )
    return rows


def sorted_enrolments(enrolments: list[Enrolment], school: School | None = None) -> list[Enrolment]:
    chosen = [e for e in enrolments if school is None or e.school is school]
    return sorted(
        chosen,
        key=lambda e: (
            e.school.laestab,
            e.pupil.year,
            e.pupil.surname,
            e.pupil.forename,
            e.pupil.upn,
        ),
    )


def write_all(enrolments: list[Enrolment], out: Path) -> dict[str, bytes]:
    from openpyxl import Workbook

    files: dict[str, bytes] = {}
    everyone = sorted_enrolments(enrolments)

    files["roster.csv"] = _csv_text([ROSTER_HEADER, *roster_rows(everyone, excel=False)])
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Roster"
    sheet.append(ROSTER_HEADER)
    for row in roster_rows(everyone, excel=True):
        sheet.append(row)
    for column in ("D", "I", "J"):
        for cell in sheet[column][1:]:
            cell.number_format = "dd/mm/yyyy"
    sheet.freeze_panes = "A2"
    files["roster.xlsx"] = _deterministic_xlsx(workbook)

    # Riverside: grid CSV
    rows: list[list[object]] = [
        ["UPN", "Surname", "Forename", "Year"] + [_session_header_iso(*slot) for slot in SESSIONS]
    ]
    for e in sorted_enrolments(enrolments, RIVERSIDE):
        p = e.pupil
        rows.append([p.upn, p.surname, p.forename, year_label(p.year)] + [m or "" for m in e.marks])
    files[RIVERSIDE.marks_file] = _csv_text(rows)

    # Castle Hill: long CSV, UK dates, sorted by pupil name
    rows = [["UPN", "Surname", "Forename", "Year", "Date", "Session", "Mark", "LAESTAB"]]
    castle_hill = sorted(
        sorted_enrolments(enrolments, CASTLE_HILL),
        key=lambda e: (e.pupil.surname, e.pupil.forename, e.pupil.upn),
    )
    for e in castle_hill:
        p = e.pupil
        for (day, session), mark in zip(SESSIONS, e.marks, strict=True):
            if mark is not None:
                rows.append(
                    [
                        p.upn,
                        p.surname,
                        p.forename,
                        year_label(p.year),
                        f"{day:%d/%m/%Y}",
                        SESSION_NAMES[session],
                        mark,
                        CASTLE_HILL.laestab,
                    ]
                )
    files[CASTLE_HILL.marks_file] = _csv_text(rows)

    # St Anne's: grid XLSX with UK weekday headers
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Attendance"
    sheet.append(
        ["Pupil UPN", "Legal Surname", "Legal Forename", "Year Group"]
        + [_session_header_uk(*slot) for slot in SESSIONS]
    )
    for e in sorted_enrolments(enrolments, ST_ANNES):
        p = e.pupil
        sheet.append([p.upn, p.surname, p.forename, p.year if p.year else "R", *e.marks])
    sheet.freeze_panes = "E2"
    files[ST_ANNES.marks_file] = _deterministic_xlsx(workbook)

    # Meadowbank: long XLSX in register order (date, session, pupil), real Excel dates
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Marks"
    sheet.append(["UPN", "Date", "AM/PM", "Attendance Code"])
    pru = sorted_enrolments(enrolments, MEADOWBANK)
    for i, (day, session) in enumerate(SESSIONS):
        for e in sorted(pru, key=lambda e: e.pupil.upn):
            if e.marks[i] is not None:
                sheet.append([e.pupil.upn, day, SESSION_NAMES[session], e.marks[i]])
    for cell in sheet["B"][1:]:
        cell.number_format = "dd/mm/yyyy"
    files[MEADOWBANK.marks_file] = _deterministic_xlsx(workbook)

    files["README.md"] = readme(enrolments).encode("utf-8")

    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
    return files


# --------------------------------------------------------------------------------------------
# README


def _days(sessions: int) -> str:
    return f"{sessions // 2}" if sessions % 2 == 0 else f"{sessions / 2:.1f}"


def _run(f: Figures) -> str:
    if not f.longest_unauthorised_run:
        return "0"
    days = _days(f.longest_unauthorised_run)
    still = ", still running" if f.run_at_end else ""
    return f"{f.longest_unauthorised_run} ({days} day{'' if days == '1' else 's'}{still})"


def _bands(f: Figures) -> str:
    bands = []
    if f.severe:
        bands.append("SA")
    if f.persistent:
        bands.append("PA")
    if f.at_risk:
        bands.append("at risk")
    return ", ".join(bands) or "-"


def _flags(p: Pupil) -> str:
    flags = []
    if p.social_worker:
        flags.append(p.social_worker)
    if p.looked_after:
        flags.append("LAC")
    if p.fsm:
        flags.append("FSM")
    if p.sen != "N":
        flags.append(f"SEN {p.sen}")
    return ", ".join(flags) or "-"


def readme(enrolments: list[Enrolment]) -> str:
    figs = {id(e): figures(e.marks) for e in enrolments}
    lines = [
        "# Sample data: Kestrelford Borough Council (LA 899)",
        "",
        "Everything here is **fictional**: the LA, the schools, every pupil, parent, address, "
        "phone number (Ofcom's drama range 07700 900xxx) and e-mail (example.com). Generated by "
        "`python sample_data/generate.py` (deterministic: fixed seed, same bytes every run; "
        "this file is written by the generator too, so edit the script, not this file).",
        "",
        "## The period",
        "",
        f"Academic year 2025/26, autumn term to date: Wed {PERIOD_START:%d %b %Y} to Fri "
        f"{PERIOD_END:%d %b %Y}. Half-term (Mon 27 - Fri 31 Oct) is a holiday: no sessions, no "
        f"marks, no columns. That leaves **{len(DAYS)} school days = {len(SESSIONS)} sessions** "
        f"in {len(SCHOOL_WEEKS)} school weeks. Every school had an INSET day on Fri 17 Oct, "
        "coded `#` (planned closure, not a possible session), so a pupil on roll all period has "
        "**94 possible sessions**; St Anne's also closed unexpectedly on Tue 4 Nov (boiler "
        "failure, `Y4`), so **92** there. All marks use the 2024 DfE code set.",
        "",
        "Figures (DfE): possible = present + approved educational activity + authorised + "
        "unauthorised; absent = authorised + unauthorised; blank cells, `-` (no mark yet) and "
        "not-possible codes (`D Q X Y1-Y7 Z #`) are excluded. Severe absence (SA): 2 x absent >= "
        "possible; persistent absence (PA): 10 x absent >= possible; at risk: 7% <= absence < "
        "10%. Figures are per enrolment (pupil at one school).",
        "",
        "## Schools and files",
        "",
        "| LAESTAB | School | Phase | Enrolments | Marks file | Format |",
        "|---|---|---|---|---|---|",
    ]
    for school in SCHOOLS:
        count = sum(1 for e in enrolments if e.school is school)
        lines.append(
            f"| {school.laestab} | {school.name} | {school.phase} | {count} | "
            f"`{school.marks_file}` | {school.format_note} |"
        )
    lines += [
        "",
        "`roster.csv` / `roster.xlsx` (sheet `Roster`, dates as Excel dates): one row per "
        "enrolment with pupil details, entry/leaving dates, FSM (Y/N), SEN (N/K/E), Social Worker "
        "(blank/CIN/CP), Looked After (Y/N) and up to two parents/carers (name, relationship, "
        "address, phone, e-mail, parental responsibility Y/N). A pupil who moved or is dual "
        "registered has one row per school with the same UPN.",
        "",
        "## Whole-school figures",
        "",
        "| School | Enrolments | Possible | Absent | Authorised | Unauthorised | Absence | PA | SA "
        "| At risk | `-` marks |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for school in SCHOOLS:
        fs = [figs[id(e)] for e in enrolments if e.school is school]
        possible = sum(f.possible for f in fs)
        absent = sum(f.absent for f in fs)
        lines.append(
            f"| {school.name} | {len(fs)} | {possible} | {absent} | "
            f"{sum(f.authorised for f in fs)} | {sum(f.unauthorised for f in fs)} | "
            f"{100 * absent / possible:.2f}% | {sum(f.persistent for f in fs)} | "
            f"{sum(f.severe for f in fs)} | {sum(f.at_risk for f in fs)} | "
            f"{sum(f.missing for f in fs)} |"
        )
    lines += [
        "",
        "## Notable pupils (hand-designed edge cases)",
        "",
        "Their marks are written by hand in `build_cases()`; the figures below are recomputed "
        "from the files and checked against the design on every run. Days missed = absent "
        "sessions / 2. 'Unauth in 10 wks' is the most unauthorised sessions (G/N/O/U) in any 10 "
        "school weeks (the whole period is 10 school weeks). 'Longest run' is the longest run of "
        "unauthorised sessions with no attendance or authorised absence between.",
        "",
        "| Case | UPN | Pupil | School | Year | Flags | Possible | Absent (days) | Auth | "
        "Unauth | Absence | Band | Unauth in 10 wks | Longest run |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    cases = [e for e in enrolments if e.case is not None]
    for e in cases:
        f, case = figs[id(e)], e.case
        assert case is not None
        lines.append(
            f"| `{case.key}` | `{e.pupil.upn}` | {e.pupil.name} | {e.school.short} | "
            f"{year_label(e.pupil.year)} | {_flags(e.pupil)} | {f.possible} | {f.absent} "
            f"({_days(f.absent)}) | {f.authorised} | {f.unauthorised} | {f.rate()} | "
            f"{_bands(f)} | {f.most_unauthorised_in_10_weeks} | {_run(f)} |"
        )
    lines += ["", "### What each shows, and what a TSM pack should show", ""]
    for e in cases:
        case = e.case
        assert case is not None
        lines.append(
            f"- **`{case.key}`** - {e.pupil.name} (`{e.pupil.upn}`, {e.school.short}, "
            f"entry {e.entry.isoformat()}"
            f"{', left ' + e.leaving.isoformat() if e.leaving else ''}): {case.shows} "
            f"*TSM pack:* {case.tsm}"
        )
    lines += [
        "",
        "Siblings at different schools: Tyler (Riverside) and Jayden (Castle Hill) Calloway; "
        "Isla (St Anne's) and Harvey (Castle Hill) Marsden. Generated families also have "
        "siblings, some at different schools (same parent names and address in the roster).",
        "",
        "## Every PA, SA and at-risk enrolment",
        "",
        "The random pupils are kept to at most 40% absence and 6 unauthorised sessions, so only "
        "the "
        "designed pupils are SA or near the penalty-notice threshold. A TSM pack for a school "
        "should list exactly these enrolments in each band.",
        "",
        "| School | UPN | Pupil | Year | Flags | Possible | Absent | Unauth | Absence | Band | "
        "Designed case |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for school in SCHOOLS:
        flagged = [
            e
            for e in enrolments
            if e.school is school and (figs[id(e)].persistent or figs[id(e)].at_risk)
        ]
        flagged.sort(
            key=lambda e: (-figs[id(e)].absent * 10_000 // figs[id(e)].possible, e.pupil.upn)
        )
        for e in flagged:
            f = figs[id(e)]
            lines.append(
                f"| {school.short} | `{e.pupil.upn}` | {e.pupil.name} | {year_label(e.pupil.year)} | "
                f"{_flags(e.pupil)} | {f.possible} | {f.absent} | {f.unauthorised} | {f.rate()} | "
                f"{_bands(f)} | {e.case.key if e.case else ''} |"
            )
    usage: Counter[str] = Counter()
    where: dict[str, set[str]] = {}
    for e in enrolments:
        for m in e.marks:
            if m is not None:
                usage[m] += 1
                where.setdefault(m, set()).add(e.school.short)
    lines += [
        "",
        "## Codes used",
        "",
        "| Code | Meaning | Category | Marks | Schools |",
        "|---|---|---|---|---|",
    ]
    for code in [*CODES_2024, MISSING_MARK]:
        if code not in usage:
            continue
        if code == MISSING_MARK:
            meaning, category = "No mark yet (missing data)", "missing"
        else:
            meaning, category = CODES_2024[code].meaning, CODES_2024[code].category.value
        schools = ", ".join(s.short for s in SCHOOLS if s.short in where[code])
        lines.append(f"| `{code}` | {meaning} | {category} | {usage[code]} | {schools} |")
    lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------


def check_cases(enrolments: list[Enrolment]) -> None:
    """The hand-designed figures must be exactly what the emitted marks give."""
    for e in enrolments:
        if e.case is None:
            continue
        f = figures(e.marks)
        got = (f.possible, f.absent, f.unauthorised)
        want = (e.case.possible, e.case.absent, e.case.unauthorised)
        if got != want:
            raise AssertionError(
                f"{e.case.key}: possible/absent/unauthorised {got}, designed {want}"
            )
    for e in enrolments:
        if e.case is None:
            f = figures(e.marks)
            assert not f.severe and f.most_unauthorised_in_10_weeks <= MAX_UNAUTHORISED, e.pupil.upn
    upns = [e.pupil.upn for e in enrolments]
    pupils = {e.pupil.upn: e.pupil for e in enrolments}
    assert len({id(p) for p in pupils.values()}) == len(pupils), "UPNs must be unique per pupil"
    assert len(upns) == len({(e.pupil.upn, e.school.laestab) for e in enrolments})


def build() -> list[Enrolment]:
    builder = Builder(random.Random(SEED))
    build_cases(builder)
    build_background(builder)
    apply_events(builder)
    random_absence(builder)
    check_cases(builder.enrolments)
    return builder.enrolments


def generate(out: Path = HERE) -> dict[str, bytes]:
    """Build the sample LA and write every file into ``out``; returns {file name: bytes}."""
    return write_all(build(), out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "outdir",
        nargs="?",
        type=Path,
        default=HERE,
        help="where to write the files (default: this folder)",
    )
    args = parser.parse_args(argv)
    files = generate(args.outdir)
    for name, data in files.items():
        print(f"{args.outdir / name}  {len(data):,} bytes")


if __name__ == "__main__":
    main()
