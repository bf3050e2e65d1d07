"""Generate a big synthetic local authority for benchmarks (not committed; about 0.6 GB).

    python bench/generate_la.py OUTDIR [--schools 120] [--pupils 400] [--formats grid,marks]

A full academic year 2025/26 (Wed 3 Sep 2025 - Wed 22 Jul 2026, 195 school days = 390 sessions;
half-terms, Christmas, Easter and the May bank holiday have no sessions) for every school:

- ``OUTDIR/grid/school_<LAESTAB>.csv``: ``UPN,Surname,Forename,Year`` then one column per session
  headed ``2025-09-03 AM`` (as ``sample_data/riverside_primary_grid.csv``); blank = not on roll;
- ``OUTDIR/marks/school_<LAESTAB>.csv``: long format ``UPN,Surname,Forename,Year,Date,Session,Mark``,
  ISO dates, one row per session on roll (about 775 MiB in all);
- ``OUTDIR/roster.csv``: one row per enrolment, the same columns as ``sample_data/roster.csv``.

The code matrix of each school is drawn with numpy (about 93% present, illness in runs of days,
scattered N/O/U, some term-time holiday blocks, ~20% of pupils persistently and ~2% severely
absent, a few joiners, leavers, trips, dual registrations and one closure day per school), and
the files are built as whole byte buffers: the long format is laid out as a fixed-width byte
matrix and compacted with a mask, so no Python code runs per mark. Deterministic for a given
``--seed``: each school draws from its own generator seeded by (seed, school number), so the
output of a school does not depend on ``--formats`` or ``--jobs``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attendance_cli.codes import CODES_2024, Category
from attendance_cli.identifiers import make_upn

LA_CODE = 899
FIRST_DAY, LAST_DAY = dt.date(2025, 9, 3), dt.date(2026, 7, 22)
HOLIDAYS = (
    (dt.date(2025, 10, 27), dt.date(2025, 10, 31)),  # autumn half-term
    (dt.date(2025, 12, 22), dt.date(2026, 1, 2)),  # Christmas
    (dt.date(2026, 2, 16), dt.date(2026, 2, 20)),  # spring half-term
    (dt.date(2026, 3, 30), dt.date(2026, 4, 10)),  # Easter
    (dt.date(2026, 5, 4), dt.date(2026, 5, 4)),  # May Day bank holiday
    (dt.date(2026, 5, 25), dt.date(2026, 5, 29)),  # summer half-term
)


def school_days() -> list[dt.date]:
    days, day = [], FIRST_DAY
    while day <= LAST_DAY:
        if day.weekday() < 5 and not any(a <= day <= b for a, b in HOLIDAYS):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


DAYS = school_days()  # 195
N_DAYS, N_SESSIONS = len(DAYS), 2 * len(DAYS)

# Code indices of the matrix; index 0 is a blank cell (not on roll).
CODES = (
    "", "/", "\\", "L", "I", "M", "N", "O", "U", "G", "#", "V", "P", "B", "K", "W", "C", "R",
    "E", "T", "C2", "D", "X", "Y1", "Y2", "Q",
)  # fmt: skip
C = {code: i for i, code in enumerate(CODES)}
BLANK = C[""]

_CATEGORY = [None] + [CODES_2024[code].category for code in CODES[1:]]
IS_POSSIBLE = np.array([cat is not None and cat.is_possible for cat in _CATEGORY])
IS_ABSENT = np.array([cat is not None and cat.is_absent for cat in _CATEGORY])
IS_UNAUTHORISED = np.array([cat is Category.UNAUTHORISED for cat in _CATEGORY])


def _words(text: str, separator: str | None = None) -> list[str]:
    return text.split(separator)


SURNAMES = np.array(
    _words(
        "Adams Ahmed Ali Allen Bailey Baker Barnes Bell Bennett Brown Butler Campbell Carter Clark "
        "Clarke Collins Cook Cooper Cox Davies Dixon Edwards Ellis Evans Fisher Fox Green Griffiths "
        "Hall Harris Hill Hughes Hussain Jackson James Johnson Jones Kaur Kelly Khan King Lee Lewis "
        "Marshall Martin Mason Miller Mitchell Moore Morgan Morris Murphy Owen Palmer Parker Patel "
        "Phillips Price Roberts Robinson Rose Russell Scott Shah Shaw Singh Smith Taylor Thomas "
        "Thompson Turner Walker Ward Watson White Williams Wilson Wood Wright Young"
    )
)
GIRLS = np.array(
    _words(
        "Amelia Olivia Isla Ava Mia Ivy Lily Grace Freya Emily Ella Poppy Evie Sophia Ruby Maya Zara "
        "Layla Aisha Hannah Chloe Leah Holly Lucy Molly Nia Erin Alice Daisy Matilda"
    )
)
BOYS = np.array(
    _words(
        "Oliver George Noah Arthur Muhammad Leo Harry Oscar Archie Henry Jack Charlie Theo Alfie "
        "Jacob Thomas William Lucas Isaac Edward James Joshua Max Ethan Kai Dylan Ryan Yusuf Samuel"
    )
)
WOMEN = np.array(
    _words(
        "Sarah Emma Laura Rebecca Gemma Natalie Fatima Joanne Claire Michelle Amy Katie Ruth Helen"
    )
)
MEN = np.array(
    _words("David Daniel Paul Mark Lee Craig Jamie Stephen Andrew Imran Tariq Piotr Gareth Carl")
)
STREETS = np.array(
    _words(
        "Willow Lane|Station Road|Church Street|Mill Lane|Park Avenue|Orchard Close|Victoria Road|"
        "Meadow View|Chapel Street|Heron Way|Foundry Lane|Canal Street|Alder Grove|Ferry Road",
        "|",
    )
)
ROSTER_HEADER = _words(
    "UPN,Surname,Forename,DOB,Gender,Year,LAESTAB,School Name,Entry Date,Leaving Date,FSM,SEN,"
    "Social Worker,Looked After,Parent 1 Name,Parent 1 Relationship,Parent 1 Address,"
    "Parent 1 Phone,Parent 1 Email,Parent 1 Parental Responsibility,Parent 2 Name,"
    "Parent 2 Relationship,Parent 2 Address,Parent 2 Phone,Parent 2 Email,"
    "Parent 2 Parental Responsibility",
    ",",
)


@dataclass(frozen=True)
class School:
    number: int  # 0-based position in the LA
    laestab: int
    name: str
    years: tuple[int, ...]  # 0 = Reception


def la_schools(count: int) -> list[School]:
    """About 80% primaries (R-6), 17% secondaries (7-11) and the rest special schools (7-11).

    Establishment numbers start at x101 so neither LAESTABs nor UPNs meet ``sample_data``'s."""
    n_secondary = max(1, round(count * 0.17)) if count > 1 else 0
    n_special = max(0, round(count * 0.03))
    n_primary = count - n_secondary - n_special
    schools = []
    for i in range(count):
        if i < n_primary:
            laestab, kind, years = 8992100 + i + 1, "Primary School", tuple(range(7))
        elif i < n_primary + n_secondary:
            laestab, kind, years = 8994100 + i - n_primary + 1, "Academy", tuple(range(7, 12))
        else:
            laestab = 8997100 + i - n_primary - n_secondary + 1
            kind, years = "Special School", tuple(range(7, 12))
        schools.append(School(i, laestab, f"Bench {kind} {laestab % 10000:04d}", years))
    return schools


