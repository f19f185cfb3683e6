"""Reports: mailings out as CSV, XLSX, JSON and OSDI outreaches, summaries, and CSV import.

Exports read the mailings in id order a chunk at a time (keyset paging, one short
read per chunk), so memory stays flat however many rows there are, and a web
response can start sending at once. Every text cell that a spreadsheet could take
for a formula is written with a leading ``'`` (OWASP's advice on CSV injection);
XLSX text goes through ``write_string``, so no cell is ever a formula.

Imports go through :func:`app.services.mailings.log_batches`: all rows or none.
"""

import contextlib
import csv
import datetime as dt
import gc
import hashlib
import io
import json
from collections import Counter
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO
from typing import NamedTuple

import xlsxwriter
from babel.numbers import get_currency_precision
from pydantic import ValidationError
from sqlalchemy import String
from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import type_coerce
from sqlmodel import Session
from sqlmodel import select

from app.services import countries
from app.services import mailings
from app.services.errors import FieldError
from app.services.errors import NotFound
from app.services.errors import ValidationFailed
from models import Campaign
from models import Chapter
from models import Mailing
from models import MailingQuery
from models import MailingStatus
from models import Recipient
from models import User

# --- safe cells ------------------------------------------------------------------------

# A spreadsheet may run a cell that starts with one of these as a formula or command.
DANGEROUS_FIRST = frozenset("=+-@\t\r\0|%{")


def safe_cell(text: str) -> str:
    """Return *text* with a leading ``'`` if, after leading spaces, it starts like a formula."""
    if text and (
        text[0] in DANGEROUS_FIRST or (text[0] == " " and text.lstrip(" ")[:1] in DANGEROUS_FIRST)
    ):
        return "'" + text
    return text


# --- which mailings --------------------------------------------------------------------


def parse_query(raw: dict) -> MailingQuery:
    """Validate raw filters (query string, form, command line).

    :raises ValidationFailed: for a bad channel, status or date, or dates out of order.
    """
    try:
        query = MailingQuery.model_validate(raw)
    except ValidationError as exc:
        raise ValidationFailed.from_pydantic(exc, FILTER_MESSAGES) from None
    if query.since and query.until and query.since > query.until:
        raise ValidationFailed.one("until", "The end date must not be before the start date.")
    return query


FILTER_MESSAGES = {
    "campaign": "Choose a campaign.",
    "chapter": "Choose a chapter.",
    "channel": "Choose letter, postcard, card, drawing, fax or email.",
    "status": "Choose logged, posted or void.",
    "since": "Enter a date like 2025-12-10.",
    "until": "Enter a date like 2025-12-10.",
}


def resolve(session: Session, user: User, query: MailingQuery) -> mailings.MailingFilter:
    """Turn validated filters into a :class:`~app.services.mailings.MailingFilter`.

    Coordinators see only their chapter: naming another is answered as if it did
    not exist.

    :raises ValidationFailed: for a campaign that does not exist.
    :raises NotFound: for a chapter that does not exist or that *user* may not see.
    """
    values: dict = {}
    if query.campaign:
        campaign = session.exec(select(Campaign).where(Campaign.slug == query.campaign)).first()
        if campaign is None:
            raise ValidationFailed.one("campaign", "There is no campaign with this name.")
        values["campaign_id"] = campaign.id
    if query.chapter:
        chapter = session.exec(select(Chapter).where(Chapter.slug == query.chapter)).first()
        if chapter is None or not (user.is_staff or chapter.id == user.chapter_id):
            raise NotFound(query.chapter)
        values["chapter_id"] = chapter.id
    return mailings.MailingFilter(
        **values,
        channel=query.channel.value if query.channel else None,
        status=query.status.value if query.status else None,
        since=query.since,
        until=query.until,
    )


# --- export rows -----------------------------------------------------------------------

COLUMNS = (
    "code",
    "campaign",
    "recipient",
    "recipient_role",
    "recipient_name",
    "channel",
    "kind",
    "sender_town",
    "sender_country",
    "sender_country_name",
    "sent_on",
    "status",
    "chapter",
    "chapter_name",
    "postage_amount",
    "postage_currency",
)


