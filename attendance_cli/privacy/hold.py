"""Legal hold: a child's records kept past their retention period while a hold is in force.

UK GDPR art. 17(3)(e) keeps data needed for legal claims; an LA also keeps records while a
prosecution is pending, a subject access request or a complaint is being answered, or an
inquiry has asked it to. ``att privacy hold --upn UPN --reason ...`` places a hold on the child
(all their records: the pupil record, cases, notices, marks); while it is in force nothing of
the child is past retention (``privacy.retention`` lists such records as held, not past),
``att privacy erase`` refuses to erase any of it (naming the hold) and ``--past-retention``
skips it and says so. ``att privacy release HOLD_ID --reason ...`` ends a hold; the row is
kept (who released it, when, why). Placing and releasing are audited (``legal_hold`` is an
audited table), and the hold rows are the child's data: a child erased after every hold was
released takes the released holds with them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from attendance_cli.errors import NotFoundError, RefusedError, UsageError

if TYPE_CHECKING:
    from attendance_cli.store.connection import Store
    from attendance_cli.store.privacy import HoldRecord

ENTITY = "legal_hold"
PLACE_ACTION, RELEASE_ACTION = "place_hold", "release_hold"


def _reason(reason: str | None, flag: str = "--reason") -> str:
    why = (reason or "").strip()
    if not why:
        raise UsageError(f"Say why with {flag}", hint=f'e.g. {flag} "prosecution pending".')
    return why


def place_hold(store: Store, *, upn: str, reason: str, officer: str) -> HoldRecord:
    """Place a hold on a child (more than one may be in force, for different reasons)."""
    from attendance_cli.cases.audit import record_audit
    from attendance_cli.store import LOCK_AUDIT_CHAIN, writing
    from attendance_cli.store import privacy as stored
    from attendance_cli.store.registers import find_pupil

    why = _reason(reason)
    with writing(store, LOCK_AUDIT_CHAIN):
        pupil = find_pupil(store, upn)
        hold_id = stored.add_legal_hold(store, pupil_id=pupil.id, reason=why, officer=officer)
        record_audit(
            store, officer=officer, action=PLACE_ACTION, entity=ENTITY, entity_id=hold_id,
            upn=pupil.upn, detail={"reason": why},
        )  # fmt: skip
        return stored.legal_holds(store, hold_id=hold_id)[0]


def release_hold(store: Store, *, hold_id: int, reason: str, officer: str) -> HoldRecord:
    """End a hold (the row is kept); refused if it is already released."""
    from attendance_cli.cases.audit import record_audit
    from attendance_cli.store import LOCK_AUDIT_CHAIN, writing
    from attendance_cli.store import privacy as stored

    why = _reason(reason)
    with writing(store, LOCK_AUDIT_CHAIN):
        found = stored.legal_holds(store, hold_id=hold_id, in_force_only=False)
        if not found:
            raise NotFoundError(f"No legal hold {hold_id}", hint="att privacy holds lists them.")
        if not found[0].in_force:
            raise RefusedError(
                f"Legal hold {hold_id} was already released", hint="att privacy holds --all."
            )
        stored.release_legal_hold(store, hold_id, reason=why, officer=officer)
        record_audit(
            store, officer=officer, action=RELEASE_ACTION, entity=ENTITY, entity_id=hold_id,
            upn=found[0].upn, detail={"reason": why},
        )  # fmt: skip
        return stored.legal_holds(store, hold_id=hold_id, in_force_only=False)[0]


def list_holds(
    store: Store, *, upn: str | None = None, include_released: bool = False
) -> list[HoldRecord]:
    from attendance_cli.store import privacy as stored
    from attendance_cli.store.registers import find_pupil

    pupil_ids = [find_pupil(store, upn).id] if upn else None
    return stored.legal_holds(store, pupil_ids=pupil_ids, in_force_only=not include_released)


def holds_in_force(
    store: Store, pupil_ids: Iterable[int] | None = None
) -> dict[int, list[HoldRecord]]:
    """The holds in force, by pupil id."""
    from attendance_cli.store import privacy as stored

    found: dict[int, list[HoldRecord]] = {}
    for hold in stored.legal_holds(store, pupil_ids=pupil_ids):
        found.setdefault(hold.pupil_id, []).append(hold)
    return found


def describe(hold: HoldRecord) -> str:
    from attendance_cli.text import uk_date

    return (
        f"legal hold {hold.id} on {hold.upn} ({hold.reason}; placed {uk_date(hold.placed_at.date())} "
        f"by {hold.placed_by})"
    )


def refuse_held(store: Store, pupil_ids: Iterable[int]) -> None:
    """Refuse (exit 5) if any of these pupils is under a legal hold, naming the holds."""
    held = holds_in_force(store, sorted(set(pupil_ids)))
    if held:
        holds = [h for hs in held.values() for h in hs]
        raise RefusedError(
            "Not erased: under " + "; ".join(describe(h) for h in holds),
            hint="Release the hold first (att privacy release HOLD_ID --reason ...) when it no "
            "longer applies.",
        )
