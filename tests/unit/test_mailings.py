"""log_mailings and status changes, against the real database (no Flask)."""

import datetime as dt
import threading

import pytest
from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import select

from app.services import scope
from app.services.errors import Conflict
from app.services.errors import NotFound
from app.services.errors import ValidationFailed
from app.services.mailings import log as mailing_log
from app.services.mailings import read as mailing_read
from app.services.mailings import status as mailing_status
from models import Batch
from models import Mailing
from models import MailingEvent
from tests.conftest import BATCH

TODAY = dt.date(2026, 1, 31)


def raw(**overrides):
    return BATCH | {"count": 28} | overrides


def log(engine, user, submission_id="s1", today=TODAY, **overrides):
    with Session(engine, expire_on_commit=False) as session:
        return mailing_log.log_mailings(
            session=session,
            data=mailing_log.parse_batch(raw(**overrides)),
            user=user,
            submission_id=submission_id,
            today=today,
        )


def count(engine, model, *where):
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def errors_of(excinfo) -> dict[str, str]:
    return {e.field: e.text for e in excinfo.value.errors}


def test_a_batch_of_28_letters_is_28_rows_with_their_own_codes(engine, world):
    logged = log(engine, world["coordinator"])
    assert logged.created
    with Session(engine) as session:
        rows = session.exec(select(Mailing).where(Mailing.batch_id == logged.batch.id)).all()
    assert len(rows) == 28
    assert len({m.code for m in rows}) == 28
    assert {m.status for m in rows} == {"logged"}
    assert {m.chapter_id for m in rows} == {world["class_4b"].id}
    assert {m.recipient_id for m in rows} == {world["president"].id}
    assert {m.sent_on for m in rows} == {dt.date(2025, 12, 10)}
    assert count(engine, Batch) == 1


def test_a_coordinator_logs_for_their_chapter_without_naming_it(engine, world):
    batch = log(engine, world["coordinator"]).batch
    assert batch.chapter_id == world["class_4b"].id
    assert batch.created_by_id == world["coordinator"].id


def test_staff_may_log_for_any_chapter_or_none(engine, world):
    assert log(engine, world["staff"], "a", chapter="leeds").batch.chapter_id == world["leeds"].id
    assert log(engine, world["staff"], "b").batch.chapter_id is None


def test_towns_are_grouped_however_they_are_typed(engine, world):
    log(engine, world["staff"], "a", sender_town="  São   Paulo ", count=1)
    log(engine, world["staff"], "b", sender_town="SAO PAULO", count=1)
    with Session(engine) as session:
        rows = session.exec(select(Mailing.sender_town, Mailing.sender_town_key)).all()
    assert {town for town, _ in rows} == {"São Paulo", "SAO PAULO"}
    assert {key for _, key in rows} == {"sao paulo"}


def test_fax_and_email_carry_no_kind_or_weight(engine, world):
    batch = log(engine, world["staff"], channel="fax", kind="letter", weight_g="20", count=1).batch
    with Session(engine) as session:
        mailing = session.exec(select(Mailing).where(Mailing.batch_id == batch.id)).one()
    assert (mailing.kind, mailing.weight_mg, mailing.nonmachinable) == (None, None, False)


def test_weight_is_stored_exactly_in_milligrams(engine, world):
    batch = log(engine, world["staff"], weight_g="28.349", kind="letter", count=1).batch
    with Session(engine) as session:
        mailing = session.exec(select(Mailing).where(Mailing.batch_id == batch.id)).one()
    assert (mailing.kind, mailing.weight_mg) == ("letter", 28349)


def test_repeating_a_submission_returns_the_first_batch(engine, world):
    first = log(engine, world["coordinator"], "same")
    again = log(engine, world["coordinator"], "same")
    assert not again.created
    assert again.batch.id == first.batch.id
    assert count(engine, Mailing) == 28
    assert count(engine, Batch) == 1


def test_the_same_submission_id_with_other_values_is_a_conflict(engine, world):
    log(engine, world["coordinator"], "same")
    with pytest.raises(Conflict):
        log(engine, world["coordinator"], "same", count=5)
    assert count(engine, Mailing) == 28


def test_simultaneous_submissions_of_one_id_make_one_batch(engine, world):
    barrier = threading.Barrier(6)
    results, failures = [], []

    def submit():
        barrier.wait()
        try:
            results.append(log(engine, world["coordinator"], "race").batch.id)
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            failures.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len(set(results)) == 1
    assert count(engine, Batch) == 1
    assert count(engine, Mailing) == 28


