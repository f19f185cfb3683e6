"""R2: 8 processes logging through the service at once lose nothing and never fail.

On SQLite (a file, WAL, ``BEGIN IMMEDIATE``, busy timeout) and, when
``TEST_DATABASE_URL`` is set, on PostgreSQL. Bounded: ``LETTERTRAIL_R2_SECONDS``
(default 6) of logging per process; QUALITY.md's full figure is 30.
"""

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

import pytest
from sqlalchemy import func
from sqlmodel import select

from models import Batch
from models import Mailing
from tests.reliability.writers import log_for

PROCESSES = 8
SECONDS = float(os.environ.get("LETTERTRAIL_R2_SECONDS", "6"))


@pytest.mark.slow
def test_eight_writer_processes_every_acknowledged_mailing_is_stored(
    database_url, engine, world, fresh
):
    # spawn, not fork: the test process may hold threads and open connections.
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 5  # every process starts logging at the same moment
    with ProcessPoolExecutor(PROCESSES, mp_context=context) as pool:
        futures = [
            pool.submit(log_for, database_url, world["staff"].id, n, start_at, SECONDS)
            for n in range(PROCESSES)
        ]
        results = [f.result(timeout=SECONDS + 60) for f in futures]

    errors = [e for r in results for e in r["errors"]]
    assert not [e for e in errors if "locked" in e], errors[:5]
    assert errors == []
    acknowledged = sum(r["acknowledged"] for r in results)
    # Every process got a real share of the writing.
    assert all(r["batches"] >= 5 for r in results), [r["batches"] for r in results]
    with fresh() as s:
        rows = s.exec(select(func.count()).select_from(Mailing)).one()
        batches = s.exec(select(func.count()).select_from(Batch)).one()
    assert rows == acknowledged
    assert batches == sum(r["batches"] for r in results)
    print(f"R2: {PROCESSES} processes x {SECONDS:g} s: {batches} batches, {rows} mailings")
