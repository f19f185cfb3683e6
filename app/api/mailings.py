"""``/api/v1/mailings``: log a batch (idempotently), list, show, mark posted or void."""

import datetime as dt

from flask import Response
from flask import current_app
from flask import request
from pydantic import BaseModel
from pydantic import Field
from pydantic import field_validator
from sqlmodel import select
from werkzeug.exceptions import Conflict as HTTPConflict

from app import audit
from app import db
from app.api.base import SIGNED_IN
from app.api.base import bp
from app.api.base import current_user
from app.api.base import operation
from app.api.campaigns import base_url
from app.services import idempotency
from app.services import money
from app.services import scope
from app.services.codes import normalize_code
from app.services.errors import Conflict
from app.services.errors import NotFound
from app.services.errors import ValidationFailed
from app.services.mailings import log as mailing_log
from app.services.mailings import read as mailing_read
from app.services.mailings import status as mailing_status
from models import Campaign
from models import Chapter
from models import Mailing
from models import MailingBatchCreate
from models import MailingQuery
from models import Recipient

JSON = "application/json"
MAX_ID = 2**31 - 1


class Postage(BaseModel):
    """A mailing's postage as priced when it was logged."""

    amount: str = Field(description="decimal amount, e.g. 3.40")
    amount_minor: int
    currency: str


class LoggedMailing(BaseModel):
    """One mailing of a new batch: its code, postage (null until priced) and slip."""

    code: str
    postage: Postage | None
    slip_url: str


class LoggedBatch(BaseModel):
    """The answer to logging a batch."""

    batch: int
    count: int
    mailings: list[LoggedMailing]


class MailingOut(BaseModel):
    """One mailing."""

    code: str
    campaign: str
    recipient: str
    channel: str
    kind: str | None
    sender_town: str
    sender_country: str
    sent_on: dt.date
    status: str
    chapter: str | None
    postage: Postage | None
    slip_url: str


class MailingList(BaseModel):
    """A page of mailings, newest first; pass ``next_cursor`` as ``cursor`` for the next."""

    items: list[MailingOut]
    next_cursor: str | None


class MailingPage(MailingQuery):
    """The list's filters (as the export's) and where the page starts."""

    cursor: str | None = Field(
        default=None, pattern=r"^[1-9][0-9]{0,9}$", description="next_cursor of the last page"
    )
    limit: int = Field(default=100, ge=1, le=500)

    @field_validator("cursor")
    @classmethod
    def _an_id(cls, value):
        # Ids are 32-bit integers; a larger cursor is no page of ours.
        if value is not None and int(value) > MAX_ID:
            raise ValueError("This is not a cursor this API gave.")
        return value


def _postage(m: Mailing) -> dict | None:
    if m.postage_minor is None or m.postage_currency is None:
        return None
    amount = money.amount(m.postage_minor, m.postage_currency)
    return {"amount": str(amount), "amount_minor": m.postage_minor, "currency": m.postage_currency}


def _slip_url(code: str) -> str:
    return f"{base_url()}/slips/{code}"


@bp.post("/mailings")
@operation(
    json=MailingBatchCreate,
    ok={201: LoggedBatch},
    errors=(409,),
    roles=SIGNED_IN,
    messages=mailing_log.BATCH_MESSAGES,
    idempotency_key=True,
    tags=("mailings",),
)
def create_mailings(json: MailingBatchCreate):
    """Log count (1–500) identical mailings as one batch."""
    user = current_user()
    key = request.headers["Idempotency-Key"]
    session = db.get_session()
    try:
        claim = idempotency.claim(
            session, user_id=user.id, key=key, digest=mailing_log.request_digest(json)
        )
    except Conflict:
        raise ValidationFailed.one(
            "Idempotency-Key", "This key was used before with a different request body."
        ) from None
    except idempotency.StillRunning:
        raise StillRunning() from None
    if claim.repeat:
        return Response(claim.body, status=claim.status_code, mimetype=JSON)
    try:
        logged = mailing_log.log_mailings(
            session=session, data=json, user=user, submission_id=f"api:{user.id}:{key}"
        )
        rows = session.exec(
            select(Mailing).where(Mailing.batch_id == logged.batch.id).order_by(Mailing.id)
        ).all()
        payload = LoggedBatch(
            batch=logged.batch.id,
            count=logged.batch.count,
            mailings=[
                LoggedMailing(code=m.code, postage=_postage(m), slip_url=_slip_url(m.code))
                for m in rows
            ],
        ).model_dump(mode="json")
        body = current_app.json.dumps(payload).encode() + b"\n"
    except Conflict:
        idempotency.release(session, claim.record_id)
        raise ValidationFailed.one(
            "Idempotency-Key", "This key was used before with a different request body."
        ) from None
    except BaseException:
        idempotency.release(session, claim.record_id)
        raise
    idempotency.finish(session, claim.record_id, 201, body)
    return Response(body, status=201, mimetype=JSON)


