"""Benchmark P4: the dashboard, the counter and the totals API over 5,000,000 mailings,
each beside the raw GROUP BY queries over the mailing table that compute the same
numbers, in the same run.

    python benchmarks/dashboard.py [--mailings 5000000] [--database URL] [--reuse]
                                   [--requests 20] [--baseline-runs 3]

Filling: batches and mailings go in through a raw bulk path (``executemany`` on
SQLite, ``COPY`` on PostgreSQL), then ``tallies.rebuild()`` counts the tallies with
``INSERT … SELECT … GROUP BY`` — the statement the migration uses, which the test
suite holds equal to what ``log_mailings`` and ``change_status`` keep up one batch at
a time. A few batches are then logged, posted and voided through the real services
on top. The data: one campaign with 95% of the mail (a second one beside it),
10,000 chapters in 120 countries, about 4,000 towns typed several ways, 73 days,
batches of 1 to 500, 60% posted, 37% logged and 3% void, postage in five currencies.

Timed: the median of ``--requests`` requests through the Flask test client, and the
median of ``--baseline-runs`` runs of ``totals.count_directly`` (the same numbers,
grouped from the mailing table). The totals are checked equal before timing.
``--reuse`` keeps a filled database (``--database``) for the next run; ``--recount``
recreates its tallies from the mailings already there.

Target: each page under 100 ms median, with exact totals.
"""

import argparse
import datetime as dt
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session  # noqa: E402

import models  # noqa: E402
from app import create_app  # noqa: E402
from app.services import accounts  # noqa: E402
from app.services.database import make_engine  # noqa: E402
from app.services.mailings import log as mailing_log  # noqa: E402
from app.services.mailings import status as mailing_status  # noqa: E402
from app.services.mailings.log import town_key  # noqa: E402
from app.services.totals import read as totals  # noqa: E402
from app.services.totals import tallies  # noqa: E402
from benchmarks import _seed  # noqa: E402

START = dt.date(2025, 11, 20)
DAYS = 73
TODAY = dt.date(2026, 1, 31)
PASSWORD = "benchmark-password"
CHAPTERS = 10_000
COUNTRIES = 120
TOWNS_PER_COUNTRY = 34  # about 4,000 towns
CURRENCIES = {"US": "USD", "GB": "GBP", "CA": "CAD", "AU": "AUD"}  # others pay in EUR
PRICE = {"USD": 170, "GBP": 250, "CAD": 275, "AUD": 330, "EUR": 190}
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MAILING_COLUMNS = (
    "code",
    "batch_id",
    "campaign_id",
    "recipient_id",
    "chapter_id",
    "channel",
    "kind",
    "weight_mg",
    "nonmachinable",
    "sender_town",
    "sender_town_key",
    "sender_country",
    "sent_on",
    "status",
    "postage_minor",
    "postage_currency",
    "created_at",
)
BATCH_COLUMNS = (
    "submission_id",
    "request_digest",
    "campaign_id",
    "recipient_id",
    "chapter_id",
    "created_by_id",
    "channel",
    "count",
    "sent_on",
    "created_at",
)


def code_for(n: int) -> str:
    """A unique 10-character Crockford code for row *n* (random codes are not needed)."""
    out = []
    for _ in range(10):
        n, digit = divmod(n, 32)
        out.append(CROCKFORD[digit])
    return "".join(reversed(out))


# --- the data ------------------------------------------------------------------------