@pytest.mark.parametrize(
    ("overrides", "field", "message_part"),
    [
        ({"sender_country": "ZZ"}, "sender_country", "country"),
        ({"sender_country": ""}, "sender_country", "country"),
        ({"sent_on": "2026-02-02"}, "sent_on", "future"),
        ({"sent_on": "2025-11-01"}, "sent_on", "started on 2025-11-20"),
        ({"sent_on": "10/12/2025"}, "sent_on", "date"),
        ({"count": 0}, "count", "1 to 500"),
        ({"count": 501}, "count", "1 to 500"),
        ({"count": "many"}, "count", "1 to 500"),
        ({"sender_town": "x" * 81}, "sender_town", "80"),
        ({"sender_town": "   "}, "sender_town", "town"),
        ({"recipient": "embassy"}, "recipient", "recipient of this campaign"),
        ({"campaign": "nobody"}, "campaign", "no campaign"),
        ({"channel": "pigeon"}, "channel", "how the mail was sent"),
        ({"weight_g": "-3"}, "weight_g", "grams"),
        ({"kind": "parcel"}, "kind", "postcard, letter or large envelope"),
        ({"chapter": "leeds"}, "chapter", "your chapter"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(
    engine, world, overrides, field, message_part
):
    with pytest.raises(ValidationFailed) as excinfo:
        log(engine, world["coordinator"], **overrides)
    assert message_part in errors_of(excinfo)[field]
    assert count(engine, Mailing) == 0
    assert count(engine, Batch) == 0


def test_a_recipient_of_another_campaign_is_refused(engine, world, make):
    other = make.campaign(slug="other-case", title="Other case")
    make.recipient(other, key="embassy", role="copy", name="Embassy")
    with pytest.raises(ValidationFailed) as excinfo:
        log(engine, world["staff"], recipient="embassy")
    assert "recipient" in errors_of(excinfo)


@pytest.mark.parametrize("status", ["closed", "draft"])
def test_a_campaign_not_active_takes_no_mail(engine, world, make, status):
    make.campaign(slug="quiet", title="Quiet", status=status)
    with pytest.raises(ValidationFailed) as excinfo:
        log(engine, world["staff"], campaign="quiet")
    assert status in errors_of(excinfo)["campaign"]


def test_every_problem_is_reported_at_once(engine, world):
    with pytest.raises(ValidationFailed) as excinfo:
        log(engine, world["coordinator"], recipient="nobody", sent_on="2025-11-01", chapter="leeds")
    assert set(errors_of(excinfo)) == {"recipient", "sent_on", "chapter"}


def test_a_date_one_day_ahead_is_accepted_for_senders_east_of_utc(engine, world):
    assert log(engine, world["staff"], sent_on="2026-02-01", count=1).created


# --- status ----------------------------------------------------------------------------


def mailings_of(engine, batch_id):
    with Session(engine, expire_on_commit=False) as session:
        return list(session.exec(select(Mailing).where(Mailing.batch_id == batch_id)).all())


def change(engine, rows, action, user):
    with Session(engine, expire_on_commit=False) as session:
        return mailing_status.change_status(
            session=session, mailings=rows, action=action, user=user
        )


def test_marking_a_batch_posted_records_an_event_per_mailing(engine, world):
    batch = log(engine, world["coordinator"], count=3).batch
    result = change(engine, mailings_of(engine, batch.id), "posted", world["coordinator"])
    assert (result.changed, result.skipped) == (3, 0)
    with Session(engine) as session:
        events = session.exec(select(MailingEvent)).all()
    assert len(events) == 3
    assert {(e.action, e.from_status, e.to_status) for e in events} == {
        ("posted", "logged", "posted")
    }
    assert {e.user_id for e in events} == {world["coordinator"].id}
    assert all(e.at.tzinfo is not None for e in events)
    assert count(engine, Mailing, Mailing.status == "posted") == 3


def test_undo_returns_to_the_status_before_the_last_change_once(engine, world):
    batch = log(engine, world["staff"], count=2).batch
    rows = mailings_of(engine, batch.id)
    change(engine, rows, "posted", world["staff"])
    assert change(engine, rows, "undo", world["staff"]).changed == 2
    assert count(engine, Mailing, Mailing.status == "logged") == 2
    again = change(engine, rows, "undo", world["staff"])
    assert (again.changed, again.reason) == (0, "There is nothing to undo.")
    assert count(engine, MailingEvent) == 4


def test_a_void_mailing_cannot_be_marked_posted(engine, world):
    batch = log(engine, world["staff"], count=1).batch
    rows = mailings_of(engine, batch.id)
    change(engine, rows, "void", world["staff"])
    result = change(engine, rows, "posted", world["staff"])
    assert result.changed == 0
    assert "void" in result.reason
    assert count(engine, Mailing, Mailing.status == "void") == 1


def test_posting_a_batch_skips_its_void_mailings_and_says_so(engine, world):
    batch = log(engine, world["staff"], count=3).batch
    rows = mailings_of(engine, batch.id)
    change(engine, rows[:1], "void", world["staff"])
    result = change(engine, rows, "posted", world["staff"])
    assert (result.changed, result.skipped) == (2, 1)


def test_an_unknown_action_is_refused(engine, world):
    batch = log(engine, world["staff"], count=1).batch
    with pytest.raises(ValueError):
        change(engine, mailings_of(engine, batch.id), "lost", world["staff"])


# --- reading -------------------------------------------------------------------------


def test_coordinators_see_only_their_chapters_mailings(engine, world):
    log(engine, world["coordinator"], "a", count=2)
    log(engine, world["other"], "b", count=3, sender_town="Leeds", sender_country="GB")
    with Session(engine) as session:
        mine = mailing_read.list_mailings(
            session,
            user=world["coordinator"],
            filters=scope.MailingFilter(),
            before_id=None,
            limit=50,
        )
        everything = mailing_read.list_mailings(
            session,
            user=world["staff"],
            filters=scope.MailingFilter(),
            before_id=None,
            limit=50,
        )
        theirs = everything[0]
        with pytest.raises(NotFound):
            mailing_read.get_mailing(session, theirs.code, world["coordinator"])
        with pytest.raises(NotFound):
            mailing_read.get_batch(session, theirs.batch_id, world["coordinator"])
    assert len(mine) == 2 and {m.chapter_id for m in mine} == {world["class_4b"].id}
    assert len(everything) == 5


def test_the_list_pages_by_id_newest_first_with_filters(engine, world):
    log(engine, world["staff"], "a", count=5, channel="letter")
    log(engine, world["staff"], "b", count=4, channel="card", recipient="prisoner")
    with Session(engine) as session:
        first = mailing_read.list_mailings(
            session,
            user=world["staff"],
            filters=scope.MailingFilter(),
            before_id=None,
            limit=6,
        )
        rest = mailing_read.list_mailings(
            session,
            user=world["staff"],
            filters=scope.MailingFilter(),
            before_id=first[-1].id,
            limit=6,
        )
        cards = mailing_read.list_mailings(
            session,
            user=world["staff"],
            filters=scope.MailingFilter(channel="card"),
            before_id=None,
            limit=50,
        )
        dated = mailing_read.list_mailings(
            session,
            user=world["staff"],
            filters=scope.MailingFilter(since=dt.date(2025, 12, 11)),
            before_id=None,
            limit=50,
        )
    ids = [m.id for m in first + rest]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 9
    assert len(cards) == 4 and {m.channel for m in cards} == {"card"}
    assert dated == []


def test_parse_batch_reports_model_country_and_date_problems_together():
    with pytest.raises(ValidationFailed) as excinfo:
        mailing_log.parse_batch(
            raw(count=0, sender_country="ZZ", sent_on="2030-01-01", sender_town=""),
            today=TODAY,
        )
    assert set(errors_of(excinfo)) == {"count", "sender_country", "sent_on", "sender_town"}


# --- postage at logging time -----------------------------------------------------------


def priced(engine, batch_id):
    with Session(engine) as session:
        rows = session.exec(select(Mailing).where(Mailing.batch_id == batch_id)).all()
    return {
        (m.kind, m.weight_mg, m.postage_minor, m.postage_currency, m.postage_table, m.postage_note)
        for m in rows
    }


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # FACTS 2.1: US -> KG (price group 6), a letter up to 1 oz is $1.70 since 2025-07-13.
        ({}, ("letter", 20000, 170, "USD", "usps/2025-07-13", None)),
        # FACTS 2.1: a 2-oz letter to group 6 is $3.40.
        ({"weight_g": "40"}, ("letter", 40000, 340, "USD", "usps/2025-07-13", None)),
        # FACTS 2.1: a drawing goes flat (large envelope), 50 g = 1.76 oz -> 2-oz step $4.55.
        (
            {"channel": "drawing", "recipient": "prisoner"},
            ("large_envelope", 50000, 455, "USD", "usps/2025-07-13", None),
        ),
        # FACTS 2.1: the nonmachinable surcharge of $0.49 adds on.
        ({"nonmachinable": True}, ("letter", 20000, 219, "USD", "usps/2025-07-13", None)),
        # FACTS 2.6: Royal Mail's international letter is £3.20 from 2025-04-07.
        (
            {"sender_town": "Leeds", "sender_country": "GB"},
            ("letter", 20000, 320, "GBP", "royal_mail/2025-04-07", None),
        ),
        # FACTS 2.7: Deutsche Post's international Standardbrief is €1.25 from 2025-01-01.
        (
            {"sender_town": "Berlin", "sender_country": "DE"},
            ("letter", 20000, 125, "EUR", "deutsche_post/2025-01-01", None),
        ),
        ({"channel": "fax"}, (None, None, None, None, None, None)),
        ({"channel": "email"}, (None, None, None, None, None, None)),
    ],
)
def test_each_piece_is_priced_when_logged(engine, world, overrides, expected):
    batch = log(engine, world["staff"], count=2, **overrides).batch
    assert priced(engine, batch.id) == {expected}


def test_a_piece_without_a_published_price_is_logged_as_postage_unknown(engine, world):
    batch = log(engine, world["staff"], count=2, sender_town="Osaka", sender_country="JP").batch
    ((kind, weight, amount, currency, table, note),) = priced(engine, batch.id)
    assert (kind, amount, currency, table) == ("letter", None, None, None)
    assert note and "Japan" in note
