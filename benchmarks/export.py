"""Benchmark P5: export 1,000,000 mailings to CSV through the reports service (SQLite),
beside a raw ``sqlite3`` cursor → ``csv.writer`` of the same query in the same run, and
the same export through ``/reports/mailings.csv`` (time to first byte, peak memory).

    python benchmarks/export.py [--mailings 1000000]

Each part runs in a process of its own so that its peak resident memory is its own.
Targets: the service reaches at least half the raw rate; every part stays under 150 MB.
"""

import argparse
import csv
import datetime as dt
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERY = """
SELECT m.id, m.code, c.slug, r.key, r.role, r.name, m.channel, m.kind, m.sender_town,
       m.sender_country, m.sent_on, m.status, ch.slug, ch.name, m.postage_minor,
       m.postage_currency
FROM mailing m
JOIN campaign c ON c.id = m.campaign_id
JOIN recipient r ON r.id = m.recipient_id
LEFT JOIN chapter ch ON ch.id = m.chapter_id
ORDER BY m.id
"""
EMAIL = "bench@example.org"
PASSWORD = "benchmark-password"


def peak_mb() -> float:
    """Peak resident memory of this process. (ru_maxrss would carry over the parent's
    peak across fork and exec; VmHWM starts afresh with the new program.)
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(path: Path, total: int) -> None:
    """Create the schema, a campaign, chapters and a staff user, then *total* mailings."""
    from sqlmodel import Session

    import models
    from app.services import accounts
    from app.services.codes import new_code
    from app.services.database import make_engine
    from app.services.mailings.log import town_key
    from benchmarks import _seed

    engine = make_engine(f"sqlite:///{path}")
    models.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        _seed.campaign(s, recipients=(_seed.PRESIDENT, _seed.PRISONER))
        _seed.chapters(
            s,
            (
                ("hillside-4b", "Columbus", "US"),
                ("leeds", "Leeds", "GB"),
                ("toronto", "Toronto", "CA"),
            ),
        )
        accounts.create_user(session=s, email=EMAIL, password=PASSWORD, role="staff")
    engine.dispose()

    rng = random.Random(1)
    towns = [("Columbus", "US"), ("Leeds", "GB"), ("Toronto", "CA"), ("=Berlin", "DE")]
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" ")
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO batch (submission_id, request_digest, campaign_id, recipient_id,"
        " chapter_id, created_by_id, channel, count, sent_on, created_at)"
        " VALUES ('bench', '', 1, 1, 1, 1, 'letter', 1, '2025-12-10', ?)",
        (now,),
    )
    step = 50_000
    for start in range(0, total, step):
        rows = []
        for _ in range(min(step, total - start)):
            town, country = rng.choice(towns)
            priced = rng.random() < 0.7
            rows.append(
                (
                    new_code(),
                    rng.randint(1, 2),
                    rng.choice((1, 2, 3, None)),
                    rng.choice(("letter", "card", "drawing", "email")),
                    town,
                    town_key(town),
                    country,
                    (dt.date(2025, 11, 20) + dt.timedelta(days=rng.randint(0, 70))).isoformat(),
                    rng.choice(("logged", "posted")),
                    rng.choice((170, 250, 340)) if priced else None,
                    "USD" if priced else None,
                    now,
                )
            )
        conn.executemany(
            "INSERT INTO mailing (code, batch_id, campaign_id, recipient_id, chapter_id, channel,"
            " nonmachinable, sender_town, sender_town_key, sender_country, sent_on, status,"
            " postage_minor, postage_currency, created_at)"
            " VALUES (?, 1, 1, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    conn.execute("COMMIT")
    conn.close()


def rss_mb() -> float:
    """Resident memory of this process now."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def raw(path: Path, out: Path) -> dict:
    """The baseline: the same rows straight from a sqlite3 cursor into csv.writer."""
    conn = sqlite3.connect(path)
    start = time.perf_counter()
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        cursor = conn.execute(QUERY)
        count = 0
        while rows := cursor.fetchmany(5000):
            writer.writerows(rows)
            count += len(rows)
    elapsed = time.perf_counter() - start
    return {"rows": count, "seconds": elapsed, "peak_mb": peak_mb()}