def seed(engine) -> dict:
    """Create the campaigns, recipients, chapters and a staff user through the services."""
    from app.services.countries import all_codes

    rng = random.Random(5)
    codes = sorted(all_codes() - {"AQ"})
    rng.shuffle(codes)
    countries = [
        "US",
        "GB",
        "DE",
        "FR",
        "CA",
        "AU",
        *[c for c in codes if c not in {"US", "GB", "DE", "FR", "CA", "AU"}],
    ][:COUNTRIES]
    towns = {
        c: [
            f"{c.title()}town {chr(65 + i // 26)}{chr(97 + i % 26)}"
            for i in range(TOWNS_PER_COUNTRY)
        ]
        for c in countries
    }
    towns["CH"] = ["Zürich", *towns.get("CH", [])[1:]]
    with Session(engine, expire_on_commit=False) as s:
        three = (_seed.PRESIDENT, _seed.PRISONER, ("embassy", "copy", "Embassy of Kyrgyzstan"))
        main, main_ids = _seed.campaign(s, recipients=three, goal=5_000_000, counter_threshold=10)
        other, other_ids = _seed.campaign(
            s, slug="other-case", title="Other case", recipients=three
        )
        recipients = {(main.id, k): i for k, i in main_ids.items()}
        recipients |= {(other.id, k): i for k, i in other_ids.items()}
        user = accounts.create_user(
            session=s, email="bench@example.org", password=PASSWORD, role="staff"
        )
        campaign_ids = (main.id, other.id)
    # Chapters in bulk: 10,000 rows through the service would take minutes.
    chapter_rows = []
    weights = [1 / (1 + i) ** 0.9 for i in range(len(countries))]
    for i in range(CHAPTERS):
        country = rng.choices(countries, weights)[0]
        chapter_rows.append(
            {
                "name": f"Chapter {i:05d}",
                "slug": f"chapter-{i:05d}",
                "kind": rng.choice(["class", "class", "school", "group"]),
                "town": rng.choice(towns[country]),
                "country": country,
                "goal": None,
                "public_counter": i == 0,
                "created_at": dt.datetime.now(dt.UTC),
            }
        )
    with engine.begin() as conn:
        conn.execute(models.Chapter.__table__.insert(), chapter_rows)
        ids = conn.execute(select(models.Chapter.id).order_by(models.Chapter.id)).scalars().all()
    chapters = [(i, r["town"], r["country"]) for i, r in zip(ids, chapter_rows, strict=True)]
    return {
        "campaigns": campaign_ids,
        "recipients": recipients,
        "chapters": chapters,
        "countries": countries,
        "towns": towns,
        "weights": weights,
        "user_id": user.id,
    }


def spelled(rng: random.Random, town: str) -> str:
    """Type a town the ways people do."""
    roll = rng.random()
    if roll < 0.05:
        return town.lower()
    if roll < 0.08:
        return town.upper()
    if roll < 0.10:
        return f"  {town} "
    return town