class StillRunning(HTTPConflict):
    """409: the first request with this Idempotency-Key has not finished; retry shortly."""

    description = "The first request with this Idempotency-Key is still running. Retry shortly."

    def get_headers(self, environ=None, scope=None):
        return [*super().get_headers(environ, scope), ("Retry-After", "1")]


@bp.get("/mailings")
@operation(
    query=MailingPage, ok={200: MailingList}, errors=(404,), roles=SIGNED_IN, tags=("mailings",)
)
def list_mailings(query: MailingPage):
    """List mailings newest first, filtered as the export is, a page at a time."""
    session = db.get_session()
    user = current_user()
    if query.since and query.until and query.since > query.until:
        raise ValidationFailed.one("until", "The end date must not be before the start date.")
    filters = scope.resolve(session, user, query)
    rows = mailing_read.list_mailings(
        session,
        user=user,
        filters=filters,
        before_id=int(query.cursor) if query.cursor else None,
        limit=query.limit + 1,
    )
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return MailingList(
        items=_mailings_out(session, rows),
        next_cursor=str(rows[-1].id) if more else None,
    ).model_dump(mode="json")


def _mailings_out(session, rows: list[Mailing]) -> list[MailingOut]:
    """Describe *rows*, looking up campaign, recipient and chapter names in three queries."""

    def names(model, column, ids):
        ids = {i for i in ids if i is not None}
        if not ids:
            return {}
        return dict(session.exec(select(model.id, column).where(model.id.in_(ids))).all())

    campaigns = names(Campaign, Campaign.slug, (m.campaign_id for m in rows))
    recipients = names(Recipient, Recipient.key, (m.recipient_id for m in rows))
    chapters = names(Chapter, Chapter.slug, (m.chapter_id for m in rows))
    return [
        MailingOut(
            code=m.code,
            campaign=campaigns[m.campaign_id],
            recipient=recipients[m.recipient_id],
            channel=m.channel,
            kind=m.kind,
            sender_town=m.sender_town,
            sender_country=m.sender_country,
            sent_on=m.sent_on,
            status=m.status,
            chapter=chapters.get(m.chapter_id),
            postage=_postage(m),
            slip_url=_slip_url(m.code),
        )
        for m in rows
    ]


def _mailing(code: str) -> Mailing:
    """Return the mailing with *code* if the token's user may see it.

    :raise 404: if there is none, or it belongs to another chapter.
    """
    canonical = normalize_code(code)
    if canonical is None:
        raise NotFound(code)
    return mailing_read.get_mailing(db.get_session(), canonical, current_user())


@bp.get("/mailings/<code>")
@operation(ok={200: MailingOut}, errors=(404,), roles=SIGNED_IN, tags=("mailings",))
def show_mailing(code: str):
    """Show one mailing.

    :raise 404: if there is no such mailing, or it belongs to another chapter.
    """
    mailing = _mailing(code)
    return _mailings_out(db.get_session(), [mailing])[0].model_dump(mode="json")


@bp.post("/mailings/<code>/posted")
@operation(ok={200: MailingOut}, errors=(404, 409), roles=SIGNED_IN, tags=("mailings",))
def mark_posted(code: str):
    """Mark a mailing posted (done already: the mailing as it is).

    :raise 404: if there is no such mailing, or it belongs to another chapter.
    :raise 409: if the mailing is void.
    """
    return _change(code, "posted")


@bp.post("/mailings/<code>/void")
@operation(ok={200: MailingOut}, errors=(404,), roles=SIGNED_IN, tags=("mailings",))
def mark_void(code: str):
    """Mark a mailing void: logged by mistake (done already: the mailing as it is).

    :raise 404: if there is no such mailing, or it belongs to another chapter.
    """
    return _change(code, "void")


def _change(code: str, action: str):
    session = db.get_session()
    mailing = _mailing(code)
    result = mailing_status.change_status(
        session=session, mailings=[mailing], action=action, user=current_user()
    )
    session.refresh(mailing)
    if action == "void" and result.changed:
        audit.record("void", mailings=[mailing.code])
    if not result.changed and mailing.status != action:
        raise HTTPConflict(result.reason or "The mailing cannot change so.")
    return _mailings_out(session, [mailing])[0].model_dump(mode="json")
