"""The national framework for penalty notices, as pure rules: amounts, deadlines, the limit of
two notices per parent per child in 3 years, numbering, and their wording.

No database here: ``cases.penalty`` reads the notices and applies these rules (its docstring
states the decisions). Sources: SI 2024/210 and *Working together to improve school attendance*
(see ../shared/domain/attendance-rules.md).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from attendance_cli.errors import InvalidInputError, RefusedError

FRAMEWORK_START = dt.date(2024, 8, 19)


REDUCED_RATE_DAYS = 21


PAYMENT_DAYS = 28


LIMIT_YEARS = 3


MAX_NOTICES_IN_WINDOW = 2


FIRST_REDUCED_PENCE = 8_000


FULL_PENCE = 16_000


BEFORE_FRAMEWORK_REDUCED_PENCE = 6_000


BEFORE_FRAMEWORK_FULL_PENCE = 12_000


STATUSES = ("outstanding", "overdue", "paid", "withdrawn")

# The two kinds of notice: for irregular attendance (EA 1996 s.444A) and for an excluded child
# found in a public place in school hours (EIA 2006 s.105). Exclusion notices do not count
# towards the 2-in-3-years limit and are never a "second notice".
ATTENDANCE, EXCLUSION = "attendance", "exclusion"
KINDS = (ATTENDANCE, EXCLUSION)

# The DfE's reasons for a notice in the annual figures.
REASONS = {
    "holiday": "Term-time holiday",
    "unauthorised": "Other unauthorised absence",
    "lateness": "Lateness",
    "exclusion": "Exclusion (found in a public place)",
}

# SI 2007/1867 reg. 8 (a notice may be withdrawn) and reg. 9 (it must be, when unpaid and the
# LA does not prosecute).
WITHDRAWAL_GROUNDS = {
    "not-issued": "it ought not to have been issued (reg. 8)",
    "wrong-person": "it ought not to have been issued to the person named as the recipient "
    "(reg. 8)",
    "material-error": "it contains material errors (reg. 8)",
    "not-prosecuted": "unpaid and the LA will not prosecute (reg. 9)",
}

UNAUTHORISED_MARKS = frozenset("GNOU")
EXCLUSION_MARK = "E"
LATE_MARK = "U"  # late after the register closed
HOLIDAY_MARK = "G"
THRESHOLD_SESSIONS = 10
THRESHOLD_WEEKS = 10


def notice_reason(kind: str, marks: Iterable[str]) -> str:
    """The DfE reason of a notice from its sessions' marks: exclusion for an exclusion notice;
    holiday when every session is G; lateness when every session is U; else other unauthorised
    absence (also when no sessions are recorded)."""
    if kind == EXCLUSION:
        return "exclusion"
    found = set(marks)
    if found and found <= {HOLIDAY_MARK}:
        return "holiday"
    if found and found <= {LATE_MARK}:
        return "lateness"
    return "unauthorised"


def best_threshold_window(sessions: Sequence[dt.date], school_weeks: Iterable[dt.date]) -> int:
    """The most of ``sessions`` (one date per unauthorised session) within any 10 consecutive
    school weeks (``school_weeks``: the Mondays of the weeks with a school session for the
    child; a week with none does not count towards the 10)."""
    weeks = sorted(set(school_weeks))
    index = {monday: i for i, monday in enumerate(weeks)}
    positions = sorted(index.get(d - dt.timedelta(days=d.weekday()), -1) for d in sessions)
    positions = [p for p in positions if p >= 0]
    best, first = 0, 0
    for last, week in enumerate(positions):
        while positions[first] <= week - THRESHOLD_WEEKS:
            first += 1
        best = max(best, last - first + 1)
    return best


ACTION_KIND = "penalty notice"


def pounds(pence: int) -> str:
    """£80, £80.50."""
    whole, part = divmod(pence, 100)
    return f"£{whole:,}" if part == 0 else f"£{whole:,}.{part:02d}"


MAX_AMOUNT_POUNDS = 10_000  # far above any notice: a typo guard


def parse_amount(text: str) -> int:
    """Pounds as typed (``80``, ``80.00``, ``£160``) to pence."""
    cleaned = text.strip().lstrip("£").replace(",", "").strip()
    try:
        value = Decimal(cleaned)
        whole_pence = value.is_finite() and value == value.quantize(Decimal("0.01"))
    except InvalidOperation:  # not a number, or too many digits to quantize
        value, whole_pence = Decimal("NaN"), False
    if not whole_pence or value <= 0 or value > MAX_AMOUNT_POUNDS:
        raise InvalidInputError(
            f"--amount {text!r} is not an amount in pounds",
            hint="Give pounds, e.g. --amount 80 or --amount 160.00 (or leave it out: the "
            "framework sets it).",
        )
    return int(value * 100)


_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr"})


def parent_key(name: str) -> str:
    """The form parent names are compared in: case, spacing, punctuation and a title ignored."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("\u2019", "'")
    text = text.replace("'", "")
    for mark in ".,-":
        text = text.replace(mark, " ")
    words = text.split()
    if len(words) > 1 and words[0] in _TITLES:
        words = words[1:]
    return " ".join(words)


