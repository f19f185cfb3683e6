"""Campaigns, their recipients, and chapters: what staff create and edit."""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import SQLModel
from sqlmodel import select

from app.services import countries
from app.services.database import begin_write
from app.services.errors import N_
from app.services.errors import NotFound
from app.services.errors import ValidationFailed
from models import Campaign
from models import CampaignCreate
from models import CampaignStatus
from models import Chapter
from models import ChapterCreate
from models import Phrase
from models import PhraseCreate
from models import Recipient
from models import RecipientCreate


def _check_country(code: str, field: str = "country") -> None:
    if not countries.is_country(code):
        raise ValidationFailed.one(field, N_("Choose a country from the list."))


def _save(session: Session, row: SQLModel, data: SQLModel, taken: tuple[str, str], **extra):
    """Copy validated *data* onto *row* and commit; a unique clash becomes a field error."""
    begin_write(session)
    for name, value in {**data.model_dump(), **extra}.items():
        setattr(row, name, value)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ValidationFailed.one(*taken) from None
    return row


def save_campaign(
    *, session: Session, data: CampaignCreate, campaign: Campaign | None = None
) -> Campaign:
    """Create a campaign, or update *campaign*, from validated *data*; commits.

    :raises ValidationFailed: for an unknown country or a slug already in use.
    """
    _check_country(data.country)
    taken = ("slug", N_("Another campaign already uses this short name."))
    return _save(session, campaign or Campaign(**data.model_dump()), data, taken)


def save_recipient(
    *,
    session: Session,
    campaign: Campaign,
    data: RecipientCreate,
    recipient: Recipient | None = None,
) -> Recipient:
    """Create a recipient of *campaign*, or update *recipient*; commits.

    :raises ValidationFailed: for an unknown country or a key already used in the campaign.
    """
    _check_country(data.country)
    taken = ("key", N_("Another recipient of this campaign already uses this key."))
    row = recipient or Recipient(campaign_id=campaign.id, **data.model_dump())
    return _save(session, row, data, taken, campaign_id=campaign.id)


def save_chapter(
    *, session: Session, data: ChapterCreate, chapter: Chapter | None = None
) -> Chapter:
    """Create a chapter, or update *chapter*, from validated *data*; commits.

    :raises ValidationFailed: for an unknown country or a slug already in use.
    """
    _check_country(data.country)
    taken = ("slug", N_("Another chapter already uses this short name."))
    return _save(session, chapter or Chapter(**data.model_dump()), data, taken)


def get_campaign(session: Session, slug: str) -> Campaign:
    """Return the campaign with *slug*.

    :raises NotFound: if there is none.
    """
    campaign = session.exec(select(Campaign).where(Campaign.slug == slug)).first()
    if campaign is None:
        raise NotFound(slug)
    return campaign


def get_chapter(session: Session, slug: str) -> Chapter:
    """Return the chapter with *slug*.

    :raises NotFound: if there is none.
    """
    chapter = session.exec(select(Chapter).where(Chapter.slug == slug)).first()
    if chapter is None:
        raise NotFound(slug)
    return chapter


def recipients_of(session: Session, campaign: Campaign) -> list[Recipient]:
    """Return *campaign*'s recipients in their display order."""
    query = (
        select(Recipient)
        .where(Recipient.campaign_id == campaign.id)
        .order_by(Recipient.position, Recipient.id)
    )
    return list(session.exec(query).all())


def active_campaigns(session: Session) -> list[Campaign]:
    """Return the campaigns taking mail, newest first."""
    query = (
        select(Campaign)
        .where(Campaign.status == CampaignStatus.ACTIVE)
        .order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    )
    return list(session.exec(query).all())


def all_campaigns(session: Session) -> list[Campaign]:
    """Return every campaign, newest first (staff pages)."""
    return list(session.exec(select(Campaign).order_by(Campaign.id.desc())).all())


def all_chapters(session: Session) -> list[Chapter]:
    """Return every chapter by name."""
    return list(session.exec(select(Chapter).order_by(Chapter.name)).all())


def save_phrase(
    *, session: Session, campaign: Campaign, data: PhraseCreate, phrase: Phrase | None = None
) -> Phrase:
    """Add a greeting phrase to *campaign*, or update *phrase*; commits."""
    begin_write(session)
    row = phrase or Phrase(campaign_id=campaign.id, **data.model_dump())
    for name, value in data.model_dump().items():
        setattr(row, name, value)
    row.campaign_id = campaign.id
    session.add(row)
    session.commit()
    return row


def delete_phrase(*, session: Session, phrase: Phrase) -> None:
    """Remove a greeting phrase; commits."""
    begin_write(session)
    session.delete(session.merge(phrase))
    session.commit()


def phrases_of(session: Session, campaign_id: int) -> list[Phrase]:
    """Return a campaign's greeting phrases in their display order."""
    query = (
        select(Phrase).where(Phrase.campaign_id == campaign_id).order_by(Phrase.position, Phrase.id)
    )
    return list(session.exec(query).all())


def get_phrase(session: Session, campaign: Campaign, phrase_id: int) -> Phrase:
    """Return *campaign*'s phrase *phrase_id*.

    :raises NotFound: if the campaign has no such phrase.
    """
    phrase = session.get(Phrase, phrase_id)
    if phrase is None or phrase.campaign_id != campaign.id:
        raise NotFound(phrase_id)
    return phrase
