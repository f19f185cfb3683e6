"""API tokens in the UI: anyone signed in makes their own; staff list and revoke all."""

import pytest
from sqlmodel import select

from app.services import accounts
from models import ApiToken
from tests.conftest import csrf_token
from tests.conftest import page


def create(client, label="spreadsheet script"):
    token = csrf_token(client, "/account/tokens")
    return client.post("/account/tokens", data={"csrf_token": token, "label": label})


def test_a_coordinator_creates_a_token_that_signs_the_api_in(client, auth, world, fresh):
    auth.login("teacher@example.org")
    response = create(client)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    token = page(response).select_one(".secret code").get_text()
    with fresh() as s:
        row = s.exec(select(ApiToken)).one()
        assert row.user_id == world["coordinator"].id and row.label == "spreadsheet script"
        assert token not in row.token_hash
    answer = client.get("/api/v1/mailings", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    listed = page(client.get("/account/tokens")).select("table.tokens td")
    assert listed[0].get_text() == "spreadsheet script"
    assert token not in client.get("/account/tokens").get_data(as_text=True)


def test_creating_a_token_needs_a_csrf_token(client, auth, world, fresh):
    auth.login("teacher@example.org")
    assert client.post("/account/tokens", data={"label": "x"}).status_code == 400
    with fresh() as s:
        assert s.exec(select(ApiToken)).all() == []


def test_a_user_revokes_their_own_token_but_not_anothers(client, auth, world, make, fresh):
    with make.session() as s:
        accounts.issue_token(session=s, user=world["coordinator"], label="mine")
        accounts.issue_token(session=s, user=world["other"], label="theirs")
    with fresh() as s:
        ids = {t.label: t.id for t in s.exec(select(ApiToken))}
    auth.login("teacher@example.org")
    token = csrf_token(client, "/account/tokens")
    theirs = client.post(f"/account/tokens/{ids['theirs']}/revoke", data={"csrf_token": token})
    assert theirs.status_code == 404
    mine = client.post(f"/account/tokens/{ids['mine']}/revoke", data={"csrf_token": token})
    assert mine.status_code == 303
    with fresh() as s:
        revoked = {t.label: t.revoked_at is not None for t in s.exec(select(ApiToken))}
    assert revoked == {"mine": True, "theirs": False}


def test_staff_list_and_revoke_every_token(client, auth, world, make, fresh):
    with make.session() as s:
        secret = accounts.issue_token(session=s, user=world["other"], label="leeds sheet")
    auth.login()
    listing = page(client.get("/users"))
    cells = [td.get_text(strip=True) for td in listing.select("table.tokens td")]
    assert cells[:2] == ["leeds@example.org", "leeds sheet"]
    with fresh() as s:
        token_id = s.exec(select(ApiToken.id)).one()
    response = client.post(
        f"/users/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(client, "/users")}
    )
    assert response.status_code == 303
    assert client.get(
        "/api/v1/mailings", headers={"Authorization": f"Bearer {secret}"}
    ).status_code == (401)


@pytest.mark.parametrize("url", ["/users/tokens/1/revoke"])
def test_coordinators_cannot_revoke_tokens_as_staff(client, auth, world, url):
    auth.login("teacher@example.org")
    response = client.post(url, data={"csrf_token": csrf_token(client, "/account/tokens")})
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/account/tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
