"""``GET /api/v1/campaigns/<slug>/totals``: a campaign's public totals, cacheable.

The numbers are the dashboard's (``services.totals.summarize``, void mailings left
out). Being public, the body names no town at all, and no country with fewer than
``SMALL_COUNT`` mailings: those are counted together in ``other_countries``, so
``by_country`` and it still add up to ``total``. ``?chapter=<slug>``
gives one chapter's share, only for a chapter whose public counter is on (the
counter page reads it to update itself).
"""

import hashlib

from flask import jsonify
from flask import request
from pydantic import BaseModel
from pydantic import Field

from app import db
from app.api.base import bp
from app.api.base import operation
from app.public import public
from app.services.totals import read as totals

# Counters poll every 30 s; a browser or a proxy may serve the same body meanwhile.
MAX_AGE = 30


class PostageTotal(BaseModel):
    """Postage spent in one currency."""

    amount: str = Field(description="In the currency's units, as a decimal string: '3.40'")
    amount_minor: int = Field(description="In minor units: 340")
    mailings: int = Field(description="How many priced pieces it paid for")


class FoldedTotal(BaseModel):
    """Places too small to show alone: how many, and their mailings together."""

    places: int
    mailings: int


class ChapterInfo(BaseModel):
    """The chapter whose share the totals are."""

    slug: str
    name: str
    kind: str
    goal: int | None


class TotalsQuery(BaseModel):
    """Which totals: the whole campaign's, or one chapter's share."""

    chapter: str | None = Field(
        default=None,
        max_length=60,
        description="A chapter's slug; only chapters with a public counter answer",
    )


class CampaignTotals(BaseModel):
    """A campaign's public totals (or one chapter's share of them)."""

    campaign: str = Field(description="The campaign's slug")
    title: str
    chapter: ChapterInfo | None = None
    total: int = Field(description="Mailings logged or posted; void ones are not counted")
    goal: int | None = Field(description="The campaign's goal, or the chapter's")
    progress: float | None = Field(description="total / goal, when there is a goal")
    counter_threshold: int = Field(description="Below this total, counters show no number")
    countries: int = Field(description="How many countries mail came from")
    by_channel: dict[str, int]
    by_role: dict[str, int]
    by_country: dict[str, int] = Field(description="Countries with at least 5 mailings")
    other_countries: FoldedTotal
    by_day: dict[str, int] = Field(description="Mailings per day sent, ISO dates")
    postage: dict[str, PostageTotal] = Field(description="Postage per ISO 4217 currency")


def campaign_totals(session, slug: str, chapter_slug: str | None = None) -> CampaignTotals:
    """Build the public totals body.

    :raises NotFound: for an unknown or draft campaign, or a chapter without a public
        counter.
    """
    campaign, chapter = totals.public_scope(session, slug, chapter_slug)
    result = totals.summarize(
        session, campaign.id, totals.Filters(chapter_id=chapter.id if chapter else None), towns=0
    )
    goal = chapter.goal if chapter else campaign.goal
    countries, other_countries = result.shown_countries()
    return CampaignTotals(
        campaign=campaign.slug,
        title=campaign.title,
        chapter=ChapterInfo(slug=chapter.slug, name=chapter.name, kind=chapter.kind, goal=goal)
        if chapter
        else None,
        total=result.total,
        goal=goal,
        progress=totals.progress(result.total, goal),
        counter_threshold=campaign.counter_threshold,
        countries=result.countries,
        by_channel=result.by_channel,
        by_role=result.by_role,
        by_country=countries,
        other_countries=FoldedTotal(**vars(other_countries)),
        by_day={day.isoformat(): n for day, n in result.by_day.items()},
        postage={
            currency: PostageTotal(
                amount=str(p.amount), amount_minor=p.amount_minor, mailings=p.mailings
            )
            for currency, p in result.postage.items()
        },
    )


@bp.get("/campaigns/<slug>/totals")
@operation(
    query=TotalsQuery, ok={200: CampaignTotals, 304: None}, errors=(404,), tags=("campaigns",)
)
@public
def campaign_totals_view(slug: str, query: TotalsQuery):
    """Send a campaign's public totals, or a chapter's share (``?chapter=``).

    Public and cacheable: ``Cache-Control: public, max-age=30`` and an ``ETag`` (send it
    back as ``If-None-Match`` for a 304). No town is named, and countries with fewer
    than 5 mailings are counted together in ``other_countries``.

    :raise 404: for an unknown or draft campaign, or a chapter without a public counter.
    """
    body = campaign_totals(db.get_session(), slug, query.chapter or None)
    response = jsonify(body.model_dump(mode="json"))
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response.make_conditional(request)
