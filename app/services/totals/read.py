"""Campaign and chapter totals: exact counts read from the tallies (``tallies.py``).

``summarize`` answers from the smallest tally that has every dimension a
question needs: ``DayTally`` for totals, channels, recipients, statuses, days and
postage; ``PlaceTally`` for countries and towns and ``ChapterTally`` for the top
chapters (both hold live mailings only, so they stay small); ``MailingTally`` (every
dimension) for one chapter or a date range. ``count_directly`` computes the same
``Totals`` straight from the mailing table: the tests, ``flask totals check`` and the
benchmark's baseline hold the two equal.

**Void.** A void mailing was logged by mistake: it counts in ``by_status`` only, and
never in the total, the breakdowns, the progress to the goal or the postage.

**Towns.** A town is one ``(sender_country, sender_town_key)``: case, spacing and
accents do not split it, and a Paris in Texas is not the Paris in France. It is named
by the spelling most (non-void) mailings of the campaign used; ties go to the
alphabetically first. A town with fewer than ``SMALL_COUNT`` mailings is never named:
it is counted in ``other_towns``, with any towns beyond the number asked for.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

from sqlalchemy import ColumnElement
from sqlalchemy import Table
from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import select
from sqlmodel import Session

from app.services import money
from app.services.errors import NotFound
from app.services.totals.tallies import TALLIES
from app.services.totals.tallies import VOID
from app.services.totals.tallies import sum_bigint
from models import Campaign
from models import CampaignStatus
from models import Chapter
from models import ChapterTally
from models import DayTally
from models import Mailing
from models import MailingTally
from models import PlaceTally
from models import Recipient
from models.tally import NO_CHAPTER
from models.tally import NO_CURRENCY

# Below this many mailings a town (and, on public pages, a country) is not shown alone.
SMALL_COUNT = 5


# Above this many towns, naming them reads the whole spelling table instead of a list.
_SPELLING_LOOKUP_LIMIT = 500


# --- results -------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the dashboard narrows totals to; every field optional."""

    chapter_id: int | None = None
    channel: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    @property
    def has_dates(self) -> bool:
        return self.since is not None or self.until is not None


@dataclass(frozen=True)
class Postage:
    """Postage spent in one currency, and on how many mailings."""

    currency: str
    amount_minor: int
    mailings: int

    @property
    def amount(self) -> Decimal:
        """The amount in the currency's units: 340 USD cents is ``Decimal("3.40")``."""
        return money.amount(self.amount_minor, self.currency)


@dataclass(frozen=True)
class Town:
    """One town however it was typed, named by its most common spelling."""

    country: str
    key: str
    name: str
    mailings: int


@dataclass(frozen=True)
class Folded:
    """Places shown only together: how many places, how many mailings."""

    places: int = 0
    mailings: int = 0


@dataclass(frozen=True)
class ChapterCount:
    """A chapter and how many mailings it sent."""

    chapter_id: int
    slug: str
    name: str
    mailings: int


@dataclass(frozen=True)
class Totals:
    """Exact totals of a campaign (or a chapter's share), void mailings left out.

    Dicts are ordered for display: most mailings first, days by date.
    """

    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_recipient: dict[int, int] = field(default_factory=dict)
    by_role: dict[str, int] = field(default_factory=dict)
    by_country: dict[str, int] = field(default_factory=dict)
    towns: tuple[Town, ...] = ()  # named: at least SMALL_COUNT each, most first
    other_towns: Folded = Folded()  # every town not named, counted together
    town_count: int = 0
    by_day: dict[dt.date, int] = field(default_factory=dict)
    postage: dict[str, Postage] = field(default_factory=dict)
    top_chapters: tuple[ChapterCount, ...] = ()

    @property
    def countries(self) -> int:
        """How many countries mail came from."""
        return len(self.by_country)

    def shown_countries(self, minimum: int = SMALL_COUNT) -> tuple[dict[str, int], Folded]:
        """Split countries into those shown by name and the rest (for public pages)."""
        shown = {c: n for c, n in self.by_country.items() if n >= minimum}
        rest = [n for n in self.by_country.values() if n < minimum]
        return shown, Folded(len(rest), sum(rest))


def public_scope(
    session: Session, slug: str, chapter_slug: str | None = None
) -> tuple[Campaign, Chapter | None]:
    """Return the campaign (and chapter) whose totals a public page or the API may show.

    :raises NotFound: for an unknown or draft campaign, or a chapter that does not
        exist or has not turned its public counter on.
    """
    campaign = session.exec(select(Campaign).where(Campaign.slug == slug)).scalars().first()
    if campaign is None or campaign.status == CampaignStatus.DRAFT:
        raise NotFound(slug)
    if chapter_slug is None:
        return campaign, None
    chapter = session.exec(select(Chapter).where(Chapter.slug == chapter_slug)).scalars().first()
    if chapter is None or not chapter.public_counter:
        raise NotFound(chapter_slug)
    return campaign, chapter


