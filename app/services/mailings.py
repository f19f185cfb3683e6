"""Logging mailings and changing their status: the only code that writes mailings."""

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import and_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import select

from app.services import countries
from app.services import totals
from app.services.codes import new_code
from app.services.database import begin_write
from app.services.errors import Conflict
from app.services.errors import FieldError
from app.services.errors import NotFound
from app.services.errors import ValidationFailed
from models import Batch
from models import Campaign
from models import CampaignStatus
from models import Chapter
from models import Mailing
from models import MailingBatchCreate
from models import MailingEvent
from models import MailingStatus
from models import Recipient
from models import User

# A sender east of UTC may already be on tomorrow's date.
_FUTURE_GRACE = dt.timedelta(days=1)
_CODE_ATTEMPTS = 3


@dataclass(frozen=True)
class LoggedBatch:
    """What :func:`log_mailings` made (or found, for a repeated submission)."""

    batch: Batch
    created: bool


# What a person reads when a field of a batch is refused by the input model.
BATCH_MESSAGES = {
    "campaign": "Choose a campaign.",
    "recipient": "Choose a recipient of this campaign.",
    "channel": "Choose how the mail was sent.",
    "sender_town": "Enter the town it was sent from (up to 80 characters).",
    "sender_country": "Choose a country from the list.",
    "sent_on": "Enter the date it was sent, like 2025-12-10.",
    "count": "Enter a number from 1 to 500.",
    "chapter": "Choose a chapter.",
    "kind": "Choose postcard, letter or large envelope.",
    "weight_g": "Enter a weight in grams, more than 0 and at most 5000.",
    "nonmachinable": "Tick the box or leave it empty.",
}


def parse_batch(raw: dict, *, today: dt.date | None = None) -> MailingBatchCreate:
    """Validate raw input (a form, JSON, a CSV row) into a batch to log.

    Reports every problem that needs no database at once: the input model's, an
    unknown country and a date in the future.

    :raises ValidationFailed: with one plain message per refused field.
    """
    errors: dict[str, str] = {}
    data = None
    try:
        data = MailingBatchCreate.model_validate(raw)
    except ValidationError as exc:
        failure = ValidationFailed.from_pydantic(exc, BATCH_MESSAGES)
        errors.update((e.field, e.message) for e in failure.errors)
    country = data.sender_country if data else str(raw.get("sender_country") or "").upper()
    if "sender_country" not in errors and not countries.is_country(country):
        errors["sender_country"] = BATCH_MESSAGES["sender_country"]
    sent_on = data.sent_on if data else _date_or_none(raw.get("sent_on"))
    if "sent_on" not in errors and sent_on and _in_future(sent_on, today):
        errors["sent_on"] = FUTURE_MESSAGE
    if errors:
        raise ValidationFailed([FieldError(f, m) for f, m in errors.items()])
    return data


