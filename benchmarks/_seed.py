"""What the benchmarks seed first, through the services: an active campaign, its
recipients and chapters. Each benchmark then loads its own mailings."""

import datetime as dt

from sqlmodel import Session

import models
from app.services import campaigns

START = dt.date(2025, 11, 20)
PRESIDENT = ("president", "appeal", "President Almazbek Atambaev")
PRISONER = ("prisoner", "solidarity", "Azimjan Askarov")


def campaign(
    session: Session,
    *,
    slug: str = "azimjan-askarov",
    title: str = "Free Azimjan Askarov",
    recipients=(PRESIDENT,),
    **extra,
) -> tuple[models.Campaign, dict[str, int]]:
    """Save an active campaign and its *recipients* ``(key, role, name)``; return the
    campaign and each recipient's id by key."""
    saved = campaigns.save_campaign(
        session=session,
        data=models.CampaignCreate(
            title=title, slug=slug, status="active", starts_on=START, country="KG", **extra
        ),
    )
    ids = {}
    for key, role, name in recipients:
        recipient = campaigns.save_recipient(
            session=session,
            campaign=saved,
            data=models.RecipientCreate(key=key, role=role, name=name, country="KG"),
        )
        ids[key] = recipient.id
    return saved, ids


def chapters(session: Session, places) -> None:
    """Save a chapter for each ``(slug, town, country)`` in *places*."""
    for slug, town, country in places:
        campaigns.save_chapter(
            session=session,
            data=models.ChapterCreate(name=slug.title(), slug=slug, town=town, country=country),
        )