class ExportRow(NamedTuple):
    """One mailing as the exports see it (codes, not names, except where named)."""

    id: int
    code: str
    campaign: str
    recipient: str
    recipient_role: str
    recipient_name: str
    channel: str
    kind: str | None
    sender_town: str
    sender_country: str
    sent_on: str  # ISO date, as stored
    status: str
    chapter: str | None
    chapter_name: str | None
    postage_minor: int | None
    postage_currency: str | None
    campaign_title: str
    recipient_country: str
    created_at: dt.datetime | None


_MAILING_COLUMNS = (
    Mailing.id,
    Mailing.code,
    Mailing.campaign_id,
    Mailing.recipient_id,
    Mailing.chapter_id,
    Mailing.channel,
    Mailing.kind,
    Mailing.sender_town,
    Mailing.sender_country,
    # The stored text on SQLite (a date object on PostgreSQL): no per-row parsing.
    type_coerce(Mailing.sent_on, String),
    Mailing.status,
    Mailing.postage_minor,
    Mailing.postage_currency,
)
_NO_CHAPTER = (None, None)


@contextlib.contextmanager
def _collector_paused():
    """Pause the cyclic garbage collector for one chunk's allocations.

    A chunk allocates thousands of rows and tuples, none in a cycle, which would
    set off collections that walk every object of the process: a fifth of an
    export's time. The pause covers synchronous work only (never a ``yield``), and
    the collector is switched back on by whoever switched it off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


CHUNK = 5000


class ExportRows:
    """The mailings *user* may see that match *filters*, in id order: iterate for
    :class:`ExportRow` objects; writers that need speed read :meth:`raw_chunks`.

    Reads *chunk* rows at a time after the last id seen, ending the read transaction
    between chunks, so neither memory nor a database snapshot grows with the export.
    Campaigns, recipients and chapters (small tables) are read once and joined here.
    """

    def __init__(
        self,
        session: Session,
        *,
        user: User,
        filters: mailings.MailingFilter,
        chunk: int = CHUNK,
        with_created_at: bool = False,
    ):
        self.session = session
        self.conditions = mailings.filter_conditions(user, filters)
        self.chunk = chunk
        self.with_created_at = with_created_at
        self.campaigns: dict[int, tuple[str, str]] = {}
        self.recipients: dict[int, tuple[str, str, str, str]] = {}
        self.chapters: dict[int, tuple[str, str]] = {}

    def _load_names(self) -> None:
        session = self.session
        self.campaigns = {c.id: (c.slug, c.title) for c in session.exec(select(Campaign))}
        self.recipients = {
            r.id: (r.key, r.role, r.name, r.country) for r in session.exec(select(Recipient))
        }
        self.chapters = {c.id: (c.slug, c.name) for c in session.exec(select(Chapter))}

    def raw_chunks(self) -> Iterator[list]:
        """Yield lists of rows: the columns of ``_MAILING_COLUMNS`` (and ``created_at``)."""
        self._load_names()
        extra = (Mailing.created_at,) if self.with_created_at else ()
        base = select(*_MAILING_COLUMNS, *extra).order_by(Mailing.id).limit(self.chunk)
        last = 0
        while True:
            query = base.where(and_(*self.conditions, Mailing.id > last))
            with _collector_paused():
                rows = self.session.connection().execute(query).fetchall()
            self.session.rollback()  # end this read: the next chunk starts a fresh one
            if rows:
                yield rows
            if len(rows) < self.chunk:
                return
            last = rows[-1][0]

    def __iter__(self) -> Iterator[ExportRow]:
        make = ExportRow._make
        for rows in self.raw_chunks():
            campaigns, recipients, chapters = self.campaigns, self.recipients, self.chapters
            for row in rows:
                campaign = campaigns[row[2]]
                recipient = recipients[row[3]]
                chapter = chapters.get(row[4], _NO_CHAPTER)
                sent_on = row[9]
                yield make(
                    (
                        row[0],
                        row[1],
                        campaign[0],
                        recipient[0],
                        recipient[1],
                        recipient[2],
                        row[5],
                        row[6],
                        row[7],
                        row[8],
                        sent_on if type(sent_on) is str else sent_on.isoformat(),
                        row[10],
                        chapter[0],
                        chapter[1],
                        row[11],
                        row[12],
                        campaign[1],
                        recipient[3],
                        row[13] if self.with_created_at else None,
                    )
                )


def export_rows(
    session: Session,
    *,
    user: User,
    filters: mailings.MailingFilter,
    chunk: int = CHUNK,
    with_created_at: bool = False,
) -> ExportRows:
    """Return the mailings *user* may see that match *filters*, to be read in id order."""
    return ExportRows(
        session, user=user, filters=filters, chunk=chunk, with_created_at=with_created_at
    )


_precision_cache: dict[str, int] = {}


def amount(minor: int, currency: str) -> Decimal:
    """Return *minor* units of *currency* as a Decimal (340, "USD" → 3.40)."""
    places = _precision_cache.get(currency)
    if places is None:
        places = _precision_cache[currency] = get_currency_precision(currency)
    return Decimal(minor).scaleb(-places)


class _Names:
    """Country names and amounts, looked up once per distinct value."""

    def __init__(self):
        self.countries: dict[str, str] = {}
        self.amounts: dict[tuple[int, str], str] = {}

    def country(self, code: str) -> str:
        name = self.countries.get(code)
        if name is None:
            name = self.countries[code] = countries.country_name(code, "en")
        return name

    def amount(self, minor: int | None, currency: str | None) -> str | None:
        if minor is None or currency is None:
            return None
        key = (minor, currency)
        text = self.amounts.get(key)
        if text is None:
            text = self.amounts[key] = str(amount(minor, currency))
        return text


# --- CSV -------------------------------------------------------------------------------

BOM = "\ufeff"


def csv_chunks(rows: ExportRows) -> Iterator[bytes]:
    """Yield a CSV file (UTF-8 with BOM, a header, one line per mailing) in pieces.

    This is the path a million-row download takes, so it works a chunk at a time on
    the raw rows, with every name escaped once rather than once per row.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(COLUMNS)
    # The header goes at once, before the first query: a download starts immediately.
    yield buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    safe = safe_cell
    towns = _SafeCells()
    country_names: dict[str, str] = {}
    amounts: dict[tuple[int, str], str] = {}
    campaigns = recipients = chapters = None
    for chunk in rows.raw_chunks():
        if campaigns is None:  # the names are read with the first chunk
            campaigns = {k: safe(v[0]) for k, v in rows.campaigns.items()}
            recipients = {k: (safe(v[0]), v[1], safe(v[2])) for k, v in rows.recipients.items()}
            chapters = {k: (safe(v[0]), safe(v[1])) for k, v in rows.chapters.items()}
        with _collector_paused():
            lines = []
            append = lines.append
            for (
                _id,
                code,
                cid,
                rid,
                chid,
                channel,
                kind,
                town,
                country,
                sent_on,
                status,
                minor,
                cur,
                *_,
            ) in chunk:
                key, role, name = recipients[rid]
                chapter, chapter_name = chapters.get(chid, _NO_CHAPTER)
                country_name = country_names.get(country)
                if country_name is None:
                    country_name = country_names[country] = safe(
                        countries.country_name(country, "en")
                    )
                money = None
                if minor is not None and cur is not None:
                    money = amounts.get((minor, cur))
                    if money is None:
                        money = amounts[(minor, cur)] = str(amount(minor, cur))
                append(
                    (
                        code,
                        campaigns[cid],
                        key,
                        role,
                        name,
                        channel,
                        kind,
                        towns(town),
                        country,
                        country_name,
                        sent_on if type(sent_on) is str else sent_on.isoformat(),
                        status,
                        chapter,
                        chapter_name,
                        money,
                        cur,
                    )
                )
            writer.writerows(lines)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