def service(path: Path, out: Path) -> dict:
    """The reports service: export_rows → csv_chunks (escaping, names, amounts)."""
    from sqlmodel import Session

    from app.services.database import make_engine
    from app.services.reports import formats
    from app.services.reports import rows as report_rows
    from app.services.scope import MailingFilter
    from models import User

    engine = make_engine(f"sqlite:///{path}")
    staff = User(email="bench", role="staff", password_hash="", session_token="")
    start = time.perf_counter()
    count = 0
    with Session(engine) as session, out.open("wb") as handle:
        rows = report_rows.export_rows(session, user=staff, filters=MailingFilter())
        for chunk in formats.csv_chunks(rows):
            handle.write(chunk)
            count += chunk.count(b"\n")
    elapsed = time.perf_counter() - start
    return {"rows": count - 1, "seconds": elapsed, "peak_mb": peak_mb()}


def web(path: Path, out: Path) -> dict:
    """The download a person starts at /reports/mailings.csv, read as a client would."""
    from app import create_app

    app = create_app(
        {"DATABASE_URL": f"sqlite:///{path}", "WTF_CSRF_ENABLED": False, "SECRET_KEY": "x" * 40}
    )
    client = app.test_client()
    client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    client.get("/reports")  # a first request, as a person would have made
    # Signing in hashes a password with argon2id (64 MiB by design), which sets this
    # process's high-water mark; what the download adds is sampled as it runs.
    before = rss_mb()
    start = time.perf_counter()
    response = client.get("/reports/mailings.csv", buffered=False)
    iterator = iter(response.response)
    highest = before
    with out.open("wb") as handle:
        first = next(iterator)
        first_byte = time.perf_counter() - start
        handle.write(first)
        lines = first.count(b"\n")
        for chunk in iterator:
            handle.write(chunk)
            lines += chunk.count(b"\n")
            highest = max(highest, rss_mb())
    response.close()
    elapsed = time.perf_counter() - start
    return {
        "rows": lines - 1,
        "seconds": elapsed,
        "first_byte_ms": first_byte * 1000,
        "peak_mb": highest,
        "before_mb": before,
        "status": response.status_code,
    }


PARTS = {"raw": raw, "service": service, "web": web}


def run_part(part: str, db: Path, out: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--part", part, "--db", str(db), "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mailings", type=int, default=1_000_000)
    parser.add_argument("--part", choices=PARTS, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        print(json.dumps(PARTS[args.part](args.db, args.out)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "export.sqlite"
        start = time.perf_counter()
        build(db, args.mailings)
        print(f"built {args.mailings:,} mailings in {time.perf_counter() - start:.1f} s")
        results = {part: run_part(part, db, Path(tmp) / f"{part}.csv") for part in PARTS}
    base = results["raw"]
    print(f"P5 export of {args.mailings:,} mailings to CSV (SQLite {sqlite3.sqlite_version})")
    for part, label in (
        ("raw", "raw sqlite3 → csv.writer"),
        ("service", "reports.csv_chunks"),
        ("web", "GET /reports/mailings.csv"),
    ):
        r = results[part]
        rate = r["rows"] / r["seconds"]
        extra = (
            f"  first byte {r['first_byte_ms']:.0f} ms, {r['before_mb']:.0f} MB before"
            if "first_byte_ms" in r
            else ""
        )
        print(
            f"  {label:27}: {rate:11,.0f} rows/s  peak {r['peak_mb']:6.1f} MB"
            f"  ({r['rows']:,} rows){extra}"
        )
    ratio = (results["service"]["rows"] / results["service"]["seconds"]) / (
        base["rows"] / base["seconds"]
    )
    memory = max(results["service"]["peak_mb"], results["web"]["peak_mb"])
    verdict = "OK" if ratio >= 0.5 and memory < 150 else "BELOW TARGET"
    print(f"  ratio service/raw          : {ratio:11.2f}   (target >= 0.50, < 150 MB) {verdict}")


if __name__ == "__main__":
    main()