def three_years_after(day: dt.date) -> dt.date:
    """The first day outside the 3 years beginning with ``day`` (29 Feb -> 1 Mar)."""
    try:
        return day.replace(year=day.year + LIMIT_YEARS)
    except ValueError:  # 29 February into a common year
        return dt.date(day.year + LIMIT_YEARS, 3, 1)


def in_framework(issued: dt.date) -> bool:
    return issued >= FRAMEWORK_START


def reduced_rate_until(start: dt.date) -> dt.date:
    """Last day of the 21 days beginning with ``start``: the day the notice was received
    (``cases.served``), or the issue date for a notice whose service is not recorded."""
    return start + dt.timedelta(days=REDUCED_RATE_DAYS - 1)


def pay_by(start: dt.date) -> dt.date:
    """Last day of the 28 days beginning with ``start`` (receipt, else issue)."""
    return start + dt.timedelta(days=PAYMENT_DAYS - 1)


@dataclass(frozen=True)
class NoticeHistory:
    """A notice as the rules see it: to the same parent for the same child as the one at hand."""

    id: int
    issued: dt.date
    withdrawn: dt.date | None = None


def counts_at(notice: NoticeHistory, day: dt.date) -> bool:
    """Whether ``notice`` counts against a notice issued on ``day``: issued under the framework,
    on or before ``day`` and less than 3 years before it, and not withdrawn by ``day``."""
    return (
        in_framework(notice.issued)
        and notice.issued <= day < three_years_after(notice.issued)
        and (notice.withdrawn is None or notice.withdrawn > day)
    )


@dataclass(frozen=True)
class Rates:
    """What a notice costs: the reduced rate (None when there is none) and the full rate."""

    reduced_pence: int | None
    full_pence: int

    @property
    def initial_pence(self) -> int:
        return self.full_pence if self.reduced_pence is None else self.reduced_pence


def rates_for(issued: dt.date, notice_number: int | None) -> Rates:
    if not in_framework(issued):
        return Rates(BEFORE_FRAMEWORK_REDUCED_PENCE, BEFORE_FRAMEWORK_FULL_PENCE)
    if notice_number is not None and notice_number >= 2:
        return Rates(None, FULL_PENCE)
    return Rates(FIRST_REDUCED_PENCE, FULL_PENCE)


@dataclass(frozen=True)
class Assessment:
    """What the framework says about a new notice issued on ``issued``."""

    issued: dt.date
    allowed: bool
    notice_number: int | None  # 1 or 2 under the framework; None before 19 Aug 2024
    rates: Rates
    counted: tuple[NoticeHistory, ...]  # earlier notices in the 3 years that count
    possible_from: dt.date | None  # when refused: the first day a notice is possible
    before_framework: tuple[NoticeHistory, ...]  # in the 3 years, issued before 19 Aug 2024