def _date_or_none(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


FUTURE_MESSAGE = "The date sent cannot be in the future."


def _in_future(sent_on: dt.date, today: dt.date | None) -> bool:
    today = today or dt.datetime.now(dt.UTC).date()
    return sent_on > today + _FUTURE_GRACE


def town_key(town: str) -> str:
    """Fold a town name so case, spacing and accents do not split one town in two."""
    decomposed = unicodedata.normalize("NFKD", town.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())


def request_digest(data: MailingBatchCreate) -> str:
    """Return a stable digest of validated input, to tell a repeat from a conflict."""
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


def chapter_for(session: Session, user: User) -> Chapter | None:
    """Return the chapter a coordinator logs for (``None`` for staff)."""
    return session.get(Chapter, user.chapter_id) if user.chapter_id else None


def log_mailings(
    *,
    session: Session,
    data: MailingBatchCreate,
    user: User,
    submission_id: str,
    today: dt.date | None = None,
) -> LoggedBatch:
    """Log ``data.count`` pieces as one batch, in one transaction, and commit.

    A repeated ``submission_id`` with the same input returns the first batch.

    :raises ValidationFailed: if any field is refused; nothing is written.
    :raises Conflict: if ``submission_id`` was used before with different input.
    """
    digest = request_digest(data)
    today = today or dt.datetime.now(dt.UTC).date()
    for _attempt in range(_CODE_ATTEMPTS):
        # One write transaction per batch. A repeated submission id is caught by the
        # unique constraint, not looked up first: the common case costs no extra query.
        begin_write(session)
        try:
            campaign, recipient, chapter = _check(session, data, user, today)
            batch = Batch(
                submission_id=submission_id,
                request_digest=digest,
                campaign_id=campaign.id,
                recipient_id=recipient.id,
                chapter_id=chapter.id if chapter else None,
                created_by_id=user.id,
                channel=data.channel,
                count=data.count,
                sent_on=data.sent_on,
            )
            session.add(batch)
            session.flush()
            # Core, not the ORM's bulk path: these rows need no identity map.
            rows = _mailing_rows(batch, data)
            session.connection().execute(Mailing.__table__.insert(), rows)
            # Dashboard tallies: counted in this same transaction (services/totals.py).
            totals.count_logged(session, rows)
            session.commit()
            return LoggedBatch(batch=batch, created=True)
        except ValidationFailed:
            session.rollback()
            # A repeat of a submission that was accepted before (say, before the
            # campaign closed) still gets its first answer.
            if (existing := _batch_by_submission(session, submission_id)) is not None:
                return _repeat(existing, digest)
            raise
        except IntegrityError:
            # Either this submission id was logged already (perhaps a moment ago by a
            # simultaneous request), or two random codes collided (about once in 10^15
            # pairs): look, then retry.
            session.rollback()
            if (existing := _batch_by_submission(session, submission_id)) is not None:
                return _repeat(existing, digest)
    raise RuntimeError("could not assign unique mailing codes")


def _batch_by_submission(session: Session, submission_id: str) -> Batch | None:
    return session.exec(select(Batch).where(Batch.submission_id == submission_id)).first()


def _repeat(batch: Batch, digest: str) -> LoggedBatch:
    if batch.request_digest != digest:
        raise Conflict("this submission id was already used for different mailings")
    return LoggedBatch(batch=batch, created=False)


def _check(
    session: Session, data: MailingBatchCreate, user: User, today: dt.date
) -> tuple[Campaign, Recipient, Chapter | None]:
    """Check what the input model cannot check alone; collect every problem."""
    errors: list[FieldError] = []
    found = session.exec(
        select(Campaign, Recipient)
        .join(
            Recipient,
            and_(Recipient.campaign_id == Campaign.id, Recipient.key == data.recipient),
            isouter=True,
        )
        .where(Campaign.slug == data.campaign)
    ).first()
    campaign, recipient = found if found else (None, None)
    if campaign is None:
        errors.append(FieldError("campaign", "There is no campaign with this name."))
    else:
        if campaign.status != CampaignStatus.ACTIVE:
            errors.append(
                FieldError("campaign", f"This campaign is {campaign.status}: it takes no mail.")
            )
        if recipient is None:
            errors.append(FieldError("recipient", "Choose a recipient of this campaign."))
        if data.sent_on < campaign.starts_on:
            errors.append(
                FieldError(
                    "sent_on",
                    f"The campaign started on {campaign.starts_on.isoformat()}; "
                    "the date sent cannot be earlier.",
                )
            )
    if _in_future(data.sent_on, today):
        errors.append(FieldError("sent_on", FUTURE_MESSAGE))
    if not countries.is_country(data.sender_country):
        errors.append(FieldError("sender_country", BATCH_MESSAGES["sender_country"]))

    chapter = None
    if user.is_staff:
        if data.chapter:
            chapter = session.exec(select(Chapter).where(Chapter.slug == data.chapter)).first()
            if chapter is None:
                errors.append(FieldError("chapter", "There is no chapter with this name."))
    else:
        chapter = chapter_for(session, user)
        if chapter is None or (data.chapter and data.chapter != chapter.slug):
            errors.append(FieldError("chapter", "You can only log mailings for your chapter."))
    if errors:
        raise ValidationFailed(errors)
    return campaign, recipient, chapter


def _mailing_rows(batch: Batch, data: MailingBatchCreate) -> list[dict]:
    is_post = data.channel.is_post
    weight_mg = int(data.weight_g * 1000) if (is_post and data.weight_g is not None) else None
    common = {
        "batch_id": batch.id,
        "campaign_id": batch.campaign_id,
        "recipient_id": batch.recipient_id,
        "chapter_id": batch.chapter_id,
        "channel": str(data.channel),
        "kind": str(data.kind) if (is_post and data.kind) else None,
        "weight_mg": weight_mg,
        "nonmachinable": bool(is_post and data.nonmachinable),
        "sender_town": data.sender_town,
        "sender_town_key": town_key(data.sender_town),
        "sender_country": data.sender_country,
        "sent_on": data.sent_on,
        "status": MailingStatus.LOGGED.value,
        "created_at": batch.created_at,
    }
    codes: set[str] = set()
    while len(codes) < data.count:
        codes.add(new_code())
    return [{**common, "code": code} for code in codes]


# --- reading -------------------------------------------------------------------------


def visible_to(user: User):
    """Return a filter for the mailings *user* may see: staff all, coordinators their chapter's."""
    if user.is_staff:
        return True
    return Mailing.chapter_id == user.chapter_id if user.chapter_id else False


def get_mailing(session: Session, code: str, user: User) -> Mailing:
    """Return the mailing with *code* if *user* may see it.

    :raises NotFound: if there is none, or it belongs to another chapter.
    """
    mailing = session.exec(select(Mailing).where(Mailing.code == code, visible_to(user))).first()
    if mailing is None:
        raise NotFound(code)
    return mailing


def get_batch(session: Session, batch_id: int, user: User) -> Batch:
    """Return batch *batch_id* if *user* may see it.

    :raises NotFound: if there is none, or it belongs to another chapter.
    """
    batch = session.get(Batch, batch_id)
    if batch is None or not (user.is_staff or batch.chapter_id == user.chapter_id):
        raise NotFound(batch_id)
    return batch


@dataclass(frozen=True)
class MailingFilter:
    """The list's filters; every field optional."""

    campaign_id: int | None = None
    chapter_id: int | None = None
    channel: str | None = None
    status: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    batch_id: int | None = None


def list_mailings(
    session: Session, *, user: User, filters: MailingFilter, before_id: int | None, limit: int
) -> list[Mailing]:
    """Return up to *limit* mailings, newest first, older than *before_id* (keyset paging)."""
    conditions = [visible_to(user)]
    for column, value in (
        (Mailing.campaign_id, filters.campaign_id),
        (Mailing.chapter_id, filters.chapter_id),
        (Mailing.channel, filters.channel),
        (Mailing.status, filters.status),
        (Mailing.batch_id, filters.batch_id),
    ):
        if value is not None:
            conditions.append(column == value)
    if filters.since:
        conditions.append(Mailing.sent_on >= filters.since)
    if filters.until:
        conditions.append(Mailing.sent_on <= filters.until)
    if before_id is not None:
        conditions.append(Mailing.id < before_id)
    query = select(Mailing).where(and_(*conditions)).order_by(Mailing.id.desc()).limit(limit)
    return list(session.exec(query).all())


# --- status changes ------------------------------------------------------------------

ACTIONS = ("posted", "void", "undo")
_TARGET = {"posted": MailingStatus.POSTED, "void": MailingStatus.VOID}


@dataclass(frozen=True)
class StatusResult:
    """How many mailings a status change changed, and why others were left alone."""

    changed: int
    skipped: int
    reason: str | None = None


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
    totals.count_moved(session, moves)
    session.commit()
    skipped = len(current) - changed
    return StatusResult(changed, skipped, " ".join(sorted(reasons)) or None)


def _target_status(mailing: Mailing, action: str, last: MailingEvent | None):
    if action == "undo":
        if last is None or last.action == "undo":
            return None, "There is nothing to undo."
        return last.from_status, None
    target = _TARGET[action]
    if mailing.status == target:
        return None, f"Already {target}."
    if action == "posted" and mailing.status == MailingStatus.VOID:
        return None, "A void mailing cannot be marked posted; undo the void first."
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
