"""Summaries: mailings totalled per campaign by chapter, channel, country, and postage."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import and_
from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import select

from app.services import countries
from app.services.money import amount
from app.services.reports.cells import BOM
from app.services.reports.cells import new_workbook
from app.services.reports.cells import safe_cell
from app.services.scope import MailingFilter
from app.services.scope import filter_conditions
from models import Campaign
from models import Chapter
from models import Mailing
from models import MailingStatus
from models import User

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


def summarize(session: Session, *, user: User, filters: MailingFilter) -> list[SummaryLine]:
    """Total the mailings per campaign: overall, by chapter, channel, country, and postage
    per currency. Void mailings count only when the filters ask for them by status.
    """
    conditions = filter_conditions(user, filters)
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
    workbook = new_workbook(target)
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