@dataclass
class Pupils:
    upn: list[str]
    surname: np.ndarray
    forename: np.ndarray
    gender: np.ndarray
    year: np.ndarray
    entry: np.ndarray  # first day index on roll
    leave: np.ndarray  # last day index on roll (inclusive)


def make_pupils(school: School, n: int, rng: np.random.Generator) -> Pupils:
    year = np.sort(rng.choice(np.array(school.years), size=n))
    serial: dict[int, int] = {}
    upns = []
    for y in year.tolist():
        serial[y] = serial.get(y, 0) + 1
        upns.append(make_upn(LA_CODE, school.laestab % 10000, (2025 - y) % 100, serial[y]))
    entry = np.zeros(n, dtype=np.int64)
    leave = np.full(n, N_DAYS - 1, dtype=np.int64)
    joiners = rng.random(n) < 0.03
    entry[joiners] = rng.integers(5, N_DAYS - 5, size=int(joiners.sum()))
    leavers = (rng.random(n) < 0.03) & ~joiners
    leave[leavers] = rng.integers(5, N_DAYS - 5, size=int(leavers.sum()))
    gender = rng.choice(np.array(["M", "F"]), size=n)
    return Pupils(
        upns,
        rng.choice(SURNAMES, size=n),
        np.where(gender == "F", rng.choice(GIRLS, size=n), rng.choice(BOYS, size=n)),
        gender,
        year,
        entry,
        leave,
    )


