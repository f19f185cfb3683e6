"""``GET /api/v1/campaigns``: the campaigns taking mail."""

import datetime as dt

from flask import current_app
from flask import request
from pydantic import BaseModel

from app import db
from app.api.base import bp
from app.api.base import operation
from app.services import campaigns


class CampaignOut(BaseModel):
    """A campaign as the API shows it."""

    slug: str
    title: str
    summary: str
    country: str
    starts_on: dt.date
    ends_on: dt.date | None
    goal: int | None
    url: str


class CampaignList(BaseModel):
    """The active campaigns."""

    items: list[CampaignOut]


def base_url() -> str:
    """Return the site's public address: PUBLIC_BASE_URL, or the request's host."""
    return (current_app.config.get("PUBLIC_BASE_URL") or request.host_url).rstrip("/")


@bp.get("/campaigns")
@operation(ok={200: CampaignList}, tags=("campaigns",))
def list_campaigns():
    """List the campaigns that are taking mail."""
    base = base_url()
    items = [
        CampaignOut(
            slug=c.slug,
            title=c.title,
            summary=c.summary,
            country=c.country,
            starts_on=c.starts_on,
            ends_on=c.ends_on,
            goal=c.goal,
            url=f"{base}/campaigns/{c.slug}",
        )
        for c in campaigns.active_campaigns(db.get_session())
    ]
    return CampaignList(items=items).model_dump(mode="json")