def batches(world: dict, total: int, rng: random.Random):
    """Yield ``(batch row, count, common mailing fields)`` until *total* mailings."""
    main, other = world["campaigns"]
    chapters = world["chapters"]
    chapter_weights = [1 / (1 + i) ** 0.7 for i in range(len(chapters))]
    made = 0
    n = 0
    mixes = (  # (recipient, channel, weight)
        ("president", "letter", 45),
        ("president", "email", 8),
        ("president", "fax", 2),
        ("prisoner", "card", 20),
        ("prisoner", "drawing", 12),
        ("prisoner", "postcard", 8),
        ("embassy", "letter", 5),
    )
    picks = [(r, c) for r, c, _w in mixes]
    pick_weights = [w for _r, _c, w in mixes]
    chosen_chapters = rng.choices(chapters, chapter_weights, k=total // 10 + 1000)
    while made < total:
        campaign = main if rng.random() < 0.95 else other
        if rng.random() < 0.8:
            chapter_id, town, country = chosen_chapters[n % len(chosen_chapters)]
        else:
            chapter_id = None
            country = rng.choices(world["countries"], world["weights"])[0]
            town = rng.choice(world["towns"][country])
        recipient, channel = rng.choices(picks, pick_weights)[0]
        day = START + dt.timedelta(days=min(DAYS - 1, int(rng.triangular(0, DAYS, 20))))
        roll = rng.random()
        count = (
            rng.randint(1, 10)
            if roll < 0.7
            else rng.randint(11, 40)
            if roll < 0.95
            else rng.randint(41, 500)
        )
        count = min(count, total - made)
        status = rng.choices(["posted", "logged", "void"], [60, 37, 3])[0]
        is_post = channel not in ("email", "fax")
        currency = CURRENCIES.get(country, "EUR") if is_post else None
        typed = " ".join(spelled(rng, town).split())
        n += 1
        batch = {
            "submission_id": f"bulk-{n}",
            "request_digest": "0" * 64,
            "campaign_id": campaign,
            "recipient_id": world["recipients"][(campaign, recipient)],
            "chapter_id": chapter_id,
            "created_by_id": world["user_id"],
            "channel": channel,
            "count": count,
            "sent_on": day,
        }
        common = {
            "campaign_id": campaign,
            "recipient_id": batch["recipient_id"],
            "chapter_id": chapter_id,
            "channel": channel,
            "kind": "letter" if is_post else None,
            "weight_mg": 20_000 if is_post else None,
            "nonmachinable": False,
            "sender_town": typed,
            "sender_town_key": town_key(typed),
            "sender_country": country,
            "sent_on": day,
            "status": status,
            "postage_minor": PRICE[currency] if currency else None,
            "postage_currency": currency,
        }
        made += count
        yield batch, count, common


def fill(engine, url: str, total: int) -> dict:
    """Seed through the services, then load *total* mailings through the bulk path."""
    world = seed(engine)
    rng = random.Random(20251210)
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    chunk_batches, chunk_mailings = [], []
    next_batch, next_mailing = 1, 0
    with engine.connect() as conn:
        next_batch = (conn.execute(select(func.max(models.Batch.id))).scalar() or 0) + 1
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            # Loading only: a 1 GiB page cache keeps the indexes in memory while they grow.
            cursor.execute("PRAGMA cache_size=-1048576")
        for batch, count, common in batches(world, total, rng):
            chunk_batches.append(tuple(batch[c] for c in BATCH_COLUMNS[:-1]) + (now,))
            row = tuple(common.get(c) for c in MAILING_COLUMNS[3:-1])
            for _ in range(count):
                chunk_mailings.append(
                    (code_for(next_mailing), next_batch, common["campaign_id"], *row, now)
                )
                next_mailing += 1
            next_batch += 1
            if len(chunk_mailings) >= 200_000:
                _write(cursor, engine, chunk_batches, chunk_mailings)
                raw.commit()
                chunk_batches, chunk_mailings = [], []
                print(f"  {next_mailing:,} mailings loaded", end="\r", flush=True)
        _write(cursor, engine, chunk_batches, chunk_mailings)
        raw.commit()
    finally:
        raw.close()
    loaded = time.perf_counter() - started
    print(f"  {next_mailing:,} mailings loaded in {loaded:.0f} s (bulk path)")
    started = time.perf_counter()
    with Session(engine) as session:
        tallies.rebuild(session)
    print(f"  tallies counted in {time.perf_counter() - started:.0f} s (tallies.rebuild)")
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return world


def _plain(value):
    """Write a date or an aware UTC time the way the app stores it in SQLite."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _write(cursor, engine, batch_rows, mailing_rows) -> None:
    if engine.dialect.name == "sqlite":
        for table, columns, rows in (
            ("batch", BATCH_COLUMNS, batch_rows),
            ("mailing", MAILING_COLUMNS, mailing_rows),
        ):
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)})"  # noqa: S608 - our table names
                f" VALUES ({', '.join('?' * len(columns))})",
                [tuple(_plain(v) for v in row) for row in rows],
            )
        return
    for table, columns, rows in (
        ("batch", BATCH_COLUMNS, batch_rows),
        ("mailing", MAILING_COLUMNS, mailing_rows),
    ):
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def through_the_services(engine) -> None:
    """Log, post and void a few batches the ordinary way, on top of the bulk load."""
    with Session(engine, expire_on_commit=False) as s:
        user = (
            s.exec(select(models.User).where(models.User.email == "bench@example.org"))
            .scalars()
            .one()
        )
        for n in range(20):
            logged = mailing_log.log_mailings(
                session=s,
                data=mailing_log.parse_batch(
                    {
                        "campaign": "azimjan-askarov",
                        "recipient": "president" if n % 2 else "prisoner",
                        "channel": "letter" if n % 2 else "card",
                        "sender_town": "Zürich" if n % 3 else "zurich",
                        "sender_country": "CH",
                        "sent_on": START + dt.timedelta(days=n),
                        "count": 10 + n,
                        "chapter": "chapter-00000",
                    },
                    today=TODAY,
                ),
                user=user,
                submission_id=f"bench-service-{os.getpid()}-{n}",
                today=TODAY,
            )
            rows = (
                s.exec(select(models.Mailing).where(models.Mailing.batch_id == logged.batch.id))
                .scalars()
                .all()
            )
            action = ("posted", "void", "posted")[n % 3]
            mailing_status.change_status(
                session=s, mailings=list(rows)[: 5 + n], action=action, user=user
            )
            if n % 4 == 0:
                mailing_status.change_status(
                    session=s, mailings=list(rows)[:3], action="undo", user=user
                )


# --- timing --------------------------------------------------------------------------


def median_ms(call, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mailings", type=int, default=5_000_000)
    parser.add_argument("--database", help="a database URL (default: a temporary SQLite file)")
    parser.add_argument("--reuse", action="store_true", help="keep and reuse a filled database")
    parser.add_argument(
        "--recount", action="store_true", help="with --reuse: recreate and recount the tallies"
    )
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--baseline-runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'dashboard.sqlite'}"
        engine = make_engine(url)
        with engine.connect() as conn:
            has_tables = engine.dialect.has_table(conn, "mailing")
            existing = (
                conn.execute(text("SELECT count(*) FROM mailing")).scalar() if has_tables else 0
            )
        if not (args.reuse and existing >= args.mailings):
            print(f"Filling {args.mailings:,} mailings on {engine.dialect.name} …")
            if engine.dialect.name == "postgresql":
                with engine.begin() as conn:
                    conn.execute(text("DROP SCHEMA public CASCADE"))
                    conn.execute(text("CREATE SCHEMA public"))
            elif has_tables:
                models.metadata.drop_all(engine)
            models.metadata.create_all(engine)
            fill(engine, url, args.mailings)
            through_the_services(engine)
        else:
            print(f"Reusing {existing:,} mailings on {engine.dialect.name}")
            if args.recount:
                tallies = [
                    models.metadata.tables[t.__tablename__]
                    for t in (
                        models.MailingTally,
                        models.DayTally,
                        models.PlaceTally,
                        models.ChapterTally,
                    )
                ]
                models.metadata.drop_all(engine, tables=tallies)
                models.metadata.create_all(engine, tables=tallies)
                started = time.perf_counter()
                with Session(engine) as session:
                    tallies.rebuild(session)
                print(f"  tallies recounted in {time.perf_counter() - started:.0f} s")
                with engine.begin() as conn:
                    conn.execute(text("ANALYZE"))
        report(engine, url, args)
        engine.dispose()


def report(engine, url: str, args) -> None:
    os.environ.setdefault("LETTERTRAIL_INSTANCE_PATH", tempfile.mkdtemp())
    app = create_app(
        {"DATABASE_URL": url, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "benchmark-" * 4}
    )
    with Session(engine) as s:
        campaign = (
            s.exec(select(models.Campaign).where(models.Campaign.slug == "azimjan-askarov"))
            .scalars()
            .one()
        )
        chapter = (
            s.exec(select(models.Chapter).where(models.Chapter.slug == "chapter-00000"))
            .scalars()
            .one()
        )
        count = s.exec(select(func.count()).select_from(models.Mailing)).scalar()
        tally_rows = {
            t.__tablename__: s.exec(select(func.count()).select_from(t)).scalar()
            for t in (models.MailingTally, models.DayTally, models.PlaceTally, models.ChapterTally)
        }

    staff = app.test_client()
    answer = staff.post("/login", data={"email": "bench@example.org", "password": PASSWORD})
    assert answer.status_code in (302, 303), answer.status_code
    public = app.test_client()

    def get(client, path):
        def call():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

        return call

    filtered = totals.Filters(
        channel="letter", since=dt.date(2025, 12, 1), until=dt.date(2025, 12, 15)
    )
    chapter_only = totals.Filters(chapter_id=chapter.id)

    def direct(filters=None, top=10, towns=25):
        """The same numbers as a page, grouped from the mailing table."""

        def call():
            with Session(engine) as s:
                return totals.count_directly(
                    s, campaign.id, filters or totals.Filters(), towns=towns, top_chapters=top
                )

        return call

    def country_groups():
        with Session(engine) as s:
            rows = s.exec(
                select(models.Mailing.sender_country, func.count())
                .where(models.Mailing.campaign_id == campaign.id, models.Mailing.status != "void")
                .group_by(models.Mailing.sender_country)
            ).all()
        return sum(n for _c, n in rows), len(rows)

    print(
        f"Checking the totals are exact ({count:,} mailings; tallies: "
        + ", ".join(f"{k} {v:,} rows" for k, v in tally_rows.items())
        + ") …"
    )
    with Session(engine) as s:
        for filters, top in ((totals.Filters(), 10), (filtered, 10), (chapter_only, 0)):
            tallied = totals.summarize(s, campaign.id, filters, top_chapters=top)
            counted = totals.count_directly(s, campaign.id, filters, top_chapters=top)
            assert tallied == counted, f"totals differ for {filters}"
        tallied = totals.summarize(s, campaign.id, towns=25, top_chapters=10)
        assert tallied == totals.count_directly(s, campaign.id, towns=25, top_chapters=10)
    body = get(public, "/api/v1/campaigns/azimjan-askarov/totals")().get_json()
    total, countries = country_groups()
    assert body["total"] == total and body["countries"] == countries
    print(f"  exact: campaign total {total:,} from {countries} countries, equal to COUNT(*)")

    pages = [
        ("dashboard (staff, whole campaign)", get(staff, "/dashboard/azimjan-askarov"), direct()),
        (
            "dashboard (letters, 1–15 Dec)",
            get(
                staff, "/dashboard/azimjan-askarov?channel=letter&since=2025-12-01&until=2025-12-15"
            ),
            direct(filtered),
        ),
        (
            "dashboard (one chapter)",
            get(staff, "/dashboard/azimjan-askarov?chapter=chapter-00000"),
            direct(chapter_only, 0),
        ),
        ("counter", get(public, "/counter/azimjan-askarov"), country_groups),
        (
            "counter (chapter)",
            get(public, "/counter/azimjan-askarov/chapter-00000"),
            direct(chapter_only, 0, towns=0),
        ),
        (
            "totals API",
            get(public, "/api/v1/campaigns/azimjan-askarov/totals"),
            direct(top=0, towns=0),
        ),
    ]
    version = (
        sqlite3.sqlite_version
        if engine.dialect.name == "sqlite"
        else engine.dialect.server_version_info
    )
    print(
        f"P4 dashboard over {count:,} mailings ({engine.dialect.name} {version}); "
        f"medians of {args.requests} requests and {args.baseline_runs} baseline runs"
    )
    print(f"  {'page':36} {'request':>10} {'raw GROUP BY':>14} {'ratio':>8}  target")
    worst = 0.0
    for name, request_call, baseline_call in pages:
        request_call()  # warm up
        requested = median_ms(request_call, args.requests)
        baseline = median_ms(baseline_call, args.baseline_runs)
        worst = max(worst, requested)
        verdict = "OK" if requested < 100 else "OVER 100 ms"
        ratio = baseline / requested
        print(f"  {name:36} {requested:8.1f} ms {baseline:11.1f} ms {ratio:7.0f}x  {verdict}")
    print(f"  slowest page median: {worst:.1f} ms (target < 100 ms)")


if __name__ == "__main__":
    main()