def code_matrix(school: School, pupils: Pupils, rng: np.random.Generator) -> np.ndarray:
    """(pupils x sessions) uint8 code indices into ``CODES``."""
    n = len(pupils.upn)
    day = np.arange(N_DAYS)

    # Each pupil's target absence rate: a gamma-shaped bulk (~20% at 10% or more), 2% severe.
    rate = rng.gamma(1.6, 0.036, size=n)
    severe = rng.random(n) < 0.022
    rate[severe] = rng.uniform(0.55, 0.9, size=int(severe.sum()))
    rate = np.clip(rate, 0.0, 0.9)
    unauthorised_share = np.where(severe, 0.55, rng.uniform(0.1, 0.35, size=n))
    illness = rate * (1 - unauthorised_share) * 0.85
    medical = rate * (1 - unauthorised_share) * 0.15
    unexplained = rate * unauthorised_share

    marks = np.empty((n, N_SESSIONS), dtype=np.uint8)
    marks[:, 0::2], marks[:, 1::2] = C["/"], C["\\"]

    def sessions(day_mask: np.ndarray) -> np.ndarray:
        return np.repeat(day_mask, 2, axis=1)

    # Lates, medical appointments and unexplained single sessions
    u = rng.random((n, N_SESSIONS))
    am = np.zeros(N_SESSIONS, dtype=bool)
    am[0::2] = True
    marks[(u < 0.03) & am] = C["L"]
    marks[(u >= 0.03) & (u < 0.03 + medical[:, None])] = C["M"]
    singles = rng.random((n, N_SESSIONS)) < unexplained[:, None] * 0.4
    marks[singles] = rng.choice(
        np.array([C["N"], C["O"], C["U"]], dtype=np.uint8),
        size=int(singles.sum()),
        p=[0.45, 0.4, 0.15],
    )
    # Unexplained whole days
    whole = sessions(rng.random((n, N_DAYS)) < unexplained[:, None] * 0.6)
    marks[whole] = np.where(rng.random(int(whole.sum())) < 0.5, C["N"], C["O"]).astype(np.uint8)

    # Illness in runs of days (mean 2.5): a run started on day d covers d .. d+length-1
    mean_length = 2.5
    starts = rng.random((n, N_DAYS)) < illness[:, None] / mean_length
    lengths = rng.geometric(1 / mean_length, size=(n, N_DAYS))
    ends = np.where(starts, day + lengths, 0)
    ill = sessions(np.maximum.accumulate(ends, axis=1) > day)
    marks[ill] = C["I"]

    # Term-time holidays not granted: 5% of pupils, one block of 5-10 days
    holiday = np.flatnonzero(rng.random(n) < 0.05)
    first = rng.integers(0, N_DAYS - 10, size=holiday.size)
    length = rng.integers(5, 11, size=holiday.size)
    for pupil, a, k in zip(holiday.tolist(), first.tolist(), length.tolist(), strict=True):
        marks[pupil, 2 * a : 2 * (a + k)] = C["G"]

    # Approved activities: a trip day per year group each term, some sport and off-site learning
    for year in school.years:
        in_year = pupils.year == year
        for trip in rng.choice(N_DAYS, size=3, replace=False).tolist():
            block = marks[in_year, 2 * trip : 2 * trip + 2]
            block[(block == C["/"]) | (block == C["\\"])] = C["V"]
            marks[in_year, 2 * trip : 2 * trip + 2] = block
    present = (marks == C["/"]) | (marks == C["\\"])
    extra = rng.random((n, N_SESSIONS))
    marks[present & (extra < 0.004)] = C["P"]
    marks[present & (extra > 0.998)] = C["B"]
    rare, low = rng.random((n, N_SESSIONS)), 0.0
    for code, share in (
        ("C", 0.0008),
        ("R", 0.0006),
        ("E", 0.0004),
        ("Y1", 0.0003),
        ("Y2", 0.0002),
        ("T", 0.0002),
        ("K", 0.0002),
        ("W", 0.0001),
    ):
        marks[present & (rare >= low) & (rare < low + share)] = C[code]  # its own slice
        low += share
    # Part-time timetables (C2 afternoons) for a few, dual registration (D Mon/Tue) for a few
    part_time = np.flatnonzero(rng.random(n) < 0.004)
    marks[part_time[:, None], np.arange(1, N_SESSIONS, 2)[None, :]] = C["C2"]
    dual = np.flatnonzero(rng.random(n) < 0.005)
    mon_tue = np.array([d.weekday() in (0, 1) for d in DAYS])
    marks[dual[:, None], np.flatnonzero(sessions(mon_tue[None, :])[0])[None, :]] = C["D"]
    # Reception children below compulsory school age: X afternoons for the first two weeks
    if 0 in school.years:
        young = np.flatnonzero((pupils.year == 0) & (rng.random(n) < 0.25))
        marks[young[:, None], np.arange(1, 20, 2)[None, :]] = C["X"]

    # One planned closure day per school, then blanks outside each enrolment
    closure = int(rng.integers(0, N_DAYS))
    marks[:, 2 * closure : 2 * closure + 2] = C["#"]
    on_roll = (day >= pupils.entry[:, None]) & (day <= pupils.leave[:, None])
    marks[~sessions(on_roll)] = BLANK
    return marks


