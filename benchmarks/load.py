"""Benchmark P7: the running server under concurrent logging and counter reads.

Starts gunicorn on 127.0.0.1 with the app on a fresh SQLite file, drives it for a
bounded time with client threads that each log a single mailing through the JSON API
(``POST /api/v1/mailings``, bearer token, Idempotency-Key) and read the public counter
(``GET /counter/<slug>``) in turn; then does the same against a bare Flask app doing
one raw INSERT per POST and one COUNT per GET, under the same gunicorn settings, in
the same run. Prints requests/s, p50, p95 and errors of each, side by side.

    python benchmarks/load.py [--seconds 10] [--clients 8] [--threads 8]
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session  # noqa: E402

import models  # noqa: E402
from app.services import accounts  # noqa: E402
from app.services.database import make_engine  # noqa: E402
from benchmarks import _seed  # noqa: E402
from tests.reliability.server import Call  # noqa: E402
from tests.reliability.server import Load  # noqa: E402
from tests.reliability.server import Server  # noqa: E402
from tests.reliability.server import drive  # noqa: E402
from tests.reliability.server import log_call  # noqa: E402
from tests.reliability.server import p95_ms  # noqa: E402

SLUG = "bench-load"


def seed(url: str) -> str:
    """Create the tables, a campaign, a recipient and a staff account; return a token."""
    engine = make_engine(url)
    models.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        _seed.campaign(s, slug=SLUG, title="Load")
        user = accounts.create_user(
            session=s, email="load@example.org", password="benchmark-pass", role="staff"
        )
        token = accounts.issue_token(session=s, user=user, label="load benchmark")
    engine.dispose()
    return token


def report(label: str, result: Load) -> tuple[float, float]:
    every = [v for values in result.latencies.values() for v in values]
    total_rate = len(every) / result.elapsed
    print(f"\n{label}: {len(every)} requests in {result.elapsed:.1f} s = {total_rate:.0f} req/s")
    print(f"  {'request':<22}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
    for name, values in result.latencies.items():
        p50 = statistics.median(values) * 1000
        rate = len(values) / result.elapsed
        errors = result.errors.get(name, 0)
        print(f"  {name:<22}{rate:>8.0f}{p50:>9.1f}{p95_ms(values):>9.1f}{errors:>8}")
    return total_rate, p95_ms(every)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads (1 worker)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        app_url = f"sqlite:///{tmp / 'app.sqlite'}"
        token = seed(app_url)
        piece = {
            "campaign": SLUG,
            "recipient": "president",
            "channel": "letter",
            "sender_town": "Columbus",
            "sender_country": "US",
            "sent_on": "2026-11-01",
            "count": 1,
        }
        counter = Call("GET /counter/<slug>", "GET", f"/counter/{SLUG}")
        bare = [
            Call("POST /insert", "POST", "/insert", {"x": 1}, ok=201),
            Call("GET /count", "GET", "/count"),
        ]

        def app_script(_client: int) -> list[Call]:
            # Log one mailing (a new Idempotency-Key each round), then read the counter.
            return [log_call(token, piece), counter]

        def bare_script(_client: int) -> list[Call]:
            return bare

        runs = (
            ("Lettertrail", app_url, "app:create_app()", app_script),
            (
                "bare Flask, raw INSERT",
                f"sqlite:///{tmp / 'bare.sqlite'}",
                "benchmarks.bare_app:create_app()",
                bare_script,
            ),
        )
        print(
            f"P7: gunicorn 1 worker x {args.threads} threads on 127.0.0.1, SQLite file; "
            f"{args.clients} clients for {args.seconds:g} s each"
        )
        figures = []
        for label, url, spec, script in runs:
            server = Server(url, tmp / "instance", threads=args.threads, app_spec=spec).start()
            try:
                load = drive(server, script, clients=args.clients, seconds=args.seconds)
                figures.append(report(label, load))
            finally:
                server.stop()
        (app_rate, app_p95), (bare_rate, bare_p95) = figures
        print(
            f"\nLettertrail / bare: {app_rate / bare_rate:.2f} of the requests/s,"
            f" p95 {app_p95:.1f} ms vs {bare_p95:.1f} ms"
        )


if __name__ == "__main__":
    main()
