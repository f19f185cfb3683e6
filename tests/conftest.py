"""Fixtures: an app on a fresh file database (or PostgreSQL), clients, factories.

``TEST_DATABASE_URL`` runs every test on that database instead of a temporary
SQLite file; tables are created once and emptied before each test.
"""

import datetime as dt
import os
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from bs4 import BeautifulSoup
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlmodel import Session

import models
from app import create_app
from app import db as app_db
from app.services import accounts
from app.services import campaigns
from app.services.database import make_engine
from app.services.mailings import log as mailing_log
from models import CampaignCreate
from models import ChapterCreate
from models import RecipientCreate

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
PASSWORD = "correct horse battery"
# A batch of the world's campaign as the logging form, the API and an import send it;
# each test adds its count.
BATCH = {
    "campaign": "azimjan-askarov",
    "recipient": "president",
    "channel": "letter",
    "sender_town": "Columbus",
    "sender_country": "US",
    "sent_on": "2025-12-10",
}


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replace pytest-flask's fixture of this name, which keeps one request context (and
    so one ``g``) open for the whole test: with it, every client request would share
    that ``g`` (Flask-WTF caches the CSRF token there), unlike in production.
    """
    yield


@pytest.fixture
def client(app):
    """A test client that keeps no context between requests (pytest-flask's does: then
    a request from a second client would run inside the first one's app context).
    """
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(autouse=True)
def _quick_password_hashing(monkeypatch):
    """Hash with argon2id at minimal cost: the algorithm is the same, the suite faster."""
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture(scope="session")
def _postgres_ready():
    """Create the tables on the PostgreSQL test database once per run."""
    if not TEST_DATABASE_URL:
        return None
    engine = create_engine(TEST_DATABASE_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    models.metadata.create_all(engine)
    engine.dispose()
    return TEST_DATABASE_URL


def empty_postgres(url: str) -> None:
    """Remove every row and reset ids, keeping the tables."""
    engine = create_engine(url)
    with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in models.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(tmp_path, _postgres_ready):
    if TEST_DATABASE_URL:
        empty_postgres(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


@pytest.fixture
def engine(database_url):
    """An engine with Lettertrail's settings on a database that has every table."""
    engine = make_engine(database_url)
    if not TEST_DATABASE_URL:
        models.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def app(database_url, engine, tmp_path, monkeypatch):
    monkeypatch.setenv("LETTERTRAIL_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "PUBLIC_BASE_URL": "http://localhost",
        }
    )
    yield app
    app_db.get_engine(app).dispose()


@pytest.fixture
def new_app(database_url, engine, tmp_path, monkeypatch):
    """Make apps of one's own config on the test database; each engine is closed after."""
    monkeypatch.setenv("LETTERTRAIL_INSTANCE_PATH", str(tmp_path / "instance"))
    apps = []

    def make(config: dict):
        apps.append(create_app({"DATABASE_URL": database_url, **config}))
        return apps[-1]

    yield make
    for made in apps:
        app_db.get_engine(made).dispose()


@pytest.fixture
def fresh(engine):
    """Open a session of its own, to see what really reached the database."""

    def open_session() -> Session:
        return Session(engine)

    return open_session


@dataclass
class Factories:
    """Build data through the real services, with overridable defaults."""

    engine: object

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def campaign(self, **overrides):
        data = {
            "title": "Free Azimjan Askarov",
            "slug": "azimjan-askarov",
            "status": "active",
            "starts_on": dt.date(2025, 11, 20),
            "country": "KG",
            "goal": 100,
        } | overrides
        with self.session() as s:
            return campaigns.save_campaign(session=s, data=CampaignCreate(**data))

    def recipient(self, campaign, **overrides):
        data = {
            "key": "president",
            "role": "appeal",
            "name": "President Almazbek Atambaev",
            "address_lines": "Government House\nProspekt Chuy 205",
            "city": "Bishkek",
            "postcode": "720003",
            "country": "KG",
        } | overrides
        with self.session() as s:
            return campaigns.save_recipient(
                session=s, campaign=campaign, data=RecipientCreate(**data)
            )

    def chapter(self, **overrides):
        data = {
            "name": "Class 4B",
            "slug": "class-4b",
            "kind": "class",
            "town": "Columbus",
            "country": "US",
        } | overrides
        with self.session() as s:
            return campaigns.save_chapter(session=s, data=ChapterCreate(**data))

    def user(self, email="staff@example.org", role="staff", chapter=None, **kwargs):
        with self.session() as s:
            return accounts.create_user(
                session=s,
                email=email,
                password=PASSWORD,
                role=role,
                chapter_slug=chapter.slug if chapter else None,
                **kwargs,
            )

    def batch(self, user, submission_id="test-1", **overrides):
        data = {
            "campaign": "azimjan-askarov",
            "recipient": "president",
            "channel": "letter",
            "sender_town": "Columbus",
            "sender_country": "US",
            "sent_on": dt.date(2025, 12, 10),
            "count": 3,
        } | overrides
        with self.session() as s:
            return mailing_log.log_mailings(
                session=s,
                data=mailing_log.parse_batch(data),
                user=user,
                submission_id=submission_id,
                today=dt.date(2026, 1, 31),
            ).batch


@pytest.fixture
def make(engine):
    return Factories(engine)


@pytest.fixture
def world(make):
    """The demo's shape: an active campaign with two recipients, two chapters, users."""
    campaign = make.campaign()
    president = make.recipient(campaign)
    prisoner = make.recipient(
        campaign,
        key="prisoner",
        role="solidarity",
        name="Azimjan Askarov",
        address_lines="Koloniya No. 47",
        postcode="",
    )
    class_4b = make.chapter()
    leeds = make.chapter(name="Leeds Group", slug="leeds", kind="group", town="Leeds", country="GB")
    staff = make.user()
    coordinator = make.user("teacher@example.org", role="coordinator", chapter=class_4b)
    other = make.user("leeds@example.org", role="coordinator", chapter=leeds)
    return {
        "campaign": campaign,
        "president": president,
        "prisoner": prisoner,
        "class_4b": class_4b,
        "leeds": leeds,
        "staff": staff,
        "coordinator": coordinator,
        "other": other,
    }


def page(response) -> BeautifulSoup:
    """Parse a response's HTML."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def csrf_token(client, url: str) -> str:
    """Open *url* and return the CSRF token of its form."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    field = page(response).find("input", attrs={"name": "csrf_token"})
    assert field is not None, f"no CSRF token on {url}"
    return field["value"]


class Auth:
    """Sign in and out through the real form, CSRF and all."""

    def __init__(self, client):
        self.client = client

    def login(self, email="staff@example.org", password=PASSWORD):
        token = csrf_token(self.client, "/login")
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )

    def logout(self):
        token = csrf_token(self.client, "/mailings")
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return Auth(client)


def field_error(response, name: str) -> str | None:
    """Return the error message shown next to form field *name*, if any."""
    soup = page(response)
    control = soup.find(attrs={"name": name})
    assert control is not None, f"no field {name}"
    described = (control.get("aria-describedby") or "").split()
    for ident in described:
        if ident.endswith("-error"):
            return soup.find(id=ident).get_text(" ", strip=True)
    return None
