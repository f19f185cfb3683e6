"""Benchmark P6: import a 100,000-line CSV (one batch per line) through
``imports.import_mailings`` on SQLite, all lines in one transaction.

    python benchmarks/import.py [--lines 100000]

Printed beside it, from the same run: the dry run (every line read and checked, nothing
written), and a raw ``sqlite3`` ``executemany`` of the same batches and mailings in one
transaction, so the cost of checking and of the one writer can be told apart.
"""

import argparse
import datetime as dt
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func  # noqa: E402
from sqlmodel import Session  # noqa: E402
from sqlmodel import select  # noqa: E402

import models  # noqa: E402
from app.services.codes import new_code  # noqa: E402
from app.services.database import make_engine  # noqa: E402
from app.services.mailings.log import town_key  # noqa: E402
from app.services.reports import imports  # noqa: E402
from benchmarks import _seed  # noqa: E402

TODAY = dt.date(2026, 1, 31)
HEADER = "campaign,recipient,channel,sender_town,sender_country,sent_on,count,chapter\n"


def make_csv(lines: int) -> tuple[bytes, list[tuple]]:
    """Return a tally file of *lines* batches, and the same batches as tuples."""
    rng = random.Random(6)
    towns = [("Columbus", "US", "hillside-4b"), ("Leeds", "GB", "leeds"), ("Toronto", "CA", "")]
    parts, batches = [HEADER], []
    for _ in range(lines):
        town, country, chapter = rng.choice(towns)
        recipient = rng.choice(("president", "prisoner"))
        channel = rng.choice(("letter", "card", "drawing", "email"))
        sent_on = (dt.date(2025, 11, 20) + dt.timedelta(days=rng.randint(0, 70))).isoformat()
        count = rng.randint(1, 3)
        parts.append(
            f"azimjan-askarov,{recipient},{channel},{town},{country},{sent_on},{count},{chapter}\n"
        )
        batches.append((recipient, channel, town, country, sent_on, count, chapter))
    return "".join(parts).encode(), batches


def seed(path: Path) -> models.User:
    engine = make_engine(f"sqlite:///{path}")
    models.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        _seed.campaign(s, recipients=(_seed.PRESIDENT, _seed.PRISONER))
        _seed.chapters(s, (("hillside-4b", "Columbus", "US"), ("leeds", "Leeds", "GB")))
    engine.dispose()
    return models.User(email="bench", role="staff", password_hash="", session_token="")


def through_service(path: Path, data: bytes, dry_run: bool) -> tuple[float, int]:
    user = seed(path)
    engine = make_engine(f"sqlite:///{path}")
    start = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        result = imports.import_mailings(
            session=session, data=data, user=user, dry_run=dry_run, today=TODAY
        )
    elapsed = time.perf_counter() - start
    with Session(engine) as session:
        stored = session.exec(select(func.count()).select_from(models.Mailing)).one()
    engine.dispose()
    assert stored == (0 if dry_run else result.mailings), (stored, result)
    return elapsed, result.mailings


def raw_executemany(path: Path, batches: list[tuple]) -> float:
    seed(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    chapters = {"hillside-4b": 1, "leeds": 2, "": None}
    recipients = {"president": 1, "prisoner": 2}
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" ")
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for n, (recipient, channel, town, country, sent_on, count, chapter) in enumerate(batches):
        batch_id = conn.execute(
            "INSERT INTO batch (submission_id, request_digest, campaign_id, recipient_id,"
            " chapter_id, created_by_id, channel, count, sent_on, created_at)"
            " VALUES (?, ?, 1, ?, ?, NULL, ?, ?, ?, ?)",
            (
                f"raw:{n}",
                "0" * 64,
                recipients[recipient],
                chapters[chapter],
                channel,
                count,
                sent_on,
                now,
            ),
        ).lastrowid
        conn.executemany(
            "INSERT INTO mailing (code, batch_id, campaign_id, recipient_id, chapter_id, channel,"
            " nonmachinable, sender_town, sender_town_key, sender_country, sent_on, status,"
            " created_at) VALUES (?, ?, 1, ?, ?, ?, 0, ?, ?, ?, ?, 'logged', ?)",
            [
                (
                    new_code(),
                    batch_id,
                    recipients[recipient],
                    chapters[chapter],
                    channel,
                    town,
                    town_key(town),
                    country,
                    sent_on,
                    now,
                )
                for _ in range(count)
            ],
        )
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    data, batches = make_csv(args.lines)
    with tempfile.TemporaryDirectory() as tmp:
        raw_seconds = raw_executemany(Path(tmp) / "raw.sqlite", batches)
        dry_seconds, _ = through_service(Path(tmp) / "dry.sqlite", data, dry_run=True)
        seconds, mailings = through_service(Path(tmp) / "real.sqlite", data, dry_run=False)
    size = len(data) / 1024 / 1024
    print(
        f"P6 import of {args.lines:,} lines ({mailings:,} mailings, {size:.1f} MB) in one "
        f"transaction (SQLite {sqlite3.sqlite_version})"
    )
    n = args.lines
    print(f"  raw sqlite3 executemany   : {n / raw_seconds:10,.0f} lines/s  (baseline, no checks)")
    print(f"  import --dry-run          : {n / dry_seconds:10,.0f} lines/s  (read and check)")
    print(
        f"  import                    : {n / seconds:10,.0f} lines/s"
        f"  ({mailings / seconds:,.0f} mailings/s, {seconds:.1f} s)"
    )
    print(f"  ratio import/raw          : {raw_seconds / seconds:10.2f}")


if __name__ == "__main__":
    main()
