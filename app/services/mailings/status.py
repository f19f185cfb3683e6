"""Changing mailings' status (posted, void, undo), with an event and the tallies for each."""

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session
from sqlmodel import select

from app.services.database import begin_write
from app.services.errors import N_
from app.services.totals import tallies
from models import Mailing
from models import MailingEvent
from models import MailingStatus
from models import User

ACTIONS = ("posted", "void", "undo")
_TARGET = {"posted": MailingStatus.POSTED, "void": MailingStatus.VOID}
ALREADY = {MailingStatus.POSTED: N_("Already posted."), MailingStatus.VOID: N_("Already void.")}


@dataclass(frozen=True)
class StatusResult:
    """How many mailings a status change changed, and why others were left alone."""

    changed: int
    skipped: int
    reasons: tuple[str, ...] = ()

    @property
    def reason(self) -> str | None:
        """Why mailings were skipped, in English."""
        return " ".join(self.reasons) or None


def change_status(
    *, session: Session, mailings: list[Mailing], action: str, user: User
) -> StatusResult:
    """Apply *action* (posted, void or undo) to *mailings* and record an event for each.

    ``undo`` returns a mailing to the status before its last change (once: an undo is
    not itself undone). Mailings the action does not apply to are skipped and counted.
    Commits.

    :raises ValueError: for an unknown action.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    ids = [m.id for m in mailings]
    begin_write(session)
    # Re-read inside the write transaction: another request may have changed them.
    current = list(session.exec(select(Mailing).where(Mailing.id.in_(ids))).all())
    last_events = _last_events(session, ids) if action == "undo" else {}
    changed, reasons = 0, set()
    moves = []  # (mailing, from, to) for the dashboard tallies
    now = dt.datetime.now(dt.UTC)
    for mailing in current:
        target, reason = _target_status(mailing, action, last_events.get(mailing.id))
        if target is None:
            reasons.add(reason)
            continue
        session.add(
            MailingEvent(
                mailing_id=mailing.id,
                action=action,
                from_status=mailing.status,
                to_status=target,
                user_id=user.id,
                at=now,
            )
        )
        moves.append((mailing, mailing.status, target))
        mailing.status = target
        changed += 1
    # Dashboard tallies: the moved mailings change status there too, in this transaction.
    tallies.count_moved(session, moves)
    session.commit()
    skipped = len(current) - changed
    return StatusResult(changed, skipped, tuple(sorted(reasons)))


def _target_status(mailing: Mailing, action: str, last: MailingEvent | None):
    if action == "undo":
        if last is None or last.action == "undo":
            return None, N_("There is nothing to undo.")
        return last.from_status, None
    target = _TARGET[action]
    if mailing.status == target:
        return None, ALREADY[target]
    if action == "posted" and mailing.status == MailingStatus.VOID:
        return None, N_("A void mailing cannot be marked posted; undo the void first.")
    return target.value, None


def _last_events(session: Session, ids: list[int]) -> dict[int, MailingEvent]:
    latest = (
        select(MailingEvent.mailing_id, MailingEvent.id)
        .where(MailingEvent.mailing_id.in_(ids))
        .order_by(MailingEvent.mailing_id, MailingEvent.id.desc())
    )
    newest: dict[int, int] = {}
    for mailing_id, event_id in session.exec(latest):
        newest.setdefault(mailing_id, event_id)
    if not newest:
        return {}
    events = session.exec(select(MailingEvent).where(MailingEvent.id.in_(newest.values())))
    return {e.mailing_id: e for e in events.all()}
