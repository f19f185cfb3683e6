"""Totals: the tallies always equal a direct count of the mailings, whatever happened."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import invariant
from hypothesis.stateful import rule
from hypothesis.stateful import run_state_machine_as_test
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlmodel import Session

from app.services.errors import ValidationFailed
from app.services.mailings import log as mailing_log
from app.services.mailings import status as mailing_status
from app.services.totals import read as totals
from app.services.totals import tallies
from models import Batch
from models import ChapterTally
from models import DayTally
from models import Mailing
from models import MailingEvent
from models import MailingTally
from models import PlaceTally

TODAY = dt.date(2026, 1, 31)
START = dt.date(2025, 11, 20)
TOWNS = {  # how people type the same towns
    "US": ["Columbus", "columbus", "COLUMBUS ", "Paris"],
    "GB": ["Leeds", "leeds", " LEEDS"],
    "CH": ["Zürich", "Zurich", "zürich", "ZÜRICH"],
    "FR": ["Paris", "paris", "Lyon"],
}


def filters_for(world):
    chapter = world["class_4b"].id
    return [
        totals.Filters(),
        totals.Filters(chapter_id=chapter),
        totals.Filters(channel="letter"),
        totals.Filters(since=START + dt.timedelta(days=3), until=START + dt.timedelta(days=8)),
        totals.Filters(chapter_id=chapter, channel="card", since=START + dt.timedelta(days=2)),
    ]


def assert_exact(session: Session, campaign_ids, filters):
    assert tallies.differences(session) == []
    for campaign_id, f, towns in itertools.product(campaign_ids, filters, (None, 1)):
        tallied = totals.summarize(session, campaign_id, f, towns=towns, top_chapters=3)
        counted = totals.count_directly(session, campaign_id, f, towns=towns, top_chapters=3)
        assert tallied == counted, (campaign_id, f, towns)


@pytest.fixture
def campaigns(make, world):
    """The world's campaign, with a copy recipient, and a second campaign beside it."""
    make.recipient(world["campaign"], key="embassy", role="copy", name="Embassy")
    other = make.campaign(slug="other-case", title="Other case")
    make.recipient(other)
    return {"azimjan-askarov": world["campaign"].id, "other-case": other.id}


