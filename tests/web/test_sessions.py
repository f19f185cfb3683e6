"""Session lifetimes (S6): idle 30 minutes for everyone, absolute 12 hours for staff."""

import datetime as dt
import time

import pytest
from itsdangerous import TimestampSigner

from app import auth as app_auth


class Clock:
    """Move the app's clocks forward: the cookie signer's and the sign-in timer's."""

    def __init__(self, monkeypatch):
        self.offset = 0
        monkeypatch.setattr(
            TimestampSigner, "get_timestamp", lambda _self: int(time.time()) + self.offset
        )
        monkeypatch.setattr(
            app_auth, "_now", lambda: dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.offset)
        )

    def advance(self, **delta):
        self.offset += int(dt.timedelta(**delta).total_seconds())


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def signed_in(client) -> bool:
    """Tell whether *client*'s cookie still opens a signed-in page."""
    return client.get("/mailings").status_code == 200


@pytest.mark.parametrize("who", ["staff@example.org", "teacher@example.org"])
def test_thirty_idle_minutes_end_the_session(client, auth, world, clock, who):
    auth.login(who)
    clock.advance(minutes=29)
    assert signed_in(client)  # each request starts the 30 minutes again
    clock.advance(minutes=29)
    assert signed_in(client)
    clock.advance(minutes=31)
    assert not signed_in(client)
    assert client.get("/mailings").headers["Location"].startswith("/login")


def test_an_idle_cookie_is_refused_even_if_the_browser_keeps_it(app, client, auth, world, clock):
    auth.login()
    kept = client.get_cookie("session").value
    clock.advance(minutes=31)
    other = app.test_client()
    other.set_cookie("session", kept)
    assert not signed_in(other)


def test_a_staff_session_ends_after_twelve_hours_however_active(client, auth, world, clock):
    auth.login()
    for _ in range(int(12 * 60 / 25)):  # a request every 25 minutes for 11 h 50 min
        clock.advance(minutes=25)
        assert signed_in(client)
    clock.advance(minutes=25)  # 12 h 15 min after signing in
    assert not signed_in(client)
    auth.login()  # signing in again starts a new session
    assert signed_in(client)


def test_a_coordinator_stays_signed_in_past_twelve_hours_while_active(client, auth, world, clock):
    auth.login("teacher@example.org")
    for _ in range(int(13 * 60 / 25)):
        clock.advance(minutes=25)
        assert signed_in(client)
