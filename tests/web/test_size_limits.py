"""Request sizes (S11): 1 MiB for forms and the JSON API, 10 MB for the CSV import only.

Every route that takes a body is swept: one byte over its limit is a 413 (a page in
the reader's language, or the API's JSON error), never a 500, and nothing is written.
A route missing from the table below fails the sweep.
"""

import io
import json
from urllib.parse import urlencode

import pytest
from flask import url_for
from sqlalchemy import text
from sqlmodel import select

import models
from app.services import accounts
from app.services import campaigns
from app.services.reports import imports
from models import ApiToken
from models import Mailing
from models import PhraseCreate
from tests.conftest import BATCH
from tests.conftest import PASSWORD
from tests.conftest import csrf_token
from tests.conftest import page
from tests.web.test_xss import CAMPAIGN_FORM
from tests.web.test_xss import CHAPTER_FORM
from tests.web.test_xss import MAILING_FORM
from tests.web.test_xss import PHRASE_FORM
from tests.web.test_xss import RECIPIENT_FORM
from tests.web.test_xss import USER_FORM

MIB = 1024 * 1024
# One byte over: forms and the API take 1 MiB; the import 10 MB and room for the form.
FORM_LIMIT = MIB
IMPORT_LIMIT = imports.MAX_IMPORT_BYTES + 64 * 1024
API_BODY = BATCH | {"count": 3}
# Every route that takes a body: how it is sent ("form" with the signed-in staff
# member's CSRF token, "api" with a bearer token, "import" as a file), and the values
# that would change something if the body were read.
WRITES = {
    "account.login": ("form", {"email": "staff@example.org", "password": PASSWORD}),
    "account.logout": ("form", {}),
    "account.password": (
        "form",
        {"current_password": PASSWORD, "new_password": "a brand new passphrase"},
    ),
    "account.revoke_token": ("form", {}),
    "account.tokens": ("form", {"label": "script"}),
    "api.create_mailings": ("api", API_BODY),
    "api.mark_posted": ("api", {}),
    "api.mark_void": ("api", {}),
    "batches.change_status": ("form", {"action": "posted"}),
    "campaigns.delete_phrase": ("form", {}),
    "campaigns.edit": ("form", CAMPAIGN_FORM | {"slug": "azimjan-askarov"}),
    "campaigns.edit_phrase": ("form", PHRASE_FORM),
    "campaigns.edit_recipient": ("form", RECIPIENT_FORM | {"key": "president"}),
    "campaigns.new": ("form", CAMPAIGN_FORM),
    "campaigns.new_phrase": ("form", PHRASE_FORM),
    "campaigns.new_recipient": ("form", RECIPIENT_FORM),
    "chapters.edit": ("form", CHAPTER_FORM | {"slug": "class-4b"}),
    "chapters.new": ("form", CHAPTER_FORM),
    "mailings.change_status": ("form", {"action": "posted"}),
    "mailings.new": ("form", MAILING_FORM),
    "reports.import_file": ("import", {"action": "import"}),
    "users.new": ("form", USER_FORM),
    "users.revoke_token": ("form", {}),
    "users.toggle_active": ("form", {}),
}
GOOD_CSV = (
    "campaign,recipient,channel,sender_town,sender_country,sent_on,count\n"
    "azimjan-askarov,president,letter,Columbus,US,2025-12-10,28\n"
)


def rows(fresh) -> int:
    with fresh() as s:
        return len(s.exec(select(Mailing.id)).all())


def write_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
    ]


def test_every_route_that_takes_a_body_is_in_the_sweep(app):
    assert {rule.endpoint for rule in write_rules(app)} == set(WRITES)


