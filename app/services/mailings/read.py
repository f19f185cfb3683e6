"""Reading mailings: one by code, one batch, a page of the list, and what may be shown of one."""

from sqlalchemy import and_
from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import select

from app.services.errors import NotFound
from app.services.scope import MailingFilter
from app.services.scope import filter_conditions
from app.services.scope import visible_to
from models import Batch
from models import Mailing
from models import User
from models.tally import PlaceTally


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


def list_mailings(
    session: Session, *, user: User, filters: MailingFilter, before_id: int | None, limit: int
) -> list[Mailing]:
    """Return up to *limit* mailings, newest first, older than *before_id* (keyset paging)."""
    conditions = filter_conditions(user, filters)
    if before_id is not None:
        conditions.append(Mailing.id < before_id)
    query = select(Mailing).where(and_(*conditions)).order_by(Mailing.id.desc()).limit(limit)
    return list(session.exec(query).all())


PUBLIC_TOWN_MINIMUM = 5


def town_is_public(session: Session, mailing: Mailing) -> bool:
    """Tell whether *mailing*'s town has enough live mail in its campaign to be named on
    public pages (read from the place tally, so it stays quick at millions of rows)."""
    count = session.exec(
        select(func.coalesce(func.sum(PlaceTally.mailings), 0)).where(
            PlaceTally.campaign_id == mailing.campaign_id,
            PlaceTally.sender_country == mailing.sender_country,
            PlaceTally.sender_town_key == mailing.sender_town_key,
        )
    ).one()
    return int(count) >= PUBLIC_TOWN_MINIMUM
