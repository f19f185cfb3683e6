"""Route sweeps' shared parts: a real value for every URL argument, every route's URLs,
API tokens, and a snapshot of the whole database to compare before and after a request.
"""

import pytest
from flask import url_for
from sqlmodel import Session
from sqlmodel import select

import models
from app import limits
from app.services import accounts
from app.services import campaigns
from models import ApiToken
from models import Mailing
from models import PhraseCreate
from tests.web.test_counter import open_counter

# Methods that may change state, and so need a CSRF token (S1) and never come as GET (S2).
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def api_tokens(world, engine):
    """An API token for staff, the class 4B coordinator and the Leeds coordinator."""
    with Session(engine, expire_on_commit=False) as s:
        return {
            name: accounts.issue_token(session=s, user=world[name])
            for name in ("staff", "coordinator", "other")
        }


@pytest.fixture
def sample(make, world, fresh, api_tokens):
    """A batch of the coordinator's, so every URL argument has a real value.

    ``token_id`` is the staff member's API token; ``user_id`` the Leeds coordinator.
    """
    batch = make.batch(world["coordinator"], chapter="class-4b")
    open_counter(make, world["class_4b"])
    with fresh() as s:
        code = s.exec(select(Mailing.code).where(Mailing.batch_id == batch.id)).first()
        token_id = s.exec(select(ApiToken.id).where(ApiToken.user_id == world["staff"].id)).one()
    with make.session() as s:
        phrase = campaigns.save_phrase(
            session=s,
            campaign=world["campaign"],
            data=PhraseCreate(text="Мы думаем о Вас!", language="ru"),
        )
    return {
        "phrase_id": phrase.id,
        "slug": world["campaign"].slug,
        "chapter_slug": world["class_4b"].slug,
        "key": "president",
        "batch_id": batch.id,
        "code": code,
        "fmt": "csv",
        "filename": "css/main.css",
        "token_id": token_id,
        "user_id": world["other"].id,
    }


def routes(app, methods=None):
    """Yield ``(rule, method)`` for every route, sorted, HEAD and OPTIONS left out, or only
    those of *methods*.
    """
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if methods is None or method in methods:
                yield rule, method


def url_of(app, rule, values) -> str:
    """Build *rule*'s URL, its arguments taken from *values*."""
    if rule.endpoint.startswith("chapters."):
        # The chapters blueprint's <slug> is a chapter's; every other one a campaign's.
        values = values | {"slug": values["chapter_slug"]}
    missing = rule.arguments - values.keys()
    assert not missing, f"no sample value for {missing} in {rule.rule}"
    with app.test_request_context():
        return url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})


def get_urls(app, sample) -> list[tuple[str, str]]:
    """Return (endpoint, URL) for every GET route, its arguments filled from *sample*."""
    return [(rule.endpoint, url_of(app, rule, sample)) for rule, _ in routes(app, {"GET"})]


def snapshot(engine) -> dict[str, list[tuple]]:
    """Read every row of every table, in primary-key order."""
    with engine.connect() as conn:
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(table.select().order_by(*table.primary_key.columns))
            ]
            for table in models.metadata.sorted_tables
        }


def changes(before: dict, after: dict) -> list[str]:
    """Say which tables differ between two snapshots: row counts, or rows changed."""
    found = []
    for name, rows in before.items():
        if len(after[name]) != len(rows):
            found.append(f"{name}: {len(rows)} → {len(after[name])} rows")
        elif after[name] != rows:
            changed = sum(a != b for a, b in zip(rows, after[name], strict=True))
            found.append(f"{name}: {changed} row(s) changed")
    return found


@pytest.fixture
def no_rate_limits(monkeypatch):
    """Turn the rate limits off: a sweep asks for more exports and sheets in a minute
    than one person may (S8 has tests of its own).
    """
    monkeypatch.setattr(limits.limiter, "enabled", False)
