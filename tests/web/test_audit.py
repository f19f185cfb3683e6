"""The audit log (S13): one JSON line per security event, with time, user, address, id."""

import datetime as dt
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from models import Mailing
from tests.conftest import PASSWORD
from tests.conftest import csrf_token
from tests.conftest import page


@pytest.fixture
def audit_lines(caplog):
    """Return the audit lines written so far, parsed."""
    caplog.set_level(logging.INFO, logger="lettertrail.audit")

    def lines(event=None):
        found = [
            json.loads(r.getMessage()) for r in caplog.records if r.name == "lettertrail.audit"
        ]
        return [line for line in found if event is None or line["event"] == event]

    return lines


def raw_audit(caplog) -> str:
    return "".join(r.getMessage() for r in caplog.records if r.name == "lettertrail.audit")


def test_a_refused_sign_in_writes_one_line_without_the_password(
    client, auth, world, audit_lines, caplog
):
    response = auth.login(password="a secret attempt")
    assert response.status_code == 401
    (line,) = audit_lines()
    assert line["event"] == "sign_in_failed"
    assert line["user"] is None
    assert line["address"] == "127.0.0.1"
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["details"] == {"email": "staff@example.org"}
    when = dt.datetime.fromisoformat(line["time"])
    assert when.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - when) < dt.timedelta(minutes=1)
    assert "a secret attempt" not in caplog.text


def test_a_sign_in_writes_who_and_no_password_or_cookie(client, auth, world, audit_lines, caplog):
    auth.login()
    (line,) = audit_lines()
    assert (line["event"], line["user"]) == ("sign_in", world["staff"].id)
    assert PASSWORD not in caplog.text
    assert client.get_cookie("session").value not in caplog.text


def test_a_newline_in_input_cannot_start_a_line(client, world, audit_lines, caplog):
    forged = 'x@example.org\n{"event": "sign_in", "user": 1}\r\nmore'
    token = csrf_token(client, "/login")
    client.post("/login", data={"email": forged, "password": "wrong", "csrf_token": token})
    records = [r for r in caplog.records if r.name == "lettertrail.audit"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert "\n" not in message and "\r" not in message
    assert json.loads(message)["details"]["email"] == forged


def test_access_refusals_are_written(client, auth, make, world, audit_lines):
    batch = make.batch(world["staff"])
    auth.login("teacher@example.org")
    assert client.get(f"/batches/{batch.id}").status_code == 404  # another chapter's
    assert client.get("/users").status_code == 403  # staff only
    refused = audit_lines("access_refused")
    assert [(r["details"]["status"], r["details"]["path"]) for r in refused] == [
        (404, f"/batches/{batch.id}"),
        (403, "/users"),
    ]
    assert {r["user"] for r in refused} == {world["coordinator"].id}


def test_exports_are_written(client, auth, world, audit_lines):
    auth.login()
    with client.get("/reports/mailings.csv?campaign=azimjan-askarov") as response:
        assert response.status_code == 200
    (line,) = audit_lines("export")
    assert line["user"] == world["staff"].id
    assert line["details"]["filters"] == {"campaign": "azimjan-askarov"}
    assert line["details"]["file"].endswith(".csv")


def test_voids_are_written(client, auth, make, world, fresh, audit_lines):
    batch = make.batch(world["coordinator"], count=2)
    with fresh() as s:
        code = s.exec(select(Mailing.code).where(Mailing.batch_id == batch.id)).first()
    auth.login("teacher@example.org")
    token = csrf_token(client, f"/mailings/{code}")
    client.post(f"/mailings/{code}/status", data={"action": "void", "csrf_token": token})
    client.post(f"/batches/{batch.id}/status", data={"action": "void", "csrf_token": token})
    voids = audit_lines("void")
    assert [v["details"] for v in voids] == [
        {"mailings": [code]},
        {"batch": batch.id, "changed": 1},
    ]


def test_role_changes_are_written(client, auth, world, audit_lines, caplog):
    auth.login()
    token = csrf_token(client, "/users/new")
    form = {"email": "new@example.org", "role": "coordinator", "chapter": "class-4b"}
    response = client.post("/users/new", data={**form, "csrf_token": token})
    assert response.status_code == 200
    client.post(f"/users/{world['other'].id}/active", data={"csrf_token": token})
    client.post(f"/users/{world['other'].id}/active", data={"csrf_token": token})
    events = [(line["event"], line["details"]) for line in audit_lines()[1:]]  # after sign-in
    assert events[0][0] == "user_created"
    assert events[0][1]["role"] == "coordinator"
    assert events[1:] == [
        ("account_disabled", {"target": world["other"].id}),
        ("account_enabled", {"target": world["other"].id}),
    ]
    assert "secret" not in raw_audit(caplog).lower()


def test_every_response_carries_its_own_request_id(client):
    ids = {client.get(url).headers["X-Request-ID"] for url in ("/", "/", "/no/such/page")}
    assert len(ids) == 3


def test_a_view_refusing_another_users_token_is_written(client, auth, world, audit_lines):
    auth.login("teacher@example.org")
    token = csrf_token(client, "/account/tokens")
    response = client.post("/account/tokens/999999/revoke", data={"csrf_token": token})
    assert response.status_code == 404
    (line,) = audit_lines("access_refused")
    assert line["details"]["path"] == "/account/tokens/999999/revoke"


def test_unknown_urls_and_anonymous_misses_are_not_refusals(client, audit_lines):
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/m/ZZZZ-ZZZZ-ZZ").status_code == 404
    assert audit_lines("access_refused") == []


def test_sign_out_password_change_tokens_and_phrase_deletion_are_written(
    client, auth, world, audit_lines, caplog
):
    auth.login()
    token = csrf_token(client, "/account/tokens")
    created = client.post("/account/tokens", data={"label": "laptop", "csrf_token": token})
    secret = page(created).select_one(".secret code").get_text(strip=True)
    (made,) = audit_lines("token_created")
    listed = page(client.get("/account/tokens"))
    token_id = int(listed.select_one("form[action$='/revoke']")["action"].split("/")[-2])
    client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": token})
    client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a new and long passphrase",
            "csrf_token": token,
        },
    )
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/tokens")})
    events = [line["event"] for line in audit_lines()]
    assert events == [
        "sign_in",
        "token_created",
        "token_revoked",
        "password_changed",
        "sign_out",
    ]
    assert made["details"] == {"label": "laptop", "target": world["staff"].id}
    assert secret not in raw_audit(caplog)
    assert "a new and long passphrase" not in raw_audit(caplog)