def progress(total: int, goal: int | None) -> float | None:
    """Return how far *total* is towards *goal*, from 0 (may pass 1), or ``None``."""
    return total / goal if goal else None


# --- reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """A table to group: how to count its rows, and its chapter and currency columns."""

    table: Table
    count: ColumnElement
    postage: ColumnElement | None = None
    chapter: ColumnElement | None = None  # for filtering on one chapter
    chapter_key: ColumnElement | None = None  # for grouping, 0 for none
    currency: ColumnElement | None = None
    live_only: bool = False  # holds no void mailings, and no status column

    def c(self, name: str) -> ColumnElement:
        return self.table.c[name]


def _tally_source(model) -> _Source:
    tally = next(t for t in TALLIES if t.table is model.__table__)
    c = tally.table.c
    return _Source(
        table=tally.table,
        count=sum_bigint(c.mailings),
        postage=sum_bigint(c.postage_minor) if "postage_minor" in c else None,
        chapter=c.chapter_key if "chapter_key" in c else None,
        chapter_key=c.chapter_key if "chapter_key" in c else None,
        currency=c.postage_currency if "postage_currency" in c else None,
        live_only=tally.live_only,
    )


def _mailing_source() -> _Source:
    c = Mailing.__table__.c
    return _Source(
        table=Mailing.__table__,
        count=func.count(),
        postage=func.coalesce(sum_bigint(c.postage_minor), 0),
        chapter=c.chapter_id,
        chapter_key=func.coalesce(c.chapter_id, NO_CHAPTER),
        currency=func.coalesce(c.postage_currency, NO_CURRENCY),
    )


@dataclass(frozen=True)
class _Plan:
    """Which source answers each part of a question."""

    core: _Source  # status, channel, recipient, currency, day
    places: _Source  # country and town
    spellings: _Source  # how each town was typed (the whole campaign's)
    chapters: _Source  # top chapters


def _tally_plan(filters: Filters) -> _Plan:
    fine = _tally_source(MailingTally)
    one_chapter = filters.chapter_id is not None
    return _Plan(
        core=fine if one_chapter else _tally_source(DayTally),
        places=fine if (one_chapter or filters.has_dates) else _tally_source(PlaceTally),
        spellings=_tally_source(PlaceTally),
        chapters=fine if filters.has_dates else _tally_source(ChapterTally),
    )


def _direct_plan() -> _Plan:
    direct = _mailing_source()
    return _Plan(core=direct, places=direct, spellings=direct, chapters=direct)


def summarize(
    session: Session,
    campaign_id: int,
    filters: Filters = Filters(),
    *,
    towns: int | None = None,
    top_chapters: int = 0,
) -> Totals:
    """Return the exact totals of a campaign (narrowed by *filters*) from the tallies.

    *towns* limits how many towns are named (the most mailings first; ``None`` for
    every town with at least ``SMALL_COUNT``, 0 for none); the rest are folded into
    ``other_towns``. *top_chapters* > 0 adds that many chapters with the most mailings
    (staff pages only: public pages never rank chapters).
    """
    return _summarize(session, campaign_id, filters, towns, top_chapters, _tally_plan(filters))


def count_directly(
    session: Session,
    campaign_id: int,
    filters: Filters = Filters(),
    *,
    towns: int | None = None,
    top_chapters: int = 0,
) -> Totals:
    """Return what ``summarize`` returns, grouped from the mailing table itself (slow)."""
    return _summarize(session, campaign_id, filters, towns, top_chapters, _direct_plan())


def _where(source: _Source, campaign_id: int, filters: Filters, *, live: bool = True):
    conditions = [source.c("campaign_id") == campaign_id]
    if live and not source.live_only:
        conditions.append(source.c("status") != VOID)
    if filters.chapter_id is not None:
        conditions.append(source.chapter == filters.chapter_id)
    if filters.channel:
        conditions.append(source.c("channel") == filters.channel)
    if filters.since:
        conditions.append(source.c("sent_on") >= filters.since)
    if filters.until:
        conditions.append(source.c("sent_on") <= filters.until)
    return and_(*conditions)


def _ranked(counts: dict, *, by_key: bool = False) -> dict:
    """Drop zeros; order by key, or by count (most first) then key."""
    kept = {k: v for k, v in counts.items() if v}
    if by_key:
        return dict(sorted(kept.items()))
    return dict(sorted(kept.items(), key=lambda kv: (-kv[1], kv[0])))


