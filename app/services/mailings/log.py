"""Logging mailings: checking a batch, pricing its pieces and writing it with its tallies."""

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
from app.services.codes import new_code
from app.services.database import begin_write
from app.services.errors import N_
from app.services.errors import Conflict
from app.services.errors import FieldError
from app.services.errors import ValidationFailed
from app.services.mailings.pricing import price_piece
from app.services.scope import chapter_for
from app.services.totals import tallies
from models import Batch
from models import Campaign
from models import CampaignStatus
from models import Chapter
from models import Mailing
from models import MailingBatchCreate
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
    "campaign": N_("Choose a campaign."),
    "recipient": N_("Choose a recipient of this campaign."),
    "channel": N_("Choose how the mail was sent."),
    "sender_town": N_("Enter the town it was sent from (up to 80 characters)."),
    "sender_country": N_("Choose a country from the list."),
    "sent_on": N_("Enter the date it was sent, like 2025-12-10."),
    "count": N_("Enter a number from 1 to 500."),
    "chapter": N_("Choose a chapter."),
    "kind": N_("Choose postcard, letter or large envelope."),
    "weight_g": N_("Enter a weight in grams, more than 0 and at most 5000."),
    "nonmachinable": N_("Tick the box or leave it empty."),
}


def parse_batch(raw: dict, *, today: dt.date | None = None) -> MailingBatchCreate:
    """Validate raw input (a form, JSON, a CSV row) into a batch to log.

    Reports every problem that needs no database at once: the input model's, an
    unknown country and a date in the future.

    :raises ValidationFailed: with one plain message per refused field.
    """
    errors: dict[str, FieldError] = {}
    data = None
    try:
        data = MailingBatchCreate.model_validate(raw)
    except ValidationError as exc:
        failure = ValidationFailed.from_pydantic(exc, BATCH_MESSAGES)
        errors.update((e.field, e) for e in failure.errors)
    country = data.sender_country if data else str(raw.get("sender_country") or "").upper()
    if "sender_country" not in errors and not countries.is_country(country):
        errors["sender_country"] = FieldError("sender_country", BATCH_MESSAGES["sender_country"])
    sent_on = data.sent_on if data else _date_or_none(raw.get("sent_on"))
    if "sent_on" not in errors and sent_on and _in_future(sent_on, today):
        errors["sent_on"] = FieldError("sent_on", FUTURE_MESSAGE)
    if errors:
        raise ValidationFailed(list(errors.values()))
    return data


