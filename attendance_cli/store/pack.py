"""What a TSM pack reads beyond the registers, for all of a school's listed pupils at once:
their siblings elsewhere in the LA (shared parent contact or same address), what was agreed
since the last meeting, and their penalty notices.

Every read is one set-based query per list of pupils (IN-lists through :func:`chunked`), never a
query per pupil. They run as raw sqlite3 on ``store.connection`` because they are on the path of
``att tsm prepare`` (<= 0.5 s wall with start-up, ``bench/bench_commands.py``): importing
SQLAlchemy and the models for Core statements costs ~0.27 s (see ``store.registers``). The SQL is
portable (no sqlite-only functions: ``lower``, ``trim``, ``count``, ``max``, ``IN``); a
PostgreSQL store would run the same statements as Core behind the same names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from attendance_cli.store.chunking import CHUNK_SIZE, chunked
from attendance_cli.store.connection import Store
from attendance_cli.store.conversions import date_text, timestamp_text, to_date


def _marks(part: Sequence[object]) -> str:
    return ",".join("?" * len(part))


# ------------------------------------------------------------------------------- siblings
@dataclass(frozen=True, slots=True)
class ContactKeys:
    """A pupil's parent/carer contact reduced to what identifies a household, folded by the
    database (so both sides of a match are folded alike): address, name and e-mail trimmed and
    in lower case."""

    pupil_id: int
    address: str | None
    name: str | None
    email: str | None


_KEYS = "SELECT pupil_id, lower(trim(address)), lower(trim(name)), lower(trim(email)) FROM contact"


def _keys(row: Sequence[object]) -> ContactKeys:
    return ContactKeys(int(str(row[0])), *(str(v) if v else None for v in row[1:]))


def contact_keys_of(store: Store, pupil_ids: Sequence[int]) -> list[ContactKeys]:
    """The contacts of these pupils."""
    found: list[ContactKeys] = []
    for part in chunked(sorted(set(pupil_ids))):
        found += map(
            _keys,
            store.connection.execute(_KEYS + f" WHERE pupil_id IN ({_marks(part)})", list(part)),
        )
    return found


def contacts_sharing(
    store: Store, *, addresses: Sequence[str], emails: Sequence[str]
) -> list[ContactKeys]:
    """Every contact at one of these (folded) addresses or with one of these e-mails: one scan of
    ``contact`` (75,000 contacts on the 120-school bench LA: ~35 ms for a school's listed
    pupils; folding every contact in Python took 0.5 s, and matching phone numbers too, a
    third expression per row, doubled the scan)."""
    found: list[ContactKeys] = []
    addresses, emails = sorted(set(addresses)), sorted(set(emails))
    size = max(1, CHUNK_SIZE // 2)
    for start in range(0, max(len(addresses), len(emails)), size):
        part_a, part_e = addresses[start : start + size], emails[start : start + size]
        where = [
            *([f"lower(trim(address)) IN ({_marks(part_a)})"] if part_a else []),
            *([f"lower(trim(email)) IN ({_marks(part_e)})"] if part_e else []),
        ]
        found += map(
            _keys,
            store.connection.execute(_KEYS + " WHERE " + " OR ".join(where), [*part_a, *part_e]),
        )
    return found


@dataclass(frozen=True, slots=True)
class OnRoll:
    """An enrolment of a pupil on roll on a date, with its school."""

    pupil_id: int
    upn: str
    surname: str | None
    forename: str | None
    laestab: str
    school: str
    year_group: str | None


def on_roll(store: Store, pupil_ids: Sequence[int], *, on: dt.date) -> list[OnRoll]:
    """The enrolments of these pupils that had begun by ``on`` and had not ended before it
    (one per school), by pupil then school name."""
    found: list[OnRoll] = []
    day = date_text(on)
    for part in chunked(sorted(set(pupil_ids))):
        found += [
            OnRoll(*row)
            for row in store.connection.execute(
                "SELECT p.id, p.upn, coalesce(p.surname, p.name_as_written), p.forename, "
                "s.laestab, s.name, e.year_group FROM enrolment e "
                "JOIN pupil p ON p.id = e.pupil_id JOIN school s ON s.id = e.school_id "
                f"WHERE e.pupil_id IN ({_marks(part)}) "
                "AND (e.entry_date IS NULL OR e.entry_date <= ?) "
                "AND (e.leaving_date IS NULL OR e.leaving_date >= ?) "
                "ORDER BY p.id, s.name, e.id",
                [*part, day, day],
            )
        ]
    return found


# ------------------------------------------------------------------ what was agreed before
@dataclass(frozen=True, slots=True)
class PackAction:
    """An action of a pupil's case as the pack reports it."""

    pupil_id: int
    id: int
    kind: str
    action: str
    owner: str | None
    due: dt.date | None
    status: str  # agreed, done, cancelled
    agreed_at: dt.date  # the day it was recorded
    meeting_id: int | None


def actions_since(
    store: Store, pupil_ids: Sequence[int], *, since: dt.date | None
) -> dict[int, list[PackAction]]:
    """Per pupil, the actions of any of their cases recorded on or after ``since`` (whatever
    their status) and every action still agreed (an open action is what was agreed before),
    by id. With ``since`` None only the actions still agreed."""
    found: dict[int, list[PackAction]] = {}
    start = timestamp_text(dt.datetime.combine(since, dt.time())) if since else None
    for part in chunked(sorted(set(pupil_ids))):
        where = "a.status = 'agreed'" + (" OR a.created_at >= ?" if start else "")
        rows = store.connection.execute(
            "SELECT c.pupil_id, a.id, a.kind, a.description, a.owner, a.due, a.status, "
            "a.created_at, a.meeting_id FROM case_action a "
            "JOIN pupil_case c ON c.id = a.case_id "
            f"WHERE c.pupil_id IN ({_marks(part)}) AND ({where}) ORDER BY a.id",
            [*part, *([start] if start else [])],
        )
        for pupil_id, id_, kind, text, owner, due, status, created, meeting in rows:
            agreed = to_date(str(created)[:10]) or dt.date.min
            found.setdefault(pupil_id, []).append(
                PackAction(pupil_id, id_, kind, text, owner, to_date(due), status, agreed, meeting)
            )
    return found


@dataclass(frozen=True, slots=True)
class NoticeCount:
    """A pupil's penalty notices: how many were issued and the latest issue date."""

    pupil_id: int
    issued: int
    latest: dt.date | None
    withdrawn: int


def penalty_notice_counts(store: Store, pupil_ids: Sequence[int]) -> dict[int, NoticeCount]:
    """Per pupil with notices: the count issued (withdrawn ones included, and counted apart)
    and the latest issue date."""
    found: dict[int, NoticeCount] = {}
    for part in chunked(sorted(set(pupil_ids))):
        for pupil_id, issued, latest, withdrawn in store.connection.execute(
            "SELECT pupil_id, count(*), max(issued), count(withdrawn) FROM penalty_notice "
            f"WHERE pupil_id IN ({_marks(part)}) GROUP BY pupil_id",
            list(part),
        ):
            found[pupil_id] = NoticeCount(pupil_id, int(issued), to_date(latest), int(withdrawn))
    return found
