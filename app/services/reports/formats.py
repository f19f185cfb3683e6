"""Export formats: mailings as CSV, XLSX, JSON and OSDI outreaches."""

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from collections.abc import Iterator
from typing import BinaryIO

from app.services import countries
from app.services.money import amount
from app.services.reports.cells import BOM
from app.services.reports.cells import XLSX_MAX_ROWS
from app.services.reports.cells import SafeCells
from app.services.reports.cells import new_workbook
from app.services.reports.cells import safe_cell
from app.services.reports.rows import COLUMNS
from app.services.reports.rows import NO_CHAPTER
from app.services.reports.rows import ExportRow
from app.services.reports.rows import ExportRows
from app.services.reports.rows import collector_paused
from models import MailingQuery


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
    towns = SafeCells()
    country_names: dict[str, str] = {}
    amounts: dict[tuple[int, str], str] = {}
    campaigns = recipients = chapters = None
    for chunk in rows.raw_chunks():
        if campaigns is None:  # the names are read with the first chunk
            campaigns = {k: safe(v[0]) for k, v in rows.campaigns.items()}
            recipients = {k: (safe(v[0]), v[1], safe(v[2])) for k, v in rows.recipients.items()}
            chapters = {k: (safe(v[0]), safe(v[1])) for k, v in rows.chapters.items()}
        with collector_paused():
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
                chapter, chapter_name = chapters.get(chid, NO_CHAPTER)
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


def write_xlsx(rows: Iterable[ExportRow], target: str | BinaryIO) -> int:
    """Write the mailings as an XLSX workbook to *target* (a path or a binary file).

    Dates are dates and amounts numbers; text is written as text, never a formula.
    A new sheet starts when one is full. Returns the number of rows written.
    """
    workbook = new_workbook(target)
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


def filename(kind: str, query: MailingQuery, today: dt.date, ext: str) -> str:
    """Name an export after what it holds: ``mailings-azimjan-askarov-2026-01-31.csv``."""
    parts = [kind, query.campaign or "all-campaigns"]
    if query.chapter:
        parts.append(query.chapter)
    parts.append(today.isoformat())
    return "-".join(parts) + "." + ext