@pytest.fixture
def sample(world, make, fresh):
    """A batch, a phrase and a token each, so every URL argument names a real row."""
    batch = make.batch(world["staff"])
    with make.session() as s:
        phrase = campaigns.save_phrase(
            session=s, campaign=world["campaign"], data=PhraseCreate(**PHRASE_FORM)
        )
        bearer = accounts.issue_token(session=s, user=world["staff"])
    with fresh() as s:
        code = s.exec(select(Mailing.code).where(Mailing.batch_id == batch.id)).first()
        token_id = s.exec(select(ApiToken.id)).one()
    return {
        "values": {
            "slug": "azimjan-askarov",
            "key": "president",
            "phrase_id": phrase.id,
            "batch_id": batch.id,
            "code": code,
            "token_id": token_id,
            "user_id": world["coordinator"].id,
        },
        "bearer": bearer,
    }


def url_of(app, endpoint: str, values: dict) -> str:
    (rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    if endpoint.startswith("chapters."):
        values = values | {"slug": "class-4b"}
    with app.test_request_context():
        return url_for(endpoint, **{name: values[name] for name in rule.arguments})


def snapshot(engine) -> dict:
    """Every row of every table, to show that a refused request wrote nothing."""
    with engine.connect() as conn:
        return {
            table.name: conn.execute(
                text(f'SELECT * FROM "{table.name}" ORDER BY 1')  # noqa: S608 - our table names
            ).all()
            for table in models.metadata.sorted_tables
        }


def padded_form(fields: dict, size: int) -> bytes:
    """URL-encode *fields* and pad them with one more field to exactly *size* bytes."""
    body = urlencode(fields) + "&pad="
    return (body + "x" * (size - len(body))).encode()


def multipart(fields: list[tuple[str, str]], file: bytes | None = None) -> tuple[bytes, str]:
    """Build a multipart body by hand (the test client would spool a large one)."""
    boundary = "----lettertrail-size-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields
    ]
    if file is not None:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="tally.csv"\r\nContent-Type: text/csv\r\n\r\n'.encode()
            + file
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def import_body(token: str, size: int, *, file_size: int | None = None) -> tuple[bytes, str]:
    """A CSV import of exactly *size* bytes (or a file of *file_size*): a good line, then
    lines of spaces, which the import skips."""
    form = [("csrf_token", token), ("action", "import")]
    if file_size is None:
        file_size = size - len(multipart(form, b"")[0])
    csv = GOOD_CSV.encode()
    while len(csv) < file_size:
        csv += b" " * min(100_000, file_size - len(csv) - 1) + b"\n"
    return multipart(form, csv)


