"""The mailings an export reads: chunk by chunk in id order, with their names joined."""

import contextlib
import datetime as dt
import gc
from collections.abc import Iterator
from typing import NamedTuple

from sqlalchemy import String
from sqlalchemy import and_
from sqlalchemy import type_coerce
from sqlmodel import Session
from sqlmodel import select

from app.services.scope import MailingFilter
from app.services.scope import filter_conditions
from models import Campaign
from models import Chapter
from models import Mailing
from models import Recipient
from models import User

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
NO_CHAPTER = (None, None)


@contextlib.contextmanager
def collector_paused():
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
        filters: MailingFilter,
        chunk: int = CHUNK,
        with_created_at: bool = False,
    ):
        self.session = session
        self.conditions = filter_conditions(user, filters)
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
            with collector_paused():
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
                chapter = chapters.get(row[4], NO_CHAPTER)
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
    filters: MailingFilter,
    chunk: int = CHUNK,
    with_created_at: bool = False,
) -> ExportRows:
    """Return the mailings *user* may see that match *filters*, to be read in id order."""
    return ExportRows(
        session, user=user, filters=filters, chunk=chunk, with_created_at=with_created_at
    )