class _SafeCells:
    """:func:`safe_cell` with a bounded memory of the values already seen (towns and
    names repeat on nearly every row). ``None`` stays ``None`` (an empty CSV cell).
    """

    LIMIT = 50_000

    def __init__(self):
        self.seen: dict[str, str] = {}

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        done = self.seen.get(text)
        if done is None:
            done = safe_cell(text)
            if len(self.seen) < self.LIMIT:
                self.seen[text] = done
        return done


# --- XLSX ------------------------------------------------------------------------------

XLSX_MAX_ROWS = 1_048_576  # a worksheet's limit, header included


def _workbook(target) -> xlsxwriter.Workbook:
    # constant_memory writes each row out as soon as the next begins. The string
    # conversions are off so that text stays text, whatever it looks like.
    return xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )


def write_xlsx(rows: Iterable[ExportRow], target: str | BinaryIO) -> int:
    """Write the mailings as an XLSX workbook to *target* (a path or a binary file).

    Dates are dates and amounts numbers; text is written as text, never a formula.
    A new sheet starts when one is full. Returns the number of rows written.
    """
    workbook = _workbook(target)
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    money_formats: dict[int, object] = {}
    names = _Names()
    sheet, row_index, count = None, XLSX_MAX_ROWS, 0
    text_columns = (1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15)
    for r in rows:
        if row_index >= XLSX_MAX_ROWS:
            number = (count // (XLSX_MAX_ROWS - 1)) + 1
            sheet = workbook.add_worksheet("Mailings" if number == 1 else f"Mailings {number}")
            sheet.write_row(0, 0, COLUMNS, bold)
            sheet.set_column(0, len(COLUMNS) - 1, 14)
            row_index = 1
        values = (
            r.code,
            r.campaign,
            r.recipient,
            r.recipient_role,
            r.recipient_name,
            r.channel,
            r.kind or "",
            r.sender_town,
            r.sender_country,
            names.country(r.sender_country),
            None,
            r.status,
            r.chapter or "",
            r.chapter_name or "",
            None,
            r.postage_currency or "",
        )
        sheet.write_string(row_index, 0, r.code)
        for column in text_columns:
            if values[column]:
                sheet.write_string(row_index, column, safe_cell(values[column]))
        sheet.write_datetime(row_index, 10, dt.date.fromisoformat(r.sent_on), date_format)
        if r.postage_minor is not None and r.postage_currency:
            value = amount(r.postage_minor, r.postage_currency)
            places = -value.as_tuple().exponent
            if places not in money_formats:
                pattern = "0." + "0" * places if places > 0 else "0"
                money_formats[places] = workbook.add_format({"num_format": pattern})
            sheet.write_number(row_index, 14, float(value), money_formats[places])
        row_index += 1
        count += 1
    if sheet is None:
        sheet = workbook.add_worksheet("Mailings")
        sheet.write_row(0, 0, COLUMNS, bold)
    workbook.close()
    return count


# --- JSON ------------------------------------------------------------------------------


def _postage_json(r: ExportRow) -> dict | None:
    if r.postage_minor is None or r.postage_currency is None:
        return None
    return {
        "amount": str(amount(r.postage_minor, r.postage_currency)),
        "amount_minor": r.postage_minor,
        "currency": r.postage_currency,
    }


def mailing_json(r: ExportRow) -> dict:
    """Return one exported mailing as a JSON object."""
    return {
        "code": r.code,
        "campaign": r.campaign,
        "recipient": r.recipient,
        "recipient_role": r.recipient_role,
        "recipient_name": r.recipient_name,
        "channel": r.channel,
        "kind": r.kind,
        "sender_town": r.sender_town,
        "sender_country": r.sender_country,
        "sent_on": r.sent_on,
        "status": r.status,
        "chapter": r.chapter,
        "chapter_name": r.chapter_name,
        "postage": _postage_json(r),
    }


def json_chunks(rows: Iterable[ExportRow], *, flush_rows: int = 1000) -> Iterator[bytes]:
    """Yield a JSON array of mailings in pieces, one object per line."""
    yield from _array_chunks((mailing_json(r) for r in rows), "[", "]", flush_rows)


def _array_chunks(objects: Iterable[dict], head: str, tail: str, flush: int) -> Iterator[bytes]:
    parts = [head + "\n"]
    first = True
    for obj in objects:
        parts.append(("" if first else ",\n") + json.dumps(obj, ensure_ascii=False))
        first = False
        if len(parts) >= flush:
            yield "".join(parts).encode()
            parts = []
    parts.append("\n" + tail + "\n")
    yield "".join(parts).encode()


# Outreach types as OSDI names them; a greeting card or a drawing goes by post too.
OSDI_TYPES = {"fax": "fax", "email": "email"}


def outreach_json(r: ExportRow, base_url: str) -> dict:
    """Return one mailing as an OSDI outreach (the shape Action Network and CiviCRM read)."""
    campaign_url = f"{base_url.rstrip('/')}/campaigns/{r.campaign}"
    outreach = {
        "identifiers": [f"lettertrail:{r.code}"],
        "origin_system": "Lettertrail",
        "action_date": r.sent_on,
        "type": OSDI_TYPES.get(r.channel, "postal mail"),
        "targets": [
            {"title": r.recipient_name, "ocdid": f"ocd-division/country:{r.recipient_country}"}
        ],
        "lettertrail:channel": r.channel,
        "lettertrail:status": r.status,
        "_links": {
            "osdi:advocacy_campaign": {"href": campaign_url, "title": r.campaign_title},
        },
    }
    if r.created_at is not None:
        outreach["created_date"] = r.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return outreach


def outreach_chunks(
    rows: Iterable[ExportRow], *, base_url: str = "", flush_rows: int = 1000
) -> Iterator[bytes]:
    """Yield an OSDI collection of outreaches, one per mailing, in pieces.

    Pass rows read ``with_created_at=True`` to fill ``created_date``.
    """
    head = '{"origin_system": "Lettertrail", "_embedded": {"osdi:outreaches": ['
    objects = (outreach_json(r, base_url) for r in rows)
    yield from _array_chunks(objects, head, "]}}", flush_rows)


# --- summary ---------------------------------------------------------------------------

SUMMARY_COLUMNS = (
    "campaign",
    "section",
    "key",
    "name",
    "mailings",
    "postage_amount",
    "postage_currency",
)


@dataclass(frozen=True)
class SummaryLine:
    """One line of a campaign's summary: a total, or the mailings of one group."""

    campaign: str
    section: str  # total, chapter, channel, country, postage
    key: str
    name: str
    mailings: int
    postage_minor: int | None = None
    currency: str | None = None


def summarize(
    session: Session, *, user: User, filters: mailings.MailingFilter
) -> list[SummaryLine]:
    """Total the mailings per campaign: overall, by chapter, channel, country, and postage
    per currency. Void mailings count only when the filters ask for them by status.
    """
    conditions = mailings.filter_conditions(user, filters)
    if filters.status is None:
        conditions.append(Mailing.status != MailingStatus.VOID.value)
    where = and_(*conditions)
    lines: list[SummaryLine] = []
    campaigns = dict(
        session.exec(
            select(Campaign.id, Campaign.slug).where(
                Campaign.id.in_(select(Mailing.campaign_id).where(where).distinct())
            )
        ).all()
    )

    def grouped(*columns):
        query = (
            select(Mailing.campaign_id, *columns, func.count())
            .where(where)
            .group_by(Mailing.campaign_id, *columns)
        )
        return session.exec(query).all()

    for campaign_id, total in grouped():
        lines.append(SummaryLine(campaigns[campaign_id], "total", "", "", total))
    chapters = {c.id: c for c in session.exec(select(Chapter)).all()}
    for campaign_id, chapter_id, n in grouped(Mailing.chapter_id):
        chapter = chapters.get(chapter_id)
        key, name = (chapter.slug, chapter.name) if chapter else ("", "(no chapter)")
        lines.append(SummaryLine(campaigns[campaign_id], "chapter", key, name, n))
    for campaign_id, channel, n in grouped(Mailing.channel):
        lines.append(SummaryLine(campaigns[campaign_id], "channel", channel, channel, n))
    for campaign_id, country, n in grouped(Mailing.sender_country):
        name = countries.country_name(country, "en")
        lines.append(SummaryLine(campaigns[campaign_id], "country", country, name, n))
    postage = session.exec(
        select(
            Mailing.campaign_id,
            Mailing.postage_currency,
            func.count(),
            func.sum(Mailing.postage_minor),
        )
        .where(where, Mailing.postage_minor.is_not(None), Mailing.postage_currency.is_not(None))
        .group_by(Mailing.campaign_id, Mailing.postage_currency)
    ).all()
    for campaign_id, currency, n, minor in postage:
        lines.append(
            SummaryLine(
                campaigns[campaign_id], "postage", currency, currency, n, int(minor), currency
            )
        )
    order = {"total": 0, "chapter": 1, "channel": 2, "country": 3, "postage": 4}
    lines.sort(key=lambda line: (line.campaign, order[line.section], -line.mailings, line.key))
    return lines


def summary_csv(lines: Iterable[SummaryLine]) -> bytes:
    """Return the summary as a CSV file (UTF-8 with BOM)."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(SUMMARY_COLUMNS)
    for line in lines:
        money = (
            str(amount(line.postage_minor, line.currency)) if line.postage_minor is not None else ""
        )
        writer.writerow(
            (
                safe_cell(line.campaign),
                line.section,
                safe_cell(line.key),
                safe_cell(line.name),
                line.mailings,
                money,
                line.currency or "",
            )
        )
    return buffer.getvalue().encode()


def write_summary_xlsx(lines: Iterable[SummaryLine], target: str | BinaryIO) -> None:
    """Write the summary as an XLSX workbook: counts and amounts are numbers."""
    workbook = _workbook(target)
    bold = workbook.add_format({"bold": True})
    money_format = workbook.add_format({"num_format": "#,##0.00"})
    sheet = workbook.add_worksheet("Summary")
    sheet.write_row(0, 0, SUMMARY_COLUMNS, bold)
    sheet.set_column(0, len(SUMMARY_COLUMNS) - 1, 16)
    for index, line in enumerate(lines, start=1):
        for column, text in ((0, line.campaign), (1, line.section), (2, line.key), (3, line.name)):
            if text:
                sheet.write_string(index, column, safe_cell(text))
        sheet.write_number(index, 4, line.mailings)
        if line.postage_minor is not None and line.currency:
            sheet.write_number(
                index, 5, float(amount(line.postage_minor, line.currency)), money_format
            )
            sheet.write_string(index, 6, line.currency)
    workbook.close()


def filename(kind: str, query: MailingQuery, today: dt.date, ext: str) -> str:
    """Name an export after what it holds: ``mailings-azimjan-askarov-2026-01-31.csv``."""
    parts = [kind, query.campaign or "all-campaigns"]
    if query.chapter:
        parts.append(query.chapter)
    parts.append(today.isoformat())
    return "-".join(parts) + "." + ext


# --- import ----------------------------------------------------------------------------

REQUIRED_COLUMNS = (
    "campaign",
    "recipient",
    "channel",
    "sender_town",
    "sender_country",
    "sent_on",
    "count",
)
OPTIONAL_COLUMNS = ("chapter", "kind", "weight_g")
MAX_IMPORT_BYTES = 10 * 1024 * 1024


class ImportRefused(Exception):
    """The file as a whole cannot be read: too large, not UTF-8, or the wrong columns."""


@dataclass(frozen=True)
class LineError:
    """One problem on one line of an imported file (the header is line 1)."""

    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.field}" if self.field else "")
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    """Some lines were refused; nothing was imported. ``errors`` names every one."""

    def __init__(self, errors: list[LineError], rows: int):
        super().__init__(f"{len({e.line for e in errors})} of {rows} lines have problems")
        self.errors = errors
        self.rows = rows


@dataclass(frozen=True)
class PlanLine:
    """What an import makes for one campaign, recipient, channel and chapter."""

    campaign: str
    recipient: str
    channel: str
    chapter: str | None
    lines: int
    mailings: int


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    rows: int
    batches: int  # new batches, one per line
    mailings: int
    repeated: int  # lines imported before from this same file, left alone
    dry_run: bool
    plan: list[PlanLine]


def read_import(data: bytes, *, today: dt.date | None = None):
    """Read a CSV file into ``(line, batch)`` pairs and the problems of the other lines.

    :raises ImportRefused: if the file is too large, not UTF-8 text, empty, or has
        unknown, missing or repeated columns.
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused("The file is larger than 10 MB. Split it into smaller files.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read). "
            "Save it as “CSV UTF-8” and try again."
        ) from None
    if "\0" in text:
        raise ImportRefused("The file is not a CSV text file.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRefused("The file is empty.") from None
    except csv.Error as exc:
        raise ImportRefused(f"The header line cannot be read: {exc}.") from None
    header = [name.strip().lower() for name in header]
    _check_header(header)
    items, errors, rows = [], [], 0
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            line = reader.line_num
            if len(row) != len(header):
                message = f"Expected {len(header)} values, found {len(row)}."
                errors.append(LineError(line, None, message))
                continue
            raw = {name: value.strip() for name, value in zip(header, row, strict=True)}
            try:
                items.append((line, mailings.parse_batch(raw, today=today)))
            except ValidationFailed as failure:
                errors.extend(LineError(line, e.field, e.message) for e in failure.errors)
    except csv.Error as exc:
        errors.append(LineError(reader.line_num, None, f"This line cannot be read: {exc}."))
    return items, errors, rows


def _check_header(header: list[str]) -> None:
    allowed = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    problems = []
    if unknown := [name for name in header if name not in allowed]:
        problems.append(f"Unknown columns: {', '.join(unknown) or '(empty)'}.")
    if missing := [name for name in REQUIRED_COLUMNS if name not in header]:
        problems.append(f"Missing columns: {', '.join(missing)}.")
    if repeated := sorted(name for name, n in Counter(header).items() if n > 1):
        problems.append(f"Repeated columns: {', '.join(repeated)}.")
    if problems:
        problems.append(
            f"The first line must name the columns: {', '.join(REQUIRED_COLUMNS)}, "
            f"and optionally {', '.join(OPTIONAL_COLUMNS)}."
        )
        raise ImportRefused(" ".join(problems))


def import_mailings(
    *,
    session: Session,
    data: bytes,
    user: User,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> ImportResult:
    """Import a CSV file of batches (one per line) for *user*: all lines or none; commits.

    Each line is a batch logged through :func:`~app.services.mailings.log_batches`,
    with a submission id made of the file's digest and the line number, so
    importing the same file again adds nothing.

    :raises ImportRefused: if the file as a whole cannot be read.
    :raises ImportFailed: with every bad line and why; nothing is written.
    """
    items, errors, rows = read_import(data, today=today)
    if rows == 0:
        raise ImportRefused("The file has a header but no lines to import.")
    digest = hashlib.sha256(data).hexdigest()[:32]
    batches = [(f"import:{digest}:{line}", batch) for line, batch in items]
    try:
        # With lines already refused, still check the others against the database,
        # so that one run reports every problem.
        logged = mailings.log_batches(
            session=session, items=batches, user=user, today=today, dry_run=dry_run or bool(errors)
        )
    except mailings.BatchesFailed as failed:
        for index, failure in failed.failures:
            line = items[index][0]
            errors.extend(LineError(line, _field(e), e.message) for e in failure.errors)
    if errors:
        errors.sort(key=lambda e: e.line)
        raise ImportFailed(errors, rows)
    return ImportResult(
        rows=rows,
        batches=logged.created,
        mailings=logged.mailings,
        repeated=logged.repeated,
        dry_run=dry_run,
        plan=_plan(batch for _, batch in items),
    )


def _field(error: FieldError) -> str | None:
    return None if error.field == "__all__" else error.field


def _plan(batches) -> list[PlanLine]:
    totals: dict[tuple, list[int]] = {}
    for b in batches:
        key = (b.campaign, b.recipient, b.channel.value, b.chapter)
        entry = totals.setdefault(key, [0, 0])
        entry[0] += 1
        entry[1] += b.count
    return [PlanLine(*key, lines, n) for key, (lines, n) in sorted(totals.items(), key=str)]