def assess_notice(*, issued: dt.date, others: Iterable[NoticeHistory]) -> Assessment:
    """Apply the framework to a new notice given the other notices to the same parent for the
    same child (any dates: only those counting on ``issued`` are used)."""
    others = list(others)
    counted = tuple(sorted((n for n in others if counts_at(n, issued)), key=_order))
    before = tuple(
        n
        for n in others
        if not in_framework(n.issued)
        and n.withdrawn is None
        and n.issued <= issued < three_years_after(n.issued)
    )
    if not in_framework(issued):
        return Assessment(issued, True, None, rates_for(issued, None), (), None, ())
    if len(counted) >= MAX_NOTICES_IN_WINDOW:
        blocking = counted[-MAX_NOTICES_IN_WINDOW]
        return Assessment(
            issued,
            False,
            None,
            rates_for(issued, None),
            counted,
            three_years_after(blocking.issued),
            before,
        )
    number = len(counted) + 1
    return Assessment(issued, True, number, rates_for(issued, number), counted, None, before)


def _order(notice: NoticeHistory) -> tuple[dt.date, int]:
    return notice.issued, notice.id


def number_notices(notices: Sequence[NoticeHistory]) -> dict[int, int | None]:
    """Each notice's number (1, 2, ...) among the notices to one parent for one child: one more
    than the earlier notices that counted on its issue date. None before 19 Aug 2024."""
    ordered = sorted(notices, key=_order)
    numbers: dict[int, int | None] = {}
    for position, notice in enumerate(ordered):
        if not in_framework(notice.issued):
            numbers[notice.id] = None
            continue
        numbers[notice.id] = 1 + sum(
            1 for earlier in ordered[:position] if counts_at(earlier, notice.issued)
        )
    return numbers


def payment_amount(rates: Rates, issued: dt.date, paid: dt.date) -> int:
    """The amount due for a payment on ``paid`` (days counted from receipt)."""
    if rates.reduced_pence is not None and paid <= reduced_rate_until(issued):
        return rates.reduced_pence
    return rates.full_pence


def _rates_text(rates: Rates, issued: dt.date, notice_number: int | None) -> str:
    if not in_framework(issued):
        return (
            f"a notice issued before 19 August 2024 is {pounds(rates.initial_pence)} if paid "
            f"within 21 days, {pounds(rates.full_pence)} within 28 days"
        )
    if rates.reduced_pence is None:
        return (
            f"a second notice to the same parent for the same child within 3 years is "
            f"{pounds(rates.full_pence)} flat, with no reduced rate"
        )
    return (
        f"a first notice is {pounds(rates.reduced_pence)} if paid within 21 days, "
        f"{pounds(rates.full_pence)} within 28 days"
    )


def payment_warnings(issued: dt.date, paid: dt.date) -> list[str]:
    days = (paid - issued).days + 1
    if paid > pay_by(issued):
        return [
            f"Paid on day {days} counting from receipt, after the 28 days to pay: a "
            "penalty notice can be paid only within 28 days of receipt; after that the LA must "
            "prosecute or withdraw it. Check the dates."
        ]
    return []


def check_amount(
    *,
    rates: Rates,
    issued: dt.date,
    notice_number: int | None,
    paid: dt.date | None,
    amount_pence: int,
) -> list[str]:
    """Warnings for an amount given by the officer; RefusedError when the framework rules it
    out (with the reason)."""
    allowed = {rates.full_pence} | (set() if rates.reduced_pence is None else {rates.reduced_pence})
    rule = _rates_text(rates, issued, notice_number)
    if amount_pence not in allowed:
        raise RefusedError(
            f"{pounds(amount_pence)} is not an amount this notice can have: {rule}",
            hint="Leave out --amount to let att set it from the framework.",
        )
    if paid is None:
        if amount_pence != rates.initial_pence:
            raise RefusedError(
                f"An unpaid notice is recorded at the amount it first asks for, "
                f"{pounds(rates.initial_pence)}: {rule}",
                hint="Leave out --amount; record what was paid with --paid DATE (and --amount "
                "if att cannot tell).",
            )
        return []
    expected = payment_amount(rates, issued, paid)
    if amount_pence == expected:
        return []
    days = (paid - issued).days + 1
    if amount_pence == rates.reduced_pence:  # reduced rate claimed after day 21 from issue
        return [
            f"{pounds(amount_pence)} recorded for a payment on day {days} counting from "
            "receipt: the reduced rate applies only within 21 days of receipt, so this is "
            "right only if the notice was received later than att counts (check the service "
            "date)."
        ]
    raise RefusedError(
        f"{pounds(amount_pence)} contradicts the framework: paid on day {days} counting from "
        f"receipt, within 21 days, so the reduced rate {pounds(expected)} applied ({rule})",
        hint=f"Record {pounds(expected)} (leave out --amount); any overpayment is refunded "
        "outside att.",
    )


