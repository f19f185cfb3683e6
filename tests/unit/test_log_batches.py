"""log_batches: many batches checked together and written all or none (no Flask)."""

import datetime as dt

import pytest
from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import select

from app.services.mailings import log as mailing_log
from models import Batch
from models import Mailing
from tests.conftest import BATCH

TODAY = dt.date(2026, 1, 31)


def item(submission_id, **overrides):
    raw = BATCH | {"count": 2} | overrides
    return submission_id, mailing_log.parse_batch(raw, today=TODAY)


def run(engine, user, items, dry_run=False):
    with Session(engine, expire_on_commit=False) as session:
        return mailing_log.log_batches(
            session=session, items=items, user=user, today=TODAY, dry_run=dry_run
        )


def count(engine, model):
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_every_batch_is_written_in_one_go(engine, world):
    items = [item("i:1"), item("i:2", count=5, recipient="prisoner", channel="card")]
    result = run(engine, world["staff"], items)
    assert result == mailing_log.LoggedBatches(created=2, mailings=7, repeated=0)
    assert count(engine, Batch) == 2 and count(engine, Mailing) == 7


def test_one_bad_batch_writes_nothing_and_every_problem_is_named(engine, world):
    items = [item("i:1"), item("i:2", campaign="nobody"), item("i:3", sent_on="2025-01-01")]
    with pytest.raises(mailing_log.BatchesFailed) as excinfo:
        run(engine, world["staff"], items)
    failures = {index: {e.field for e in f.errors} for index, f in excinfo.value.failures}
    assert failures == {1: {"campaign"}, 2: {"sent_on"}}
    assert count(engine, Batch) == 0 and count(engine, Mailing) == 0


def test_a_dry_run_checks_but_writes_nothing(engine, world):
    result = run(engine, world["staff"], [item("i:1"), item("i:2")], dry_run=True)
    assert (result.created, result.mailings) == (2, 4)
    assert count(engine, Mailing) == 0


def test_running_the_same_items_again_adds_nothing(engine, world):
    run(engine, world["staff"], [item("i:1")])
    again = run(engine, world["staff"], [item("i:1"), item("i:2")])
    assert (again.created, again.repeated) == (1, 1)
    assert count(engine, Batch) == 2 and count(engine, Mailing) == 4


def test_a_submission_id_reused_with_other_values_is_refused(engine, world):
    run(engine, world["staff"], [item("i:1")])
    with pytest.raises(mailing_log.BatchesFailed) as excinfo:
        run(engine, world["staff"], [item("i:1", count=9)])
    assert [index for index, _ in excinfo.value.failures] == [0]


def test_coordinators_log_only_for_their_chapter(engine, world):
    with pytest.raises(mailing_log.BatchesFailed) as excinfo:
        run(engine, world["coordinator"], [item("i:1"), item("i:2", chapter="leeds")])
    assert [index for index, _ in excinfo.value.failures] == [1]
    run(engine, world["coordinator"], [item("i:1")])
    with Session(engine) as session:
        assert {b.chapter_id for b in session.exec(select(Batch))} == {world["class_4b"].id}


def test_a_submission_id_twice_in_one_call_is_a_programming_error(engine, world):
    with pytest.raises(ValueError):
        run(engine, world["staff"], [item("i:1"), item("i:1")])