def _date_or_none(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


FUTURE_MESSAGE = N_("The date sent cannot be in the future.")


def _in_future(sent_on: dt.date, today: dt.date | None) -> bool:
    today = today or dt.datetime.now(dt.UTC).date()
    return sent_on > today + _FUTURE_GRACE


def town_key(town: str) -> str:
    """Fold a town name so case, spacing, accents and invisible characters (format
    characters such as zero-width spaces and joiners) do not split one town in two."""
    decomposed = unicodedata.normalize("NFKD", town.casefold())
    plain = "".join(
        ch
        for ch in decomposed
        if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf"
    )
    return " ".join(plain.split())


def request_digest(data: MailingBatchCreate) -> str:
    """Return a stable digest of validated input, to tell a repeat from a conflict."""
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


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
            checked = _check(session, data, user, today)
            batch = _write_batch(session, data, user, submission_id, digest, checked)
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


def _write_batch(
    session: Session,
    data: MailingBatchCreate,
    user: User,
    submission_id: str,
    digest: str,
    checked: tuple[Campaign, Recipient, Chapter | None],
) -> Batch:
    """Insert one checked batch and its mailings inside the caller's write transaction.

    The one place that inserts mailings: :func:`log_mailings` and :func:`log_batches`
    both come here, so whatever must happen with every new mailing happens here.
    """
    campaign, recipient, chapter = checked
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
    # Core, not the ORM: one insert each, no unit of work (an import writes thousands).
    connection = session.connection()
    inserted = connection.execute(Batch.__table__.insert(), batch.model_dump(exclude={"id"}))
    batch.id = inserted.inserted_primary_key[0]
    rows = _mailing_rows(batch, data, recipient)
    connection.execute(Mailing.__table__.insert(), rows)
    # Dashboard tallies: counted in this same transaction (services/totals.py).
    tallies.count_logged(session, rows)
    return batch


class BatchesFailed(Exception):
    """Some of the batches given to :func:`log_batches` were refused; nothing was written.

    ``failures`` pairs the index of each refused batch with why it was refused.
    """

    def __init__(self, failures: list[tuple[int, ValidationFailed]]):
        super().__init__(f"{len(failures)} of the batches were refused")
        self.failures = failures


@dataclass(frozen=True)
class LoggedBatches:
    """What :func:`log_batches` made (or, for a dry run, would make)."""

    created: int  # batches new this time
    mailings: int  # mailings in those batches
    repeated: int  # batches whose submission id was logged before, with the same input


_LOOKUP_CHUNK = 500


def log_batches(
    *,
    session: Session,
    items: list[tuple[str, MailingBatchCreate]],
    user: User,
    today: dt.date | None = None,
    dry_run: bool = False,
) -> LoggedBatches:
    """Log many batches, given as ``(submission_id, data)`` pairs, all or none; commits.

    Every batch is checked as :func:`log_mailings` checks one, and every problem is
    reported before anything is written. A submission id logged before with the same
    input is left alone (counted in ``repeated``), so running the same import twice
    adds nothing. With *dry_run* nothing is written.

    :raises BatchesFailed: with each refused batch's index and problems.
    :raises ValueError: if a submission id appears twice in *items*.
    """
    if len({submission_id for submission_id, _ in items}) != len(items):
        raise ValueError("each batch needs its own submission id")
    today = today or dt.datetime.now(dt.UTC).date()
    for _attempt in range(_CODE_ATTEMPTS):
        begin_write(session)
        try:
            result = _log_batches(session, items, user, today, dry_run)
            if dry_run:
                session.rollback()
            else:
                session.commit()
            return result
        except IntegrityError:
            # A simultaneous request took one of these submission ids, or two codes
            # collided: nothing was written, so look again from the start.
            session.rollback()
        except BaseException:
            session.rollback()
            raise
    raise RuntimeError("could not assign unique mailing codes")


def _log_batches(
    session: Session,
    items: list[tuple[str, MailingBatchCreate]],
    user: User,
    today: dt.date,
    dry_run: bool,
) -> LoggedBatches:
    digests = [request_digest(data) for _, data in items]
    earlier = _digests_by_submission(session, [sid for sid, _ in items])
    failures: list[tuple[int, ValidationFailed]] = []
    todo: list[tuple[int, tuple[Campaign, Recipient, Chapter | None]]] = []
    lookups: dict = {}
    for index, ((submission_id, data), digest) in enumerate(zip(items, digests, strict=True)):
        if submission_id in earlier:
            if earlier[submission_id] != digest:
                failures.append(
                    (
                        index,
                        ValidationFailed.one(
                            "__all__", "This was logged before with other values."
                        ),
                    )
                )
            continue
        try:
            todo.append((index, _check(session, data, user, today, lookups)))
        except ValidationFailed as failure:
            failures.append((index, failure))
    if failures:
        raise BatchesFailed(failures)
    mailings = 0
    for index, checked in todo:
        submission_id, data = items[index]
        if not dry_run:
            _write_batch(session, data, user, submission_id, digests[index], checked)
        mailings += data.count
    return LoggedBatches(created=len(todo), mailings=mailings, repeated=len(items) - len(todo))


def _digests_by_submission(session: Session, submission_ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(submission_ids), _LOOKUP_CHUNK):
        chunk = submission_ids[start : start + _LOOKUP_CHUNK]
        rows = session.exec(
            select(Batch.submission_id, Batch.request_digest).where(Batch.submission_id.in_(chunk))
        )
        found.update(rows.all())
    return found


def _batch_by_submission(session: Session, submission_id: str) -> Batch | None:
    return session.exec(select(Batch).where(Batch.submission_id == submission_id)).first()


def _repeat(batch: Batch, digest: str) -> LoggedBatch:
    if batch.request_digest != digest:
        raise Conflict("this submission id was already used for different mailings")
    return LoggedBatch(batch=batch, created=False)


def _check(
    session: Session,
    data: MailingBatchCreate,
    user: User,
    today: dt.date,
    lookups: dict | None = None,
) -> tuple[Campaign, Recipient, Chapter | None]:
    """Check what the input model cannot check alone; collect every problem.

    *lookups*, when given, remembers campaigns, recipients and chapters found, for
    callers that check many batches in one transaction.
    """
    errors: list[FieldError] = []
    found = _remembered(
        lookups,
        ("campaign", data.campaign, data.recipient),
        lambda: session.exec(
            select(Campaign, Recipient)
            .join(
                Recipient,
                and_(Recipient.campaign_id == Campaign.id, Recipient.key == data.recipient),
                isouter=True,
            )
            .where(Campaign.slug == data.campaign)
        ).first(),
    )
    campaign, recipient = found if found else (None, None)
    if campaign is None:
        errors.append(FieldError("campaign", N_("There is no campaign with this name.")))
    else:
        if campaign.status != CampaignStatus.ACTIVE:
            errors.append(
                FieldError(
                    "campaign",
                    N_("This campaign is closed: it takes no mail.")
                    if campaign.status == CampaignStatus.CLOSED
                    else N_("This campaign is a draft: it takes no mail yet."),
                )
            )
        if recipient is None:
            errors.append(FieldError("recipient", BATCH_MESSAGES["recipient"]))
        if data.sent_on < campaign.starts_on:
            errors.append(
                FieldError(
                    "sent_on",
                    N_("The campaign started on %(date)s; the date sent cannot be earlier."),
                    {"date": campaign.starts_on.isoformat()},
                )
            )
    if _in_future(data.sent_on, today):
        errors.append(FieldError("sent_on", FUTURE_MESSAGE))
    if not countries.is_country(data.sender_country):
        errors.append(FieldError("sender_country", BATCH_MESSAGES["sender_country"]))

    chapter = None
    if user.is_staff:
        if data.chapter:
            chapter = _remembered(
                lookups,
                ("chapter", data.chapter),
                lambda: session.exec(select(Chapter).where(Chapter.slug == data.chapter)).first(),
            )
            if chapter is None:
                errors.append(FieldError("chapter", N_("There is no chapter with this name.")))
    else:
        chapter = chapter_for(session, user)
        if chapter is None or (data.chapter and data.chapter != chapter.slug):
            errors.append(FieldError("chapter", N_("You can only log mailings for your chapter.")))
    if errors:
        raise ValidationFailed(errors)
    return campaign, recipient, chapter


def _remembered(lookups: dict | None, key: tuple, find):
    if lookups is None:
        return find()
    if key not in lookups:
        lookups[key] = find()
    return lookups[key]


def _mailing_rows(batch: Batch, data: MailingBatchCreate, recipient: Recipient) -> list[dict]:
    common = {
        "batch_id": batch.id,
        "campaign_id": batch.campaign_id,
        "recipient_id": batch.recipient_id,
        "chapter_id": batch.chapter_id,
        "channel": str(data.channel),
        "sender_town": data.sender_town,
        "sender_town_key": town_key(data.sender_town),
        "sender_country": data.sender_country,
        "sent_on": data.sent_on,
        "status": MailingStatus.LOGGED.value,
        "postage_minor": None,
        "postage_currency": None,
        "postage_table": None,
        "postage_note": None,
        "created_at": batch.created_at,
    } | price_piece(data, recipient)
    codes: set[str] = set()
    while len(codes) < data.count:
        codes.add(new_code())
    return [{**common, "code": code} for code in codes]
