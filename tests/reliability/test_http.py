"""R3: 8 clients × 200 API posts against the running server: every 201 is stored, no 5xx.

gunicorn serves the app on 127.0.0.1 as the README deploys it: on SQLite (a file
under tmp_path, WAL) one worker with 8 threads, so one process owns the write queue;
on PostgreSQL (``TEST_DATABASE_URL``) 2 workers × 4 threads. Each client is the coordinator
of a chapter of its own, with its own token, logging batches of 1–3 mailings through
``POST /api/v1/mailings``, a new ``Idempotency-Key`` each time.

No rate limit applies to API posts (only to failed sign-ins, exports and PDF sheets),
so the server runs with its default configuration: a 429 here would be a finding.
``LETTERTRAIL_R3_POSTS`` (default 200, QUALITY.md's figure) sets the posts per client.
"""

import datetime as dt
import itertools
import os
from collections import Counter

import pytest
from sqlalchemy import func
from sqlmodel import select

from app.services import accounts
from app.services.totals import read as totals
from models import Batch
from models import Mailing
from tests.reliability.server import GUNICORN
from tests.reliability.server import Server
from tests.reliability.server import drive
from tests.reliability.server import log_call
from tests.reliability.server import p95_ms

CLIENTS = 8
POSTS = int(os.environ.get("LETTERTRAIL_R3_POSTS", "200"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed"),
]


@pytest.fixture
def chapters(make):
    """An active campaign with two recipients; one chapter, coordinator and token per client."""
    campaign = make.campaign()
    make.recipient(campaign)
    make.recipient(campaign, key="prisoner", role="solidarity", name="Azimjan Askarov")
    found = []
    for n in range(CLIENTS):
        chapter = make.chapter(name=f"Group {n}", slug=f"group-{n}", kind="group")
        user = make.user(f"coordinator-{n}@example.org", role="coordinator", chapter=chapter)
        with make.session() as s:
            token = accounts.issue_token(session=s, user=user, label=f"R3 client {n}")
        found.append((chapter, token))
    return campaign, found


def _body(client: int, number: int) -> dict:
    """The *number*-th batch of a client: recipients, channels, days and sizes vary."""
    return {
        "campaign": "azimjan-askarov",
        "recipient": ("president", "prisoner")[number % 2],
        "channel": ("letter", "postcard")[number // 2 % 2],
        "sender_town": f"Town {client}",
        "sender_country": ("US", "GB", "DE", "FR")[client % 4],
        "sent_on": (dt.date(2025, 12, 1) + dt.timedelta(days=number % 7)).isoformat(),
        "count": 1 + number % 3,
    }


def test_eight_clients_over_http_every_201_is_stored(
    database_url, engine, chapters, fresh, tmp_path
):
    campaign, clients = chapters
    # As the README deploys it. SQLite: one process owns the write queue. PostgreSQL:
    # several workers (2 per core of a 2-core CI machine; more would only boot slower).
    workers, threads = (1, CLIENTS) if engine.dialect.name == "sqlite" else (2, 4)
    numbers = [itertools.count() for _ in range(CLIENTS)]
    acknowledged = [0] * CLIENTS  # mailings in the 201 answers, per client
    batch_ids: list[int] = []
    refused: list[tuple] = []

    def script(n: int):
        return [log_call(clients[n][1], _body(n, next(numbers[n])))]

    def on_answer(n: int, _call, status, answer) -> None:
        if status == 201 and len(answer["mailings"]) == answer["count"]:
            acknowledged[n] += answer["count"]
            batch_ids.append(answer["batch"])
        else:  # an assert here would fail in the client's thread, not the test
            refused.append((n, status, answer))

    server = Server(database_url, tmp_path / "instance", workers=workers, threads=threads)
    server.start()
    try:
        load = drive(server, script, clients=CLIENTS, rounds=POSTS, on_answer=on_answer)
        status, body = server.request("GET", f"/api/v1/campaigns/{campaign.slug}/totals")
    finally:
        server.stop()
    log = server.log.read_text()

    statuses = load.statuses["POST /api/v1/mailings"]
    assert refused == [], f"{len(refused)} posts not 201: {statuses}; first {refused[:3]}"
    assert statuses == Counter({201: CLIENTS * POSTS})
    assert "database is locked" not in log
    assert "Traceback" not in log, log[-3000:]

    with fresh() as s:
        rows = s.exec(select(func.count()).select_from(Mailing)).one()
        batches = s.exec(select(func.count()).select_from(Batch)).one()
        per_chapter = dict(
            s.exec(select(Mailing.chapter_id, func.count()).group_by(Mailing.chapter_id)).all()
        )
        tallied = totals.summarize(s, campaign.id, top_chapters=CLIENTS)
        counted = totals.count_directly(s, campaign.id, top_chapters=CLIENTS)
    assert batches == len(set(batch_ids)) == statuses[201]
    assert rows == sum(acknowledged)
    assert per_chapter == {chapter.id: acknowledged[n] for n, (chapter, _) in enumerate(clients)}
    # The tallies, written by concurrent upserts, agree with the rows in every breakdown.
    assert tallied == counted
    assert status == 200 and body["total"] == rows

    print(
        f"R3 ({engine.dialect.name}, gunicorn {workers}x{threads}): {CLIENTS} clients x {POSTS}"
        f" posts: {statuses[201]} 201s, {rows} rows in {batches} batches,"
        f" p95 {p95_ms(load.latencies['POST /api/v1/mailings']):.0f} ms,"
        f" {load.elapsed:.1f} s"
    )