def default_amount_note(rates: Rates, issued: dt.date, paid: dt.date, amount: int) -> list[str]:
    """A note when att charged the full rate for a first notice paid just after 21 days from
    issue (the reduced rate may still have applied if it was received later)."""
    if rates.reduced_pence is not None and amount == rates.full_pence and paid <= pay_by(issued):
        days = (paid - issued).days + 1
        return [
            f"Recorded {pounds(amount)}: paid on day {days} counting from receipt, after "
            f"the 21 days of the reduced rate. If the notice was received later than att "
            f"counts and the parent paid {pounds(rates.reduced_pence)} in time, correct the "
            f"service date (att penalty correct) or record --amount "
            f"{rates.reduced_pence // 100}."
        ]
    return []


# ------------------------------------------------------------------------ checks and wording


def tidy_parent_name(parent: str) -> str:
    name = " ".join(parent.split())
    if not name:
        raise InvalidInputError(
            "A penalty notice needs the parent's name", hint="Give --parent NAME."
        )
    return name


def check_not_future(day: dt.date, option: str, today: dt.date) -> None:
    if day > today:
        raise InvalidInputError(
            f"{option} {day.isoformat()} is in the future (today is {today.isoformat()})",
            hint="Record a notice, payment or withdrawal once it has happened.",
        )


def check_not_before_issue(day: dt.date, option: str, issued: dt.date) -> None:
    if day < issued:
        raise InvalidInputError(
            f"{option} {day.isoformat()} is before the notice was issued ({issued.isoformat()})",
            hint="Check the dates: a notice is paid or withdrawn on or after its issue date.",
        )


def framework_warnings(assessment: Assessment, name: str) -> list[str]:
    warnings: list[str] = []
    if assessment.notice_number == 2:
        first = assessment.counted[0]
        warnings.append(
            f"Second penalty notice to {name} for this child within 3 years (notice "
            f"{first.id}, issued {first.issued.isoformat()}): {pounds(FULL_PENCE)} flat, with no "
            f"reduced rate. No third notice is possible before "
            f"{three_years_after(first.issued).isoformat()}; if absence continues, consider "
            "another legal route (usually prosecution)."
        )
    if assessment.before_framework:
        ids = ", ".join(str(n.id) for n in assessment.before_framework)
        warnings.append(
            f"Notice(s) {ids} to {name} for this child were issued within the last 3 years but "
            "before the national framework began (19 August 2024), so they are not counted; "
            "check your LA's code of conduct."
        )
    return warnings


def third_notice_refusal(assessment: Assessment, name: str, upn: str) -> RefusedError:
    listed = " and ".join(f"{n.id} on {n.issued.isoformat()}" for n in assessment.counted[-2:])
    possible = assessment.possible_from
    assert possible is not None
    return RefusedError(
        f"A third penalty notice to {name} for {upn} cannot be issued within 3 years of the "
        f"first: notices {listed} count. Another is possible from {possible.isoformat()}",
        hint="Consider another legal route instead: usually prosecution (EA 1996 s.444), after "
        "considering an education supervision order. Withdrawn notices do not count.",
    )


def payment_terms(rates: Rates, issued: dt.date, *, say_flat: bool = False) -> str:
    """ "£80 by 2025-09-21, £160 by 2025-09-28" (or "£160 [flat] by ..." with no reduced rate)."""
    if rates.reduced_pence is None:
        flat = " flat" if say_flat else ""
        return f"{pounds(rates.full_pence)}{flat} by {pay_by(issued).isoformat()}"
    return (
        f"{pounds(rates.reduced_pence)} by {reduced_rate_until(issued).isoformat()}, "
        f"{pounds(rates.full_pence)} by {pay_by(issued).isoformat()}"
    )


def action_description(notice_id: int, name: str, rates: Rates, issued: dt.date) -> str:
    """The description of the case action recorded for a notice (shown in case lists)."""
    return f"Penalty notice {notice_id} to {name}: {payment_terms(rates, issued)}"
