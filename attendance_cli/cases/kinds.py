"""The graduated approach: kinds of casework action, their tier, and the agencies involved.

Support first (voluntary), then formal support, then legal action (see
../shared/domain/attendance-rules.md). The TSM workbook's dropdowns and ``att case add-action``
choices both come from here.
"""

from __future__ import annotations

from attendance_cli.errors import InvalidInputError

SUPPORT, FORMAL, LEGAL = "support", "formal", "legal"
TIERS = (SUPPORT, FORMAL, LEGAL)

ACTION_KINDS: tuple[tuple[str, str], ...] = (
    (SUPPORT, "meeting with family"),
    (SUPPORT, "home visit"),
    (SUPPORT, "early help assessment"),
    (SUPPORT, "referral"),  # the description names the service (CAMHS, school nurse, housing...)
    (SUPPORT, "attendance plan"),
    (SUPPORT, "part-time timetable review"),
    (SUPPORT, "other support"),
    (FORMAL, "attendance contract"),
    (FORMAL, "parenting contract"),
    (FORMAL, "formal attendance meeting"),
    (FORMAL, "notice to improve"),
    (FORMAL, "warning letter"),  # one per parent: the description or --parent names them
    (LEGAL, "penalty notice"),
    (LEGAL, "ESO application"),
    (LEGAL, "prosecution s.444(1)"),
    (LEGAL, "prosecution s.444(1A)"),
    (LEGAL, "parenting order"),
    (LEGAL, "school attendance order"),
)
TIER_OF_KIND = {kind: tier for tier, kind in ACTION_KINDS}
KINDS = tuple(kind for _, kind in ACTION_KINDS)

# Kinds recorded through their own command, which applies their rules (a penalty notice: the
# national framework's amounts and limits); `att case add-action` and the TSM workbook refuse them.
RECORDED_ELSEWHERE = {"penalty notice": "att penalty add UPN --parent NAME --issued DATE"}
AGREEABLE_ACTION_KINDS = tuple((t, k) for t, k in ACTION_KINDS if k not in RECORDED_ELSEWHERE)
AGREEABLE_KINDS = tuple(kind for _, kind in AGREEABLE_ACTION_KINDS)

AGENCIES = ("school", "LA", "early help", "health", "housing", "social care", "other")

ACTION_STATUSES = ("agreed", "done", "cancelled")  # "overdue" is derived: agreed and past due
DOCUMENT_KINDS = ("letter", "minutes", "contract", "medical", "other")


def normalise_choice(value: str, choices: tuple[str, ...]) -> str | None:
    """The choice matching ``value`` ignoring case, spaces and punctuation; None if none does."""

    def key(text: str) -> str:
        return "".join(ch for ch in text.lower() if ch.isalnum())

    wanted = key(value)
    for choice in choices:
        if key(choice) == wanted:
            return choice
    return None


def choose(value: str | None, choices: tuple[str, ...], what: str, option: str) -> str | None:
    """The choice ``value`` names (see ``normalise_choice``); None when not given; a clear error
    naming ``option`` and the choices when it names none."""
    if value is None or not value.strip():
        return None
    found = normalise_choice(value, choices)
    if found is None:
        raise InvalidInputError(
            f"{value!r} is not a known {what}",
            hint=f"Use one of: {', '.join(choices)} ({option}).",
        )
    return found