def test_random_logging_posting_voiding_and_undo_keep_every_total_exact(engine, world, campaigns):
    staff, coordinator = world["staff"], world["coordinator"]
    filters = filters_for(world)
    counter = itertools.count()

    class Mailbag(RuleBasedStateMachine):
        """Log, post, void and undo at random; the totals must follow exactly."""

        def __init__(self):
            super().__init__()
            self.session = Session(engine, expire_on_commit=False)
            with Session(engine) as s:  # each example starts with no mail
                for model in (MailingEvent, Mailing, Batch, MailingTally, DayTally):
                    s.exec(delete(model))
                for model in (PlaceTally, ChapterTally):
                    s.exec(delete(model))
                s.commit()
            self.submissions = []

        def teardown(self):
            self.session.close()

        @rule(
            campaign=st.sampled_from(sorted(campaigns)),
            recipient=st.sampled_from(["president", "prisoner", "embassy"]),
            channel=st.sampled_from(["letter", "card", "drawing", "email"]),
            country=st.sampled_from(sorted(TOWNS)),
            town=st.integers(0, 3),
            day=st.integers(0, 12),
            count=st.integers(1, 12),
            chapter=st.sampled_from([None, "class-4b", "leeds"]),
            as_coordinator=st.booleans(),
        )
        def log(
            self, campaign, recipient, channel, country, town, day, count, chapter, as_coordinator
        ):
            towns = TOWNS[country]
            raw = {
                "campaign": campaign,
                "recipient": recipient,
                "channel": channel,
                "sender_town": towns[town % len(towns)],
                "sender_country": country,
                "sent_on": START + dt.timedelta(days=day),
                "count": count,
                "chapter": "class-4b" if as_coordinator else chapter,
            }
            submission = f"prop-{next(counter)}"
            try:
                mailing_log.log_mailings(
                    session=self.session,
                    data=mailing_log.parse_batch(raw, today=TODAY),
                    user=coordinator if as_coordinator else staff,
                    submission_id=submission,
                    today=TODAY,
                )
            except ValidationFailed:  # an unknown recipient: nothing is written
                return
            self.submissions.append((submission, raw, as_coordinator))

        @rule(data=st.data())
        def repeat(self, data):
            """A repeated submission returns the first batch and counts nothing twice."""
            if not self.submissions:
                return
            submission, raw, as_coordinator = data.draw(st.sampled_from(self.submissions))
            again = mailing_log.log_mailings(
                session=self.session,
                data=mailing_log.parse_batch(raw, today=TODAY),
                user=coordinator if as_coordinator else staff,
                submission_id=submission,
                today=TODAY,
            )
            assert not again.created

        @rule(action=st.sampled_from(mailing_status.ACTIONS), data=st.data())
        def change(self, action, data):
            ids = self.session.exec(select(Mailing.id).order_by(Mailing.id)).scalars().all()
            if not ids:
                return
            chosen = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=8, unique=True))
            rows = self.session.exec(select(Mailing).where(Mailing.id.in_(chosen))).scalars().all()
            mailing_status.change_status(
                session=self.session, mailings=list(rows), action=action, user=staff
            )

        @invariant()
        def totals_are_exact(self):
            with Session(engine) as s:
                assert_exact(s, campaigns.values(), filters)

    run_state_machine_as_test(
        Mailbag,
        settings=settings(
            max_examples=20,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def log(make, user, **overrides):
    submission = f"t-{next(_ids)}"
    return make.batch(user, submission_id=submission, **overrides)


_ids = itertools.count()


def summary(fresh, world, **filters):
    with fresh() as s:
        return totals.summarize(s, world["campaign"].id, totals.Filters(**filters), top_chapters=5)


def change(make, world, batch, action):
    with make.session() as s:
        rows = s.exec(select(Mailing).where(Mailing.batch_id == batch.id)).scalars().all()
        return mailing_status.change_status(
            session=s, mailings=list(rows), action=action, user=world["staff"]
        )


def test_void_mail_counts_in_by_status_only(make, world, fresh):
    kept = log(make, world["staff"], count=4)
    voided = log(make, world["staff"], count=3, channel="card")
    change(make, world, kept, "posted")
    change(make, world, voided, "void")
    result = summary(fresh, world)
    assert result.total == 4
    assert result.by_status == {"posted": 4, "void": 3}
    assert result.by_channel == {"letter": 4}
    assert sum(result.by_day.values()) == sum(result.by_country.values()) == 4
    change(make, world, voided, "undo")
    assert summary(fresh, world).total == 7


def test_a_town_is_one_town_however_it_was_typed_and_named_by_its_usual_spelling(
    make, world, fresh
):
    for town, count in [("Zürich", 3), ("zurich", 1), ("  ZÜRICH ", 1), ("Zurich", 1)]:
        log(make, world["staff"], sender_town=town, sender_country="CH", count=count)
    log(make, world["staff"], sender_town="Bern", sender_country="CH", count=4)
    log(make, world["staff"], sender_town="Paris", sender_country="US", count=2)
    log(make, world["staff"], sender_town="Paris", sender_country="FR", count=2)
    result = summary(fresh, world)
    assert [(t.name, t.country, t.mailings) for t in result.towns] == [("Zürich", "CH", 6)]
    assert result.other_towns == totals.Folded(places=3, mailings=8)  # Bern, both Parises
    assert result.town_count == 4
    countries, folded = result.shown_countries()
    assert countries == {"CH": 10} and folded == totals.Folded(places=2, mailings=4)
    log(make, world["staff"], sender_town="paris", sender_country="FR", count=4)
    with fresh() as s:
        top = totals.summarize(s, world["campaign"].id, towns=1)
    assert [(t.name, t.mailings) for t in top.towns] == [("Zürich", 6)]
    assert top.other_towns == totals.Folded(places=3, mailings=12)  # Paris FR has 6 now


def test_a_chapter_sees_its_share_and_staff_see_the_top_chapters(make, world, fresh):
    log(make, world["coordinator"], count=5)
    log(make, world["other"], count=7, chapter="leeds", sender_town="Leeds", sender_country="GB")
    log(make, world["staff"], count=9)  # no chapter: never in the top chapters
    mine = summary(fresh, world, chapter_id=world["class_4b"].id)
    assert mine.total == 5 and mine.top_chapters == ()
    everyone = summary(fresh, world)
    assert everyone.total == 21
    assert [(c.slug, c.mailings) for c in everyone.top_chapters] == [("leeds", 7), ("class-4b", 5)]


def test_postage_is_summed_per_currency_as_decimal(make, world, fresh):
    log(make, world["staff"], count=3)  # priced from the US
    log(make, world["staff"], count=2, sender_town="Leeds", sender_country="GB")
    log(make, world["staff"], count=4, channel="email")  # email has no postage
    with fresh() as s:
        sums = s.exec(
            select(Mailing.postage_currency, func.sum(Mailing.postage_minor), func.count())
            .where(Mailing.postage_minor.is_not(None))
            .group_by(Mailing.postage_currency)
        ).all()
    assert {c for c, _amount, _n in sums} == {"USD", "GBP"}
    postage = summary(fresh, world).postage
    for currency, amount, count in sums:
        spent = postage[currency]
        assert (spent.amount_minor, spent.mailings) == (amount, count)
        assert spent.amount == Decimal(amount) / 100 and str(spent.amount) == f"{amount / 100:.2f}"


def test_filters_narrow_every_breakdown(make, world, fresh):
    log(make, world["staff"], count=2, sent_on=dt.date(2025, 12, 1))
    log(make, world["staff"], count=3, sent_on=dt.date(2025, 12, 10), channel="card")
    log(make, world["staff"], count=4, sent_on=dt.date(2025, 12, 20))
    window = summary(fresh, world, since=dt.date(2025, 12, 5), until=dt.date(2025, 12, 31))
    assert window.total == 7 and list(window.by_day) == [
        dt.date(2025, 12, 10),
        dt.date(2025, 12, 20),
    ]
    assert summary(fresh, world, channel="card").by_country == {"US": 3}


def held(session) -> dict[str, list[tuple]]:
    """Every tally row that counts something (a status every mailing left holds zeros)."""
    tables = (MailingTally, DayTally, PlaceTally, ChapterTally)
    return {
        t.__tablename__: sorted(tuple(r) for r in session.exec(select(t.__table__)) if r.mailings)
        for t in tables
    }


def test_rebuild_recounts_the_same_tallies(make, world, fresh):
    log(make, world["staff"], count=3)
    batch = log(make, world["coordinator"], count=4, channel="drawing", recipient="prisoner")
    change(make, world, batch, "void")
    with fresh() as s:
        before = held(s)
        tallies.rebuild(s)
        assert held(s) == before
        assert tallies.differences(s) == []
    assert len(before["mailing_tally"]) == 2


def test_differences_reports_a_tally_that_drifted(make, world, fresh):
    log(make, world["staff"], count=3)
    with fresh() as s:
        s.exec(DayTally.__table__.update().values(mailings=DayTally.__table__.c.mailings + 1))
        s.commit()
        found = tallies.differences(s)
        assert len(found) == 1 and found[0].startswith("day_tally")
        assert s.exec(select(func.count()).select_from(Mailing)).scalar() == 3


def test_counts_are_ints_on_every_database(make, world, fresh):
    log(make, world["staff"], count=3)
    result = summary(fresh, world)
    values = [result.total, *result.by_status.values(), *result.by_day.values()]
    values += [*result.by_country.values(), *(t.mailings for t in result.towns)]
    values += [result.other_towns.mailings, result.town_count]
    assert all(type(v) is int for v in values), values
