"""Rate limits (S8): refused sign-ins per address, exports and PDF sheets per user."""

import socket
import uuid

import pytest

from tests.conftest import PASSWORD
from tests.conftest import Auth
from tests.conftest import page


def fail_sign_in(auth, times):
    return [auth.login(password="not the password").status_code for _ in range(times)]


def test_the_11th_refused_sign_in_in_a_minute_gets_a_friendly_429(client, auth, world):
    assert fail_sign_in(auth, 10) == [401] * 10
    response = auth.login(password="not the password")
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    text = page(response).get_text(" ", strip=True)
    assert "Please wait a minute, then try again." in text
    assert "per 1 minute" not in text
    assert auth.login().status_code == 429  # even the right password, until the minute ends


def test_the_limit_is_per_address(app, client, auth, world):
    fail_sign_in(auth, 10)
    other = Auth(app.test_client())
    other.client.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert other.login().status_code == 302


def test_successful_sign_ins_do_not_count(client, auth, world):
    for _ in range(12):
        assert auth.login().status_code == 302
        auth.logout()


def test_the_limits_come_from_the_config(new_app, world):
    app = new_app({"TESTING": True, "RATELIMIT_SIGN_IN": "2/hour"})
    auth = Auth(app.test_client())
    assert fail_sign_in(auth, 3) == [401, 401, 429]


@pytest.mark.parametrize(
    "urls",
    [
        ["/reports/mailings.csv", "/reports/summary.xlsx", "/reports/outreaches.json"],
        ["/batches/{batch}/slips.pdf", "/campaigns/azimjan-askarov/tally.pdf"],
    ],
    ids=["exports", "sheets"],
)
def test_exports_and_sheets_are_ten_a_minute_per_user(app, client, auth, make, world, urls):
    batch = make.batch(world["staff"])
    urls = [url.format(batch=batch.id) for url in urls]
    auth.login()
    statuses = []
    for i in range(10):
        with client.get(urls[i % len(urls)]) as response:
            statuses.append(response.status_code)
    assert statuses == [200] * 10
    with client.get(urls[0]) as response:
        assert response.status_code == 429
    # Another user has a budget of their own.
    teacher = Auth(app.test_client())
    teacher.login("teacher@example.org")
    with teacher.client.get(urls[-1]) as response:
        assert response.status_code in (200, 404)  # 404: the staff batch is not hers


def test_exports_and_sheets_have_separate_budgets(client, auth, make, world):
    batch = make.batch(world["staff"])
    auth.login()
    for _ in range(10):
        with client.get("/reports/mailings.csv") as response:
            assert response.status_code == 200
    with client.get(f"/batches/{batch.id}/slips.pdf") as response:
        assert response.status_code == 200


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_counts_can_live_in_redis(new_app, monkeypatch, world):
    monkeypatch.setenv("LETTERTRAIL_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    config = {"TESTING": True}
    # A prefix of this run's own, so no other run's counts are seen.
    config["RATELIMIT_KEY_PREFIX"] = f"lettertrail-test-{uuid.uuid4().hex}"
    first = new_app(config)
    assert first.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379"
    assert fail_sign_in(Auth(first.test_client()), 6) == [401] * 6
    second = new_app(config)  # another worker: it sees the same counts
    assert fail_sign_in(Auth(second.test_client()), 5) == [401] * 4 + [429]
    assert Auth(second.test_client()).login(password=PASSWORD).status_code == 429


def test_lettertrail_environment_variables_reach_the_config(new_app, monkeypatch):
    monkeypatch.setenv("LETTERTRAIL_RATELIMIT_SIGN_IN", "3 per minute")
    monkeypatch.setenv("LETTERTRAIL_HTTPS", "true")
    app = new_app({})
    assert app.config["RATELIMIT_SIGN_IN"] == "3 per minute"
    assert app.config["HTTPS"] is True