def send(app, client, sample, endpoint: str, size: int):
    """Send *endpoint* a body of exactly *size* bytes, the way its callers do."""
    how, fields = WRITES[endpoint]
    url = url_of(app, endpoint, sample["values"])
    if how == "api":
        body = json.dumps(fields | {"pad": ""})
        body = body[:-2] + "x" * (size - len(body)) + body[-2:]
        headers = {"Authorization": f"Bearer {sample['bearer']}", "Idempotency-Key": "k-1"}
        return app.test_client().post(
            url, data=body.encode(), content_type="application/json", headers=headers
        )
    token = csrf_token(client, "/account/tokens")
    if how == "import":
        body, content_type = import_body(token, size)
        return client.post(url, data=body, content_type=content_type)
    body = padded_form(fields | {"csrf_token": token}, size)
    return client.post(url, data=body, content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("endpoint", sorted(WRITES))
def test_one_byte_over_the_limit_is_a_413_and_writes_nothing(
    app, client, auth, sample, engine, endpoint
):
    auth.login()
    limit = IMPORT_LIMIT if WRITES[endpoint][0] == "import" else FORM_LIMIT
    before = snapshot(engine)
    response = send(app, client, sample, endpoint, limit + 1)
    assert response.status_code == 413
    if WRITES[endpoint][0] == "api":
        assert "larger than 1 MB" in response.get_json()["errors"][0]["message"]
    elif WRITES[endpoint][0] == "import":
        assert "larger than 10 MB" in page(response).get_text()
    else:
        assert response.mimetype == "text/html"
        assert page(response).h1.get_text() == "Too large"
        assert "larger than 1 MB" in page(response).get_text()
    assert snapshot(engine) == before


@pytest.mark.parametrize("endpoint", ["mailings.new", "api.create_mailings", "api.mark_posted"])
def test_a_body_at_the_limit_is_read(app, client, auth, sample, engine, endpoint):
    """The limit refuses only what is over it: the same requests, at 1 MiB, work."""
    auth.login()
    before = snapshot(engine)
    response = send(app, client, sample, endpoint, FORM_LIMIT)
    assert response.status_code in (200, 201, 303), response.get_data(as_text=True)[:300]
    assert snapshot(engine) != before


def test_an_import_of_a_10_mb_file_is_read(client, auth, sample, fresh):
    auth.login()
    before = rows(fresh)
    body, content_type = import_body(csrf_token(client, "/reports"), 0, file_size=10 * 10**6)
    assert FORM_LIMIT * 9 < len(body) < IMPORT_LIMIT
    response = client.post("/reports/import", data=body, content_type=content_type)
    assert response.status_code == 200, page(response).get_text()[:300]
    assert rows(fresh) == before + 28


def test_the_413_page_speaks_the_readers_language(client, auth, sample):
    auth.login()
    token = csrf_token(client, "/mailings/new")
    body = padded_form(MAILING_FORM | {"csrf_token": token}, FORM_LIMIT + 1)
    response = client.post(
        "/mailings/new?lang=fr", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert page(response).h1.get_text() == "Trop volumineux"
    assert "1 Mo" in page(response).get_text()


# --- multipart forms: many small parts -----------------------------------------------------


def test_a_multipart_form_over_1_mib_in_many_small_fields_is_a_413(app, client, auth, sample):
    auth.login()
    token = csrf_token(client, "/mailings/new")
    fields = [("csrf_token", token), *MAILING_FORM.items()]
    fields += [(f"f{i}", "x" * 40) for i in range(MIB // 80)]
    body, content_type = multipart(fields)
    assert len(body) > MIB
    response = client.post("/mailings/new", data=body, content_type=content_type)
    assert response.status_code == 413


@pytest.mark.parametrize("url", ["/mailings/new", "/reports/import"])
def test_a_multipart_form_of_too_many_parts_is_a_413_even_under_1_mib(
    app, client, auth, sample, engine, url
):
    auth.login()
    token = csrf_token(client, "/reports")
    limit = app.config["MAX_FORM_PARTS"]
    fields = [("csrf_token", token), *MAILING_FORM.items()]
    fields += [(f"f{i}", "x") for i in range(limit)]
    body, content_type = multipart(fields, GOOD_CSV.encode() if "import" in url else None)
    assert len(body) < MIB / 4
    before = snapshot(engine)
    response = client.post(url, data=body, content_type=content_type)
    assert response.status_code == 413
    assert snapshot(engine) == before


def test_one_multipart_text_field_over_the_form_memory_limit_is_a_413(app, client, auth, sample):
    auth.login()
    token = csrf_token(client, "/mailings/new")
    big = "x" * (app.config["MAX_FORM_MEMORY_SIZE"] + 1)
    body, content_type = multipart([("csrf_token", token), ("sender_town", big)])
    assert len(body) < MIB
    response = client.post("/mailings/new", data=body, content_type=content_type)
    assert response.status_code == 413


def test_the_form_limits_are_set_in_the_config(app):
    assert app.config["MAX_CONTENT_LENGTH"] == MIB
    # The longest field (a summary, 5,000 characters of up to 4 bytes) fits many times,
    # and so does Werkzeug's 64 KiB read, which it counts too; a megabyte does not.
    assert 5_000 * 4 < 64 * 1024 < app.config["MAX_FORM_MEMORY_SIZE"] <= MIB / 2
    # The longest form (logging mail) has 13 fields.
    assert 13 < app.config["MAX_FORM_PARTS"] <= 200


def test_a_body_of_unknown_length_over_1_mib_is_a_413(app, client, auth, sample):
    """Sent in chunks, without a Content-Length, a body is cut off at the limit as read."""
    auth.login()
    token = csrf_token(client, "/mailings/new")
    body = padded_form(MAILING_FORM | {"csrf_token": token}, 2 * MIB)
    response = client.post(
        "/mailings/new",
        input_stream=io.BytesIO(body),
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
