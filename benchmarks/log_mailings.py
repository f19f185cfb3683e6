"""Benchmark P1: log 100,000 mailings in batches of 30 through ``log_mailings`` (SQLite),
beside a raw ``sqlite3`` ``executemany`` of the same rows into the same tables, one
transaction per batch as well, in the same run.

    python benchmarks/log_mailings.py [--mailings 100000] [--batch 30]

Target: log_mailings reaches at least 1/3 of the raw rate.
"""

import argparse
import datetime as dt
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session  # noqa: E402

import models  # noqa: E402
from app.services import accounts  # noqa: E402
from app.services.codes import new_code  # noqa: E402
from app.services.database import make_engine  # noqa: E402
from app.services.mailings import log as mailing_log  # noqa: E402
from app.services.mailings.log import town_key  # noqa: E402
from benchmarks import _seed  # noqa: E402

TODAY = dt.date(2026, 1, 31)


def seed(engine):
    with Session(engine, expire_on_commit=False) as s:
        _seed.campaign(s, slug="bench", title="Bench")
        _seed.chapters(s, (("c", "Columbus", "US"),))
        return accounts.create_user(
            session=s,
            email="b@example.org",
            password="benchmark-pass",
            role="coordinator",
            chapter_slug="c",
        )


def through_service(path: Path, total: int, size: int) -> float:
    engine = make_engine(f"sqlite:///{path}")
    models.metadata.create_all(engine)
    user = seed(engine)
    raw = {
        "campaign": "bench",
        "recipient": "president",
        "channel": "letter",
        "sender_town": "Columbus",
        "sender_country": "US",
        "sent_on": "2025-12-10",
        "count": size,
    }
    start = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        for n in range(total // size):
            mailing_log.log_mailings(
                session=session,
                data=mailing_log.parse_batch(raw, today=TODAY),
                user=user,
                submission_id=f"bench-{n}",
                today=TODAY,
            )
    elapsed = time.perf_counter() - start
    engine.dispose()
    return (total // size) * size / elapsed


def raw_executemany(path: Path, total: int, size: int) -> float:
    engine = make_engine(f"sqlite:///{path}")
    models.metadata.create_all(engine)
    seed(engine)
    engine.dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    sent_on = dt.date(2025, 12, 10).isoformat()
    start = time.perf_counter()
    for n in range(total // size):
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" ")
        conn.execute("BEGIN IMMEDIATE")
        cur = conn.execute(
            "INSERT INTO batch (submission_id, request_digest, campaign_id, recipient_id,"
            " chapter_id, created_by_id, channel, count, sent_on, created_at)"
            " VALUES (?, ?, 1, 1, 1, 1, 'letter', ?, ?, ?)",
            (f"raw-{n}", "0" * 64, size, sent_on, now),
        )
        batch_id = cur.lastrowid
        conn.executemany(
            "INSERT INTO mailing (code, batch_id, campaign_id, recipient_id, chapter_id, channel,"
            " nonmachinable, sender_town, sender_town_key, sender_country, sent_on, status,"
            " created_at) VALUES (?, ?, 1, 1, 1, 'letter', 0, 'Columbus', ?, 'US', ?, 'logged', ?)",
            [(new_code(), batch_id, town_key("Columbus"), sent_on, now) for _ in range(size)],
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return (total // size) * size / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mailings", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw_rate = raw_executemany(Path(tmp) / "raw.sqlite", args.mailings, args.batch)
        service_rate = through_service(Path(tmp) / "service.sqlite", args.mailings, args.batch)
    ratio = service_rate / raw_rate
    version = sqlite3.sqlite_version
    print(f"P1 logging {args.mailings:,} mailings in batches of {args.batch} (SQLite {version})")
    print(f"  raw sqlite3 executemany : {raw_rate:12,.0f} mailings/s  (baseline)")
    print(f"  log_mailings            : {service_rate:12,.0f} mailings/s")
    verdict = "OK" if ratio >= 1 / 3 else "BELOW TARGET"
    print(f"  ratio                   : {ratio:12.2f}   (target >= 0.33) {verdict}")


if __name__ == "__main__":
    main()
