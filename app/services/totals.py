"""Campaign and chapter totals: exact counts read from the tallies, and the code that
keeps the tallies current.

**Writing.** ``count_logged`` and ``count_moved`` are called by ``services.mailings``
inside its write transaction, so a tally never disagrees with the mailings it counts.
Each turns the change into signed deltas and applies them with one upsert per tally
table (``INSERT … ON CONFLICT DO UPDATE SET mailings = mailings + excluded.mailings``),
which SQLite and PostgreSQL both run atomically. Keys are sorted, so two transactions
lock rows in the same order and cannot deadlock on them.

**Reading.** ``summarize`` answers from the smallest tally that has every dimension a
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
import functools
from collections import Counter
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

from babel.numbers import get_currency_precision
from sqlalchemy import BigInteger
from sqlalchemy import ColumnElement
from sqlalchemy import Table
from sqlalchemy import and_
from sqlalchemy import cast
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import union_all
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlmodel import Session

from app.services.database import begin_write
from app.services.errors import NotFound
from models import Campaign
from models import CampaignStatus
from models import Chapter
from models import ChapterTally
from models import DayTally
from models import Mailing
from models import MailingStatus
from models import MailingTally
from models import PlaceTally
from models import PurgedTally
from models import Recipient
from models.tally import NO_CHAPTER
from models.tally import NO_CURRENCY

# Below this many mailings a town (and, on public pages, a country) is not shown alone.
SMALL_COUNT = 5
VOID = MailingStatus.VOID.value
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
        return Decimal(self.amount_minor).scaleb(-get_currency_precision(self.currency))


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


# --- writing: called by services.mailings inside its transaction ---------------------


@dataclass(frozen=True)
class _Tally:
    """A tally table: its key columns (the upsert's conflict target), its sums, and
    whether it counts only live mailings (then it has no status column)."""

    table: Table
    keys: tuple[str, ...]
    values: tuple[str, ...]
    live_only: bool = False


_TALLIES: tuple[_Tally, ...] = (
    _Tally(
        MailingTally.__table__,
        (
            "campaign_id",
            "chapter_key",
            "sent_on",
            "recipient_id",
            "channel",
            "status",
            "sender_country",
            "sender_town_key",
            "postage_currency",
        ),
        ("mailings", "postage_minor"),
    ),
    _Tally(
        DayTally.__table__,
        ("campaign_id", "sent_on", "recipient_id", "channel", "status", "postage_currency"),
        ("mailings", "postage_minor"),
    ),
    _Tally(
        PlaceTally.__table__,
        ("campaign_id", "channel", "sender_country", "sender_town_key", "sender_town"),
        ("mailings",),
        live_only=True,
    ),
    _Tally(
        ChapterTally.__table__,
        ("campaign_id", "chapter_key", "channel"),
        ("mailings",),
        live_only=True,
    ),
)

# What purges deleted, by every key above (and the way each town was typed).
_PURGED = _Tally(
    PurgedTally.__table__,
    tuple(c.name for c in PurgedTally.__table__.primary_key.columns),
    ("mailings", "postage_minor"),
)


class _Deltas:
    """Signed changes to the tallies, summed per key before anything is written."""

    def __init__(self) -> None:
        self.changes = [defaultdict(lambda: [0, 0]) for _ in _TALLIES]

    def add(self, get: Callable[[str], object], weight: int, status: str) -> None:
        """Count *weight* mailings (whose fields *get* reads) under *status*; -1 removes one."""
        values = {
            "campaign_id": get("campaign_id"),
            "chapter_key": get("chapter_id") or NO_CHAPTER,
            "sent_on": get("sent_on"),
            "recipient_id": get("recipient_id"),
            "channel": get("channel"),
            "status": status,
            "sender_country": get("sender_country"),
            "sender_town_key": get("sender_town_key"),
            "sender_town": get("sender_town"),
            "postage_currency": get("postage_currency") or NO_CURRENCY,
        }
        postage = weight * (get("postage_minor") or 0)
        for changes, tally in zip(self.changes, _TALLIES, strict=True):
            if tally.live_only and status == VOID:
                continue
            entry = changes[tuple(values[k] for k in tally.keys)]
            entry[0] += weight
            entry[1] += postage

    def write(self, session: Session) -> None:
        """Apply the changes with one upsert per table, keys in sorted order."""
        connection = session.connection()
        # The statements are SQLAlchemy's, compiled once per database; they run on the
        # driver's cursor of this same connection (so in this same transaction), which
        # keeps the tallies to about 5% of log_mailings' time (P1) instead of 9%.
        cursor = connection.connection.driver_connection.cursor()
        for changes, tally in zip(self.changes, _TALLIES, strict=True):
            rows = [
                dict(
                    zip(tally.keys, key, strict=True),
                    **dict(zip(tally.values, amounts[: len(tally.values)], strict=True)),
                )
                for key, amounts in sorted(changes.items())
                if any(amounts)  # logged -> posted cancels out in a live-only tally
            ]
            if rows:
                sql, order = _upsert_sql(tally.table.name, connection.dialect)
                if order is not None:
                    rows = [tuple(_plain(row[name]) for name in order) for row in rows]
                cursor.executemany(sql, rows)
        cursor.close()


def _plain(value):
    # What SQLAlchemy's SQLite Date type stores: the ISO date.
    return value.isoformat() if isinstance(value, dt.date) else value


@functools.cache
def _upsert(table_name: str, dialect_name: str):
    """Build ``INSERT … ON CONFLICT (key) DO UPDATE SET n = n + excluded.n`` for a tally."""
    tally = next(t for t in (*_TALLIES, _PURGED) if t.table.name == table_name)
    dialects = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
    if dialect_name not in dialects:
        raise NotImplementedError(f"tallies need SQLite or PostgreSQL, not {dialect_name}")
    statement = dialects[dialect_name](tally.table)
    return statement.on_conflict_do_update(
        index_elements=list(tally.keys),
        set_={v: tally.table.c[v] + statement.excluded[v] for v in tally.values},
    )


_COMPILED: dict[tuple[str, str], tuple[str, tuple[str, ...] | None]] = {}


def _upsert_sql(table_name: str, dialect) -> tuple[str, tuple[str, ...] | None]:
    """Return the upsert as the driver's SQL, and its parameter order if positional."""
    key = (table_name, dialect.name)
    if key not in _COMPILED:
        compiled = _upsert(table_name, dialect.name).compile(dialect=dialect)
        order = tuple(compiled.positiontup) if dialect.positional else None
        _COMPILED[key] = (str(compiled), order)
    return _COMPILED[key]


# The fields of a mailing that the tallies read.
_FIELDS = (
    "campaign_id",
    "chapter_id",
    "sent_on",
    "recipient_id",
    "channel",
    "status",
    "sender_country",
    "sender_town_key",
    "sender_town",
    "postage_currency",
    "postage_minor",
)


def count_logged(session: Session, rows: Iterable[Mapping]) -> None:
    """Add newly inserted mailing rows (as dicts) to the tallies; the caller commits."""
    deltas = _Deltas()
    # A batch's rows differ only in their codes: count each kind of row once.
    alike = Counter(tuple(map(row.get, _FIELDS)) for row in rows)
    for values, count in alike.items():
        row = dict(zip(_FIELDS, values, strict=True))
        deltas.add(row.get, count, row["status"])
    deltas.write(session)


def count_moved(session: Session, moves: Iterable[tuple[Mailing, str, str]]) -> None:
    """Move mailings between statuses in the tallies: ``(mailing, from, to)``; no commit."""
    deltas = _Deltas()
    for mailing, old, new in moves:
        get = functools.partial(getattr, mailing)
        deltas.add(get, -1, old)
        deltas.add(get, 1, new)
    deltas.write(session)


# --- the tallies as GROUP BYs of the mailing table (rebuild and check) ---------------


def _mailing_keys():
    """Select each mailing as one count under every tally key (none are NULL)."""
    m = Mailing.__table__.c
    source = {
        "campaign_id": m.campaign_id,
        "chapter_key": func.coalesce(m.chapter_id, NO_CHAPTER),
        "sent_on": m.sent_on,
        "recipient_id": m.recipient_id,
        "channel": m.channel,
        "status": m.status,
        "sender_country": m.sender_country,
        "sender_town_key": m.sender_town_key,
        "sender_town": m.sender_town,
        "postage_currency": func.coalesce(m.postage_currency, NO_CURRENCY),
    }
    return select(
        *(source[k].label(k) for k in _PURGED.keys),
        literal(1, BigInteger).label("mailings"),
        func.coalesce(m.postage_minor, 0).label("postage_minor"),
    )


def _tally_select(tally: _Tally, campaign_id: int | None):
    """Select what a tally should hold: the mailings, plus what purges deleted."""
    mailings = _mailing_keys()
    p = PurgedTally.__table__.c
    purged = select(*(p[k] for k in _PURGED.keys), p.mailings, p.postage_minor)
    if campaign_id is not None:
        mailings = mailings.where(Mailing.__table__.c.campaign_id == campaign_id)
        purged = purged.where(p.campaign_id == campaign_id)
    if tally.live_only:
        mailings = mailings.where(Mailing.__table__.c.status != VOID)
        purged = purged.where(p.status != VOID)
    return _grouped(union_all(mailings, purged).subquery(), tally)


def _grouped(rows, tally: _Tally):
    """Select *rows* (a subquery of counts) summed by *tally*'s keys."""
    keys = [rows.c[k] for k in tally.keys]
    return select(*keys, *(_sum(rows.c[v]).label(v) for v in tally.values)).group_by(*keys)


def set_aside(session: Session, before: dt.date) -> None:
    """Count the mailings sent before *before* into ``PurgedTally``, ahead of deleting them.

    The caller holds the write transaction and commits. A second purge adds to what
    an earlier one set aside.
    """
    old = _mailing_keys().where(Mailing.__table__.c.sent_on < before).subquery()
    found = [row._asdict() for row in session.exec(_grouped(old, _PURGED))]
    if found:
        connection = session.connection()
        connection.execute(_upsert(_PURGED.table.name, connection.dialect.name), found)


def rebuild(session: Session, campaign_id: int | None = None) -> None:
    """Recount the tallies from the mailing table (one campaign, or all); commits.

    For a database filled outside ``log_mailings`` (a bulk load, a restore). It takes
    the write lock for as long as it runs.
    """
    begin_write(session)
    connection = session.connection()
    for tally in _TALLIES:
        removal = delete(tally.table)
        if campaign_id is not None:
            removal = removal.where(tally.table.c.campaign_id == campaign_id)
        connection.execute(removal)
        connection.execute(
            insert(tally.table).from_select(
                [*tally.keys, *tally.values], _tally_select(tally, campaign_id)
            )
        )
    session.commit()


def differences(session: Session, campaign_id: int | None = None) -> list[str]:
    """Compare every tally row with a direct count of the mailings; describe each mismatch."""
    found = []
    for tally in _TALLIES:
        width = len(tally.values)
        wanted = {
            tuple(row[:-width]): tuple(row[-width:])
            for row in session.exec(_tally_select(tally, campaign_id))
        }
        held = select(*(tally.table.c[c] for c in (*tally.keys, *tally.values)))
        if campaign_id is not None:
            held = held.where(tally.table.c.campaign_id == campaign_id)
        have = {
            tuple(row[:-width]): tuple(row[-width:])
            for row in session.exec(held)
            if any(row[-width:])  # a key every mailing has left holds zeros
        }
        for key in sorted(set(wanted) | set(have), key=repr):
            if wanted.get(key) != have.get(key):
                found.append(
                    f"{tally.table.name} {key}: counted {wanted.get(key)}, held {have.get(key)}"
                )
    return found


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


def _sum(column) -> ColumnElement:
    # PostgreSQL sums a bigint as numeric (a Decimal in Python): bring it back to bigint.
    return cast(func.sum(column), BigInteger)


def _tally_source(model) -> _Source:
    tally = next(t for t in _TALLIES if t.table is model.__table__)
    c = tally.table.c
    return _Source(
        table=tally.table,
        count=_sum(c.mailings),
        postage=_sum(c.postage_minor) if "postage_minor" in c else None,
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
        postage=func.coalesce(_sum(c.postage_minor), 0),
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