def _summarize(
    session: Session,
    campaign_id: int,
    filters: Filters,
    towns: int | None,
    top_chapters: int,
    plan: _Plan,
) -> Totals:
    core = plan.core
    roles = dict(
        session.exec(
            select(Recipient.id, Recipient.role).where(Recipient.campaign_id == campaign_id)
        ).all()
    )
    by_status: dict[str, int] = defaultdict(int)
    by_channel: dict[str, int] = defaultdict(int)
    by_recipient: dict[int, int] = defaultdict(int)
    by_role: dict[str, int] = defaultdict(int)
    postage: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    keys = (core.c("status"), core.c("channel"), core.c("recipient_id"), core.currency)
    grouped = (
        select(*keys, core.count, core.postage)
        .where(_where(core, campaign_id, filters, live=False))
        .group_by(*keys)
    )
    for status, channel, recipient_id, currency, count, amount in session.exec(grouped):
        by_status[status] += count
        if status == VOID:
            continue
        by_channel[channel] += count
        by_recipient[recipient_id] += count
        by_role[roles[recipient_id]] += count  # log_mailings checks it is the campaign's
        if currency:
            postage[currency][0] += amount or 0
            postage[currency][1] += count

    days = (
        select(core.c("sent_on"), core.count)
        .where(_where(core, campaign_id, filters))
        .group_by(core.c("sent_on"))
    )
    by_day = _ranked(dict(session.exec(days).all()), by_key=True)
    by_country, named, other, town_count = _places(session, campaign_id, filters, towns, plan)

    return Totals(
        total=sum(v for k, v in by_status.items() if k != VOID),
        by_status=_ranked(by_status),
        by_channel=_ranked(by_channel),
        by_recipient=_ranked(by_recipient),
        by_role=_ranked(by_role),
        by_country=by_country,
        towns=named,
        other_towns=other,
        town_count=town_count,
        by_day=by_day,
        postage={
            currency: Postage(currency, amount, count)
            for currency, (amount, count) in sorted(postage.items())
            if count
        },
        top_chapters=_top_chapters(session, campaign_id, filters, plan.chapters, top_chapters),
    )


def _places(
    session: Session, campaign_id: int, filters: Filters, limit: int | None, plan: _Plan
) -> tuple[dict[str, int], tuple[Town, ...], Folded, int]:
    """Count countries and towns in one pass; name the biggest towns, fold the rest."""
    source = plan.places
    country, key = source.c("sender_country"), source.c("sender_town_key")
    query = (
        select(country, key, source.count)
        .where(_where(source, campaign_id, filters))
        .group_by(country, key)
    )
    counts = [(c, k, n) for c, k, n in session.exec(query) if n]
    by_country: dict[str, int] = defaultdict(int)
    for c, _k, n in counts:
        by_country[c] += n
    big = sorted(
        ((c, k, n) for c, k, n in counts if n >= SMALL_COUNT), key=lambda t: (-t[2], t[0], t[1])
    )
    if limit is not None:
        big = big[:limit]
    names = _spellings(session, campaign_id, plan.spellings, {(c, k) for c, k, _n in big})
    named = tuple(Town(c, k, names.get((c, k), k), n) for c, k, n in big)
    shown = sum(t.mailings for t in named)
    everything = sum(n for _c, _k, n in counts)
    other = Folded(len(counts) - len(named), everything - shown)
    return _ranked(by_country), named, other, len(counts)


def _spellings(
    session: Session, campaign_id: int, source: _Source, wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """Name each wanted town by the spelling most of the campaign's live mailings used."""
    if not wanted:
        return {}
    country, key, town = (source.c(n) for n in ("sender_country", "sender_town_key", "sender_town"))
    conditions = [source.c("campaign_id") == campaign_id]
    if not source.live_only:
        conditions.append(source.c("status") != VOID)
    if len(wanted) <= _SPELLING_LOOKUP_LIMIT:
        conditions.append(key.in_(sorted({k for _c, k in wanted})))
    query = select(country, key, town, source.count).where(*conditions).group_by(country, key, town)
    best: dict[tuple[str, str], tuple[int, str]] = {}
    for c, k, name, count in session.exec(query):
        if count and (c, k) in wanted:
            current = best.get((c, k))
            if current is None or (-count, name) < (-current[0], current[1]):
                best[(c, k)] = (count, name)
    return {place: name for place, (_count, name) in best.items()}


def _top_chapters(
    session: Session, campaign_id: int, filters: Filters, source: _Source, limit: int
) -> tuple[ChapterCount, ...]:
    if limit <= 0 or filters.chapter_id is not None:
        return ()
    query = (
        select(source.chapter_key, source.count)
        .where(_where(source, campaign_id, filters), source.chapter_key != NO_CHAPTER)
        .group_by(source.chapter_key)
        .order_by(source.count.desc(), source.chapter_key)
        .limit(limit)
    )
    counts = [(chapter_id, n) for chapter_id, n in session.exec(query) if n]
    if not counts:
        return ()
    chapters = {
        c.id: c
        for c in session.exec(
            select(Chapter).where(Chapter.id.in_([i for i, _n in counts]))
        ).scalars()
    }
    return tuple(
        ChapterCount(i, chapters[i].slug, chapters[i].name, n) for i, n in counts if i in chapters
    )
