"""``flask purge --older-than AGE``: old mailings go, every total shown stays the same."""

import datetime as dt

import pytest
from sqlalchemy import func
from sqlalchemy import update
from sqlmodel import select

from app.services import retention
from app.services.errors import ValidationFailed
from app.services.mailings import status as mailing_status
from app.services.totals import read as totals
from app.services.totals import tallies
from models import Batch
from models import DayTally
from models import Mailing
from models import MailingEvent
from models import PurgedTally
from tests.web.test_counter import open_counter

API = "/api/v1/campaigns/azimjan-askarov/totals"
PUBLIC = [
    API,
    API + "?chapter=class-4b",
    "/counter/azimjan-askarov",
    "/counter/azimjan-askarov/class-4b",
]


@pytest.mark.parametrize(
    ("age", "today", "first_kept"),
    [
        ("24m", dt.date(2026, 3, 31), dt.date(2024, 3, 31)),
        ("1m", dt.date(2026, 3, 31), dt.date(2026, 2, 28)),
        ("12M", dt.date(2024, 2, 29), dt.date(2023, 2, 28)),
        ("365d", dt.date(2026, 1, 1), dt.date(2025, 1, 1)),
        (" 30d ", dt.date(2026, 3, 1), dt.date(2026, 1, 30)),
    ],
)
def test_cutoff_counts_back_months_or_days(age, today, first_kept):
    assert retention.cutoff(age, today) == first_kept


@pytest.mark.parametrize("age", ["", "24", "0m", "-3m", "2y", "m", "1.5m", "24 months"])
def test_cutoff_refuses_anything_else(age):
    with pytest.raises(ValidationFailed):
        retention.cutoff(age, dt.date(2026, 1, 1))


def _counts(fresh):
    with fresh() as s:
        return tuple(
            s.exec(select(func.count()).select_from(model)).one()
            for model in (Mailing, MailingEvent, Batch)
        )


@pytest.fixture
def history(make, world, fresh):
    """Old mail (December 2025, some posted and voided) and new mail (January 2026)."""
    old = [
        make.batch(world["coordinator"], submission_id="old-1", sent_on=dt.date(2025, 12, 1)),
        make.batch(
            world["staff"],
            submission_id="old-2",
            sent_on=dt.date(2025, 12, 10),
            sender_town="Osh",
            sender_country="KG",
            count=6,
        ),
    ]
    new = [
        make.batch(world["coordinator"], submission_id="new-1", sent_on=dt.date(2026, 1, 10)),
        make.batch(
            world["other"],
            submission_id="new-2",
            chapter="leeds",
            sender_town="Leeds",
            sender_country="GB",
            sent_on=dt.date(2026, 1, 20),
            count=5,
        ),
    ]
    with make.session() as s:
        staff = s.get(type(world["staff"]), world["staff"].id)
        first = list(s.exec(select(Mailing).where(Mailing.batch_id == old[0].id)).all())
        mailing_status.change_status(session=s, mailings=first[:2], action="posted", user=staff)
        second = list(s.exec(select(Mailing).where(Mailing.batch_id == old[1].id)).all())
        mailing_status.change_status(session=s, mailings=second[:1], action="void", user=staff)
        newest = list(s.exec(select(Mailing).where(Mailing.batch_id == new[0].id)).all())
        mailing_status.change_status(session=s, mailings=newest[:1], action="posted", user=staff)
    open_counter(make, world["class_4b"])
    return {"old": old, "new": new}


def _shown(client, fresh, world):
    pages = {url: client.get(url) for url in PUBLIC}
    assert all(r.status_code == 200 for r in pages.values())
    shown = {url: r.get_data(as_text=True) for url, r in pages.items()}
    with fresh() as s:
        campaign_id = world["campaign"].id
        for chapter in (None, world["class_4b"].id, world["leeds"].id):
            for filters in (
                totals.Filters(chapter_id=chapter),
                totals.Filters(chapter_id=chapter, since=dt.date(2025, 11, 20)),
            ):
                shown[(chapter, filters)] = totals.summarize(
                    s, campaign_id, filters, top_chapters=5
                )
    return shown


def _age_for(day: dt.date) -> str:
    """The --older-than that keeps *day* and later, counted from today."""
    return f"{(dt.datetime.now(dt.UTC).date() - day).days}d"


