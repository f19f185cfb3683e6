"""Importing a CSV file of batches: all lines or none, every bad line named."""

import csv
import datetime as dt
import hashlib
import io
from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session

from app.services.errors import FieldError
from app.services.errors import ValidationFailed
from app.services.mailings.log import BatchesFailed
from app.services.mailings.log import log_batches
from app.services.mailings.log import parse_batch
from models import User

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
                items.append((line, parse_batch(raw, today=today)))
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

    Each line is a batch logged through :func:`~app.services.log_batches`,
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
        logged = log_batches(
            session=session, items=batches, user=user, today=today, dry_run=dry_run or bool(errors)
        )
    except BatchesFailed as failed:
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