# ---------------------------------------------------------------------------------------------
# Fast text building


SESSION_HEADERS = [f"{d.isoformat()} {s}" for d in DAYS for s in ("AM", "PM")]
_CELL = np.array(CODES, dtype=object)
_CODE_BYTES = np.zeros((len(CODES), 3), dtype=np.uint8)  # code + "\n", zero padded
_CODE_LENGTH = np.zeros(len(CODES), dtype=np.int64)
for _i, _code in enumerate(CODES):
    _raw = (_code + "\n").encode()
    _CODE_BYTES[_i, : len(_raw)] = np.frombuffer(_raw, dtype=np.uint8)
    _CODE_LENGTH[_i] = len(_raw)
_SESSION_BYTES = np.frombuffer(
    "".join(f",{d.isoformat()},{s}," for d in DAYS for s in ("AM", "PM")).encode(), dtype=np.uint8
).reshape(N_SESSIONS, 15)


def grid_bytes(pupils: Pupils, marks: np.ndarray) -> bytes:
    lines = ["UPN,Surname,Forename,Year," + ",".join(SESSION_HEADERS)]
    years = ["R" if y == 0 else str(y) for y in pupils.year.tolist()]
    for i, upn in enumerate(pupils.upn):
        cells = ",".join(_CELL[marks[i]].tolist())
        lines.append(f"{upn},{pupils.surname[i]},{pupils.forename[i]},{years[i]},{cells}")
    lines.append("")
    return "\n".join(lines).encode()