def test_dry_run_deletes_nothing_and_says_what_it_would(runner, fresh, history):
    before = _counts(fresh)
    result = runner.invoke(
        args=["purge", "--older-than", _age_for(dt.date(2026, 1, 1)), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "Would delete 9 mailings sent before 2026-01-01, 3 status events and 2 emptied batches"
        in (result.output)
    )
    assert "azimjan-askarov: 9 mailings" in result.output
    assert _counts(fresh) == before


def test_purge_deletes_old_mailings_and_keeps_every_total(
    runner, client, fresh, make, world, history
):
    shown_before = _shown(client, fresh, world)
    assert _counts(fresh) == (17, 4, 4)

    result = runner.invoke(args=["purge", "--older-than", _age_for(dt.date(2026, 1, 1))])

    assert result.exit_code == 0, result.output
    assert "Deleted 9 mailings sent before 2026-01-01, 3 status events and 2 emptied batches" in (
        result.output
    )
    assert _counts(fresh) == (8, 1, 2)
    with fresh() as s:
        assert s.exec(select(func.min(Mailing.sent_on))).one() == dt.date(2026, 1, 10)
        kept = {b.submission_id for b in s.exec(select(Batch)).all()}
    assert kept == {"new-1", "new-2"}
    assert _shown(client, fresh, world) == shown_before

    # Logging carries on from the kept totals.
    total = client.get(API).get_json()["total"]
    make.batch(world["staff"], submission_id="after", count=2)
    assert client.get(API).get_json()["total"] == total + 2


def test_purge_with_nothing_old_changes_nothing(runner, fresh, history):
    before = _counts(fresh)
    result = runner.invoke(args=["purge", "--older-than", _age_for(dt.date(2025, 11, 1))])
    assert result.exit_code == 0, result.output
    assert "Deleted 0 mailings" in result.output
    assert _counts(fresh) == before


def test_purge_refuses_a_bad_age(runner, fresh, history):
    before = _counts(fresh)
    result = runner.invoke(args=["purge", "--older-than", "two years"])
    assert result.exit_code == 1
    assert "24m" in result.output
    assert _counts(fresh) == before


def test_a_failed_purge_deletes_nothing(fresh, engine, history, monkeypatch):
    before = _counts(fresh)
    real_delete = retention.delete

    def failing_delete(table):
        if table is Batch:
            raise RuntimeError("disk full")
        return real_delete(table)

    monkeypatch.setattr(retention, "delete", failing_delete)
    with fresh() as s, pytest.raises(RuntimeError):
        retention.purge(s, before=dt.date(2026, 1, 1))
    assert _counts(fresh) == before


def test_after_a_purge_the_tallies_still_check_and_rebuild_to_the_same_totals(
    runner, client, fresh, world, history
):
    shown_before = _shown(client, fresh, world)
    runner.invoke(args=["purge", "--older-than", _age_for(dt.date(2026, 1, 1))])

    check = runner.invoke(args=["totals", "check"])
    assert check.exit_code == 0, check.output
    assert "The tallies match the mailings." in check.output

    assert runner.invoke(args=["totals", "rebuild"]).exit_code == 0
    assert _shown(client, fresh, world) == shown_before
    assert runner.invoke(args=["totals", "check"]).exit_code == 0


def test_two_purges_add_up_and_a_changed_tally_is_still_found(runner, fresh, world, history):
    runner.invoke(args=["purge", "--older-than", _age_for(dt.date(2025, 12, 5))])
    runner.invoke(args=["purge", "--older-than", _age_for(dt.date(2026, 1, 1))])
    with fresh() as s:
        assert s.exec(select(func.sum(PurgedTally.mailings))).one() == 9
        assert tallies.differences(s) == []
        s.exec(update(DayTally).values(mailings=DayTally.mailings + 1))
        s.commit()
    check = runner.invoke(args=["totals", "check"])
    assert check.exit_code == 1
    assert "day_tally" in check.output


def test_a_dry_run_sets_nothing_aside(runner, fresh, history):
    runner.invoke(args=["purge", "--older-than", _age_for(dt.date(2026, 1, 1)), "--dry-run"])
    with fresh() as s:
        assert s.exec(select(func.count()).select_from(PurgedTally)).one() == 0
