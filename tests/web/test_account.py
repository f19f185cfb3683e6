"""Signing in and out, password changes, and who may open which page."""

import pytest
from sqlmodel import select

from models import User
from tests.conftest import PASSWORD
from tests.conftest import csrf_token
from tests.conftest import page


def test_sign_in_with_the_form_then_see_the_mailings(client, auth, world):
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/mailings"
    assert client.get("/mailings").status_code == 200


def test_a_wrong_password_is_refused_with_a_message(client, auth, world):
    response = auth.login(password="wrong password")
    assert response.status_code == 401
    assert "do not match" in page(response).find(role="alert").get_text()
    assert client.get("/mailings").status_code == 302


def test_sign_in_without_a_csrf_token_is_refused(client, world):
    response = client.post("/login", data={"email": "staff@example.org", "password": PASSWORD})
    assert response.status_code == 400


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(client, auth, world):
    assert client.get("/chapters").headers["Location"] == "/login?next=/chapters"
    token = csrf_token(client, "/login")
    data = {"email": "staff@example.org", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login?next=/chapters", data=data).headers["Location"] == "/chapters"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/chapters")})
    token = csrf_token(client, "/login")
    data["csrf_token"] = token
    response = client.post("/login?next=//evil.example/x", data=data)
    assert response.headers["Location"] == "/mailings"


def test_the_session_cookie_changes_at_sign_in(client, auth, world):
    client.get("/login")
    before = client.get_cookie("session")
    auth.login()
    after = client.get_cookie("session")
    assert after is not None
    assert before is None or before.value != after.value
    assert after.http_only and after.same_site == "Lax"


def test_after_sign_out_the_old_cookie_is_anonymous(app, client, auth, world):
    auth.login()
    stolen = client.get_cookie("session").value
    auth.logout()
    other = app.test_client()
    other.set_cookie("session", stolen)
    assert other.get("/mailings").status_code == 302


def test_a_password_change_ends_other_sessions(app, client, auth, world, fresh):
    auth.login()
    laptop = app.test_client()
    laptop.set_cookie("session", client.get_cookie("session").value)
    assert laptop.get("/mailings").status_code == 200
    token = csrf_token(client, "/account/password")
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a new pass phrase",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert client.get("/mailings").status_code == 200  # this browser got a new cookie
    assert laptop.get("/mailings").status_code == 302  # the other did not
    client.post("/logout", data={"csrf_token": csrf_token(client, "/mailings")})
    assert auth.login(password="a new pass phrase").status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "field", "message"),
    [
        ("wrong", "a new pass phrase", "current_password", "not your current password"),
        (PASSWORD, "short", "new_password", "at least 8"),
        (PASSWORD, "x" * 65, "new_password", "at most 64"),
    ],
)
def test_password_change_problems_show_next_to_the_field(
    client, auth, world, current, new, field, message
):
    from tests.conftest import field_error

    auth.login()
    token = csrf_token(client, "/account/password")
    response = client.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "csrf_token": token},
    )
    assert response.status_code == 422
    assert message in field_error(response, field)


def test_a_one_time_password_must_be_replaced_first(client, auth, make, world):
    make.user(
        "new@example.org", role="coordinator", chapter=world["class_4b"], must_change_password=True
    )
    response = auth.login("new@example.org")
    assert response.headers["Location"] == "/account/password"
    assert client.get("/mailings/new").headers["Location"] == "/account/password"


def test_a_disabled_account_cannot_sign_in_and_its_session_ends(app, client, auth, world, fresh):
    auth.login("teacher@example.org")
    teacher = client.get_cookie("session").value
    staff = app.test_client()
    Auth = type(auth)
    Auth(staff).login()
    token = csrf_token(staff, "/users")
    response = staff.post(f"/users/{world['coordinator'].id}/active", data={"csrf_token": token})
    assert response.status_code == 303
    with fresh() as s:
        assert s.exec(select(User).where(User.email == "teacher@example.org")).one().active is False
    other = app.test_client()
    other.set_cookie("session", teacher)
    assert other.get("/mailings").status_code == 302
    assert auth.login("teacher@example.org").status_code == 401


@pytest.mark.parametrize(
    "url",
    [
        "/campaigns",
        "/campaigns/new",
        "/chapters",
        "/chapters/new",
        "/users",
        "/users/new",
        "/campaigns/azimjan-askarov/edit",
        "/campaigns/azimjan-askarov/recipients/new",
    ],
)
def test_staff_pages_are_403_for_coordinators_and_ask_anonymous_to_sign_in(
    app, client, auth, world, url
):
    assert client.get(url).status_code == 302
    auth.login("teacher@example.org")
    assert client.get(url).status_code == 403


def test_healthz_reports_version_and_backend(client, engine):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["backend"] == engine.dialect.name
    assert set(body) >= {"version", "backend"}
    if engine.dialect.name == "sqlite":
        assert body["sqlite_version"].count(".") == 2


def test_unknown_pages_are_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "could not find" in response.get_data(as_text=True)
    assert client.get("/api/v1/nothing").get_json()["errors"][0]["message"]