def marks_bytes(pupils: Pupils, marks: np.ndarray) -> bytes:
    """Long format without a per-mark Python loop: every line is first laid out at a fixed width
    (the pupil's "UPN,Surname,Forename,Year" padded to the longest, then ",date,AM," and the code
    and newline up to 3 bytes), then the unused bytes and the not-on-roll lines are dropped with
    one boolean mask. With names on every row, as school systems export them, the LA comes to
    about 775 MiB."""
    n = len(pupils.upn)
    years = ["R" if y == 0 else str(y) for y in pupils.year.tolist()]
    prefixes = [
        f"{pupils.upn[i]},{pupils.surname[i]},{pupils.forename[i]},{years[i]}".encode()
        for i in range(n)
    ]
    width = max(len(p) for p in prefixes)
    prefix = np.zeros((n, width), dtype=np.uint8)
    prefix_length = np.array([len(p) for p in prefixes], dtype=np.int64)
    for i, raw in enumerate(prefixes):
        prefix[i, : len(raw)] = np.frombuffer(raw, dtype=np.uint8)
    line = width + 15 + 3
    buffer = np.empty((n, N_SESSIONS, line), dtype=np.uint8)
    buffer[:, :, :width] = prefix[:, None, :]
    buffer[:, :, width : width + 15] = _SESSION_BYTES[None, :, :]
    buffer[:, :, width + 15 :] = _CODE_BYTES[marks]
    keep = np.ones((n, N_SESSIONS, line), dtype=bool)
    keep[:, :, :width] = (np.arange(width) < prefix_length[:, None])[:, None, :]
    keep[:, :, width + 15 :] = np.arange(3) < _CODE_LENGTH[marks][:, :, None]
    keep[marks == BLANK] = False
    return b"UPN,Surname,Forename,Year,Date,Session,Mark\n" + buffer[keep].tobytes()


def roster_rows(school: School, pupils: Pupils, rng: np.random.Generator) -> list[list[str]]:
    n = len(pupils.upn)
    dob_offset = rng.integers(0, 365, size=n).tolist()
    house = rng.integers(1, 200, size=n).tolist()
    street = rng.choice(STREETS, size=n).tolist()
    mother = rng.choice(WOMEN, size=n).tolist()
    father = rng.choice(MEN, size=n).tolist()
    two_parents = (rng.random(n) < 0.55).tolist()
    fsm = (rng.random(n) < 0.24).tolist()
    sen = rng.choice(np.array(["N", "K", "E"]), size=n, p=[0.84, 0.13, 0.03]).tolist()
    social = rng.choice(np.array(["", "CIN", "CP"]), size=n, p=[0.97, 0.02, 0.01]).tolist()
    looked_after = (rng.random(n) < 0.005).tolist()
    rows = []
    for i, upn in enumerate(pupils.upn):
        year = int(pupils.year[i])
        surname = str(pupils.surname[i])
        dob = dt.date(2020 - year, 9, 1) + dt.timedelta(days=dob_offset[i])
        started = dt.date(2025 - (year - school.years[0]), 9, 3)  # Reception or Year 7
        entry = DAYS[pupils.entry[i]] if pupils.entry[i] > 0 else started
        leaving = DAYS[pupils.leave[i]].isoformat() if pupils.leave[i] < N_DAYS - 1 else ""
        address = f"{house[i]} {street[i]}, Kestrelford KF{1 + i % 9} {1 + i % 9}AB"
        phone = f"07700 900{(school.number * 997 + i) % 1000:03d}"
        contacts = [
            f"{mother[i]} {surname}",
            "Mother",
            address,
            phone,
            f"parent.{school.laestab}.{i}@example.com",
            "Y",
        ]
        if two_parents[i]:
            contacts += [f"{father[i]} {surname}", "Father", address, "", "", "Y"]
        else:
            contacts += [""] * 6
        rows.append([
            upn, surname, str(pupils.forename[i]), dob.isoformat(), str(pupils.gender[i]),
            "R" if year == 0 else str(year), str(school.laestab), school.name, entry.isoformat(),
            leaving, "Y" if fsm[i] else "N", sen[i], social[i], "Y" if looked_after[i] else "N",
            *contacts,
        ])  # fmt: skip
    return rows


