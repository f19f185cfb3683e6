"""R5: ``flask backup DEST`` makes a consistent copy while mailings are being logged."""

import datetime as dt
import sqlite3
import threading

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app import create_app
from app import db as app_db
from app.services import backup
from app.services.database import make_engine
from app.services.mailings import log as mailing_log
from app.services.totals import read as totals
from app.services.totals import tallies
from tests.conftest import TEST_DATABASE_URL

sqlite_only = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="backs up SQLite files")


def _writer(engine, user, stop: threading.Event, acknowledged: list, failures: list):
    """Log batches of 3 through the service until *stop*; record each acknowledged one."""
    number = 0
    try:
        with Session(engine, expire_on_commit=False) as session:
            while not stop.is_set():
                number += 1
                data = mailing_log.parse_batch(
                    {
                        "campaign": "azimjan-askarov",
                        "recipient": "president",
                        "channel": "letter",
                        "sender_town": f"Town {number % 7}",
                        "sender_country": "US",
                        "sent_on": dt.date(2025, 12, 1 + number % 28),
                        "count": 3,
                    }
                )
                mailing_log.log_mailings(
                    session=session,
                    data=data,
                    user=user,
                    submission_id=f"backup-{number}",
                    today=dt.date(2026, 1, 31),
                )
                acknowledged.append(number)
    except Exception as exc:  # reported by the test, not lost in the thread
        failures.append(exc)


def _wait_for(condition, seconds: float = 20.0) -> None:
    stopped = threading.Event()
    deadline = dt.datetime.now() + dt.timedelta(seconds=seconds)
    while not condition():
        assert dt.datetime.now() < deadline, "timed out"
        stopped.wait(0.01)


@sqlite_only
def test_backup_under_write_load_is_consistent_and_shows_the_same_totals(
    app, engine, runner, world, tmp_path
):
    stop, acknowledged, failures = threading.Event(), [], []
    writer = threading.Thread(
        target=_writer, args=(engine, world["staff"], stop, acknowledged, failures), daemon=True
    )
    writer.start()
    copies = []
    try:
        _wait_for(lambda: len(acknowledged) >= 20)
        for n in range(3):
            before = len(acknowledged)
            dest = tmp_path / f"copy-{n}.sqlite"
            result = runner.invoke(args=["backup", str(dest)])
            assert result.exit_code == 0, result.output
            assert "integrity ok" in result.output
            copies.append(dest)
            # The writer kept going while (and after) the copy was made.
            _wait_for(lambda before=before: len(acknowledged) > before + 5)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert not writer.is_alive()
    assert not failures, failures

    for dest in copies:
        assert backup.integrity(dest) == ["ok"]
        copy_url = f"sqlite:///{dest}"
        with make_engine(copy_url).connect() as conn:
            direct = conn.execute(
                text("SELECT count(*) FROM mailing WHERE status != 'void'")
            ).scalar_one()
            batches = conn.execute(text("SELECT count(*) FROM batch")).scalar_one()
        assert direct == 3 * batches > 0
        started = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": copy_url,
                "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            }
        )
        try:
            body = started.test_client().get("/api/v1/campaigns/azimjan-askarov/totals").get_json()
            assert body["total"] == direct
            with app_db.new_session(started) as session:
                campaign_id = world["campaign"].id
                assert tallies.differences(session, campaign_id) == []
                assert totals.count_directly(session, campaign_id).total == direct
        finally:
            app_db.get_engine(started).dispose()
    # The last copy was taken before the writer stopped: it holds fewer rows than the end.
    with engine.connect() as conn:
        final = conn.execute(text("SELECT count(*) FROM mailing")).scalar_one()
    assert final == 3 * len(acknowledged)
    assert sqlite3.connect(copies[-1]).execute("SELECT count(*) FROM mailing").fetchone()[0] < final


@sqlite_only
def test_backup_refuses_to_overwrite_without_force(app, runner, world, tmp_path):
    dest = tmp_path / "copy.sqlite"
    dest.write_bytes(b"keep me")
    refused = runner.invoke(args=["backup", str(dest)])
    assert refused.exit_code != 0
    assert "exists already" in refused.output and "--force" in refused.output
    assert dest.read_bytes() == b"keep me"
    forced = runner.invoke(args=["backup", "--force", str(dest)])
    assert forced.exit_code == 0, forced.output
    assert backup.integrity(dest) == ["ok"]
    assert not list(tmp_path.glob(".copy.sqlite.*"))  # no temporary file left behind


@sqlite_only
def test_backup_copy_is_one_file(app, runner, world, tmp_path):
    dest = tmp_path / "copy.sqlite"
    assert runner.invoke(args=["backup", str(dest)]).exit_code == 0
    connection = sqlite3.connect(dest)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        connection.close()


def test_backup_points_to_pg_dump_on_postgresql(runner, app, tmp_path):
    app.config["DATABASE_URL"] = "postgresql+psycopg://someone@127.0.0.1/lettertrail"
    result = runner.invoke(args=["backup", str(tmp_path / "copy")])
    assert result.exit_code != 0
    assert "pg_dump" in result.output
    assert not (tmp_path / "copy").exists()