def test_command_line_actions_are_written_with_who_ran_them(
    runner, world, audit_lines, caplog, monkeypatch, tmp_path
):
    monkeypatch.setenv("USER", "operator-on-duty")
    monkeypatch.setenv("LOGNAME", "operator-on-duty")
    runs = [
        ["users", "create", "new@example.org", "--role", "staff", "--password", PASSWORD],
        ["users", "token", "new@example.org", "--label", "cron"],
        ["export", "mailings", "--campaign", "azimjan-askarov", "-o", str(tmp_path / "m.csv")],
        ["purge", "--older-than", "24m"],
        ["totals", "rebuild"],
    ]
    outputs = []
    for args in runs:
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    lines = audit_lines()
    assert [line["event"] for line in lines] == [
        "user_created",
        "token_created",
        "export",
        "purge",
        "totals_rebuilt",
    ]
    for line in lines:
        assert (line["via"], line["operator"], line["address"]) == (
            "command line",
            "operator-on-duty",
            None,
        )
    assert lines[2]["details"]["filters"] == {"campaign": "azimjan-askarov"}
    assert lines[3]["details"]["mailings"] == 0
    assert outputs[1].strip() not in raw_audit(caplog)  # the token itself
    assert PASSWORD not in raw_audit(caplog)


def test_with_no_logging_set_up_a_flask_command_writes_its_line_to_stderr(
    database_url, engine, world, tmp_path
):
    # A fresh interpreter, as an operator's shell starts one: no handler anywhere.
    env = {
        **os.environ,
        "LETTERTRAIL_DATABASE_URL": database_url,
        "LETTERTRAIL_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run(  # noqa: S603 - our own flask command, fixed arguments
        [flask, "--app", "app", "purge", "--older-than", "24m"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (line,) = [json.loads(x) for x in result.stderr.splitlines() if x.startswith("{")]
    assert (line["event"], line["via"]) == ("purge", "command line")