@dataclass
class SchoolResult:
    laestab: int
    roster: bytes
    marks_on_roll: int
    possible: int
    absent: int
    unauthorised: int
    persistent: int
    severe: int
    enrolments: int
    bytes_written: dict[str, int]


def build_school(
    school: School, n_pupils: int, seed: int, formats: tuple[str, ...], outdir: str
) -> SchoolResult:
    rng = np.random.default_rng([seed, school.number])
    pupils = make_pupils(school, n_pupils, rng)
    marks = code_matrix(school, pupils, rng)
    roster = io.StringIO()
    csv.writer(roster, lineterminator="\n").writerows(roster_rows(school, pupils, rng))
    written = {}
    for fmt in formats:
        data = grid_bytes(pupils, marks) if fmt == "grid" else marks_bytes(pupils, marks)
        (Path(outdir) / fmt / f"school_{school.laestab}.csv").write_bytes(data)
        written[fmt] = len(data)
    possible = IS_POSSIBLE[marks].sum(axis=1)
    absent = IS_ABSENT[marks].sum(axis=1)
    has = possible > 0
    return SchoolResult(
        school.laestab,
        roster.getvalue().encode(),
        int((marks != BLANK).sum()),
        int(possible.sum()),
        int(absent.sum()),
        int(IS_UNAUTHORISED[marks].sum()),
        int((has & (10 * absent >= possible)).sum()),
        int((has & (2 * absent >= possible)).sum()),
        int(has.sum()),
        written,
    )


def _mib(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a big synthetic LA for benchmarks.")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--schools", type=int, default=120)
    parser.add_argument("--pupils", type=int, default=400, help="pupils per school")
    parser.add_argument("--formats", default="grid,marks", help="comma list of grid, marks")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="worker processes (default: 2 or the number of CPUs if fewer)",
    )
    args = parser.parse_args(argv)
    formats = tuple(f for f in args.formats.split(",") if f)
    if not set(formats) <= {"grid", "marks"}:
        parser.error(f"unknown format in {args.formats!r}; use grid and/or marks")

    started = time.perf_counter()
    for fmt in formats:
        (args.outdir / fmt).mkdir(parents=True, exist_ok=True)
    schools = la_schools(args.schools)
    jobs = [(s, args.pupils, args.seed, formats, str(args.outdir)) for s in schools]
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(build_school, *zip(*jobs, strict=True), chunksize=4))
    else:
        results = [build_school(*job) for job in jobs]
    roster_header = io.StringIO()
    csv.writer(roster_header, lineterminator="\n").writerow(ROSTER_HEADER)
    roster = roster_header.getvalue().encode() + b"".join(r.roster for r in results)
    (args.outdir / "roster.csv").write_bytes(roster)
    elapsed = time.perf_counter() - started

    possible = sum(r.possible for r in results)
    absent = sum(r.absent for r in results)
    enrolments = sum(r.enrolments for r in results)
    print(
        f"{len(schools)} schools x {args.pupils} pupils, {N_DAYS} school days "
        f"({N_SESSIONS} sessions), seed {args.seed}, {args.jobs} process(es)"
    )
    print(
        f"marks on roll: {sum(r.marks_on_roll for r in results):,}; possible sessions "
        f"{possible:,}; absence {100 * absent / possible:.2f}% "
        f"(unauthorised {100 * sum(r.unauthorised for r in results) / possible:.2f}%)"
    )
    print(
        f"PA {100 * sum(r.persistent for r in results) / enrolments:.1f}% and SA "
        f"{100 * sum(r.severe for r in results) / enrolments:.1f}% of {enrolments:,} enrolments"
    )
    for fmt in formats:
        total = sum(r.bytes_written[fmt] for r in results)
        print(f"{args.outdir / fmt}/: {len(results)} files, {_mib(total)}")
    print(f"{args.outdir / 'roster.csv'}: {_mib(len(roster))}")
    print(f"time: {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
