"""State changes: every state-changing route needs a CSRF token (S1), and no GET or HEAD
changes anything (S2). Both sweep ``app.url_map``; the database is compared whole.
"""

import io

import pytest

from tests.conftest import BATCH
from tests.conftest import PASSWORD
from tests.conftest import Auth
from tests.conftest import csrf_token
from tests.web.conftest import UNSAFE_METHODS
from tests.web.conftest import changes
from tests.web.conftest import get_urls
from tests.web.conftest import routes
from tests.web.conftest import snapshot
from tests.web.conftest import url_of

CAMPAIGN = {
    "title": "Free Azimjan Askarov",
    "slug": "azimjan-askarov",
    "status": "active",
    "starts_on": "2025-11-20",
    "country": "KG",
    "counter_threshold": "0",
}
RECIPIENT = {"key": "embassy", "role": "copy", "name": "Embassy of Kyrgyzstan", "country": "GB"}
CHAPTER = {"name": "Hillside School", "slug": "hillside", "kind": "school", "town": "Bath"}
MAILING = BATCH | {"count": "2", "chapter": "class-4b"}
IMPORT = (
    b"campaign,recipient,channel,sender_town,sender_country,sent_on,count\n"
    b"azimjan-askarov,president,letter,Columbus,US,2025-12-10,4\n"
)

# Every state-changing page route: the form staff send it, and what it answers once the
# CSRF token is right, proving the request went through to the view. A route not
# written here fails test_every_state_changing_route_is_in_the_sweep.
FORMS = {
    "account.login": ({"email": "staff@example.org", "password": PASSWORD}, 302),
    "account.logout": ({}, 302),
    "account.password": (
        {"current_password": PASSWORD, "new_password": "a fresh passphrase, 2026"},
        302,
    ),
    "account.tokens": ({"label": "school spreadsheet"}, 200),
    "account.revoke_token": ({}, 303),
    "batches.change_status": ({"action": "posted"}, 303),
    "campaigns.delete_phrase": ({}, 303),
    "campaigns.edit": (CAMPAIGN | {"goal": "500"}, 303),
    "campaigns.edit_phrase": ({"text": "Держитесь!", "language": "ru"}, 303),
    "campaigns.edit_recipient": (RECIPIENT | {"key": "president"}, 303),
    "campaigns.new": (CAMPAIGN | {"slug": "second-case"}, 303),
    "campaigns.new_phrase": ({"text": "Вы не одни.", "language": "ru"}, 303),
    "campaigns.new_recipient": (RECIPIENT, 303),
    "chapters.edit": (CHAPTER | {"slug": "class-4b", "country": "US"}, 303),
    "chapters.new": (CHAPTER | {"country": "GB"}, 303),
    "mailings.change_status": ({"action": "void"}, 303),
    "mailings.new": (MAILING | {"submission_id": "csrf-sweep"}, 303),
    "reports.import_file": ({"file": IMPORT, "action": "import"}, 200),
    "users.new": ({"email": "new@example.org", "role": "coordinator", "chapter": "leeds"}, 200),
    "users.revoke_token": ({}, 303),
    "users.toggle_active": ({}, 303),
}
# The JSON API signs in with bearer tokens only: what each write is sent with a token,
# and its answer. A cookie-signed-in browser cannot use it at all (see below).
API = {
    "api.create_mailings": (MAILING | {"count": 2}, {"Idempotency-Key": "csrf-1"}, 201),
    "api.mark_posted": (None, {}, 200),
    "api.mark_void": (None, {}, 200),
}


def signed_in(app, email="staff@example.org"):
    """A new client signed in as *email* through the real form."""
    client = app.test_client()
    assert Auth(client).login(email).status_code == 302
    return client


def form_body(form: dict, token: str | None) -> dict:
    """Fresh request data: file fields as uploads, the CSRF token added if given."""
    body = {
        name: (io.BytesIO(value), "mailings.csv") if isinstance(value, bytes) else value
        for name, value in form.items()
    }
    return body if token is None else body | {"csrf_token": token}


def unsafe_rule(app, endpoint):
    found = [(r, method) for r, method in routes(app, UNSAFE_METHODS) if r.endpoint == endpoint]
    assert found, f"{endpoint} takes no POST, PUT, PATCH or DELETE any more"
    return found


def test_every_state_changing_route_is_in_the_sweep(app):
    endpoints = {rule.endpoint for rule, _ in routes(app, UNSAFE_METHODS)}
    swept = set(FORMS) | set(API)
    assert sorted(endpoints - swept) == [], "state-changing routes missing from FORMS or API"
    assert sorted(swept - endpoints) == [], "FORMS or API name routes that are gone"


@pytest.fixture
def wrong_tokens(app, world):
    """Tokens a forger might send: none, made up, and a real one of another session."""
    other = app.test_client()
    return {
        "missing": None,
        "made up": "IjRmZmY0NDQ0NDQ0NDQ0NDQ0NDQ0NDQi.forged.signature",
        "another session's": csrf_token(other, "/login"),
    }


@pytest.mark.parametrize("endpoint", sorted(FORMS))
def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    app, engine, sample, wrong_tokens, no_rate_limits, endpoint
):
    form, status = FORMS[endpoint]
    client = signed_in(app)
    for rule, method in unsafe_rule(app, endpoint):
        url = url_of(app, rule, sample)
        for name, token in wrong_tokens.items():
            before = snapshot(engine)
            response = client.open(url, method=method, data=form_body(form, token))
            assert response.status_code == 400, (url, name)
            assert "CSRF" in response.get_data(as_text=True), (url, name)
            assert changes(before, snapshot(engine)) == [], (url, name)
        token = csrf_token(client, "/mailings/new")
        response = client.open(url, method=method, data=form_body(form, token))
        assert response.status_code == status, (url, response.status_code)


@pytest.mark.parametrize("endpoint", sorted(API))
def test_a_signed_in_browser_cannot_drive_the_api(
    app, engine, sample, api_tokens, wrong_tokens, endpoint
):
    """The API is exempt from the form CSRF check because cookies never sign it in: with
    the session cookie and no bearer token, a write is refused whatever CSRF token it
    carries (400 without a good one, 401 with one), and nothing changes.
    """
    body, headers, status = API[endpoint]
    client = signed_in(app)
    for rule, method in unsafe_rule(app, endpoint):
        url = url_of(app, rule, sample)
        for name, token in wrong_tokens.items():
            before = snapshot(engine)
            csrf = {} if token is None else {"X-CSRFToken": token}
            response = client.open(url, method=method, json=body, headers=headers | csrf)
            assert response.status_code == 400, (url, name)
            assert changes(before, snapshot(engine)) == [], (url, name)
        before = snapshot(engine)
        csrf = {"X-CSRFToken": csrf_token(client, "/mailings/new")}
        response = client.open(url, method=method, json=body, headers=headers | csrf)
        assert response.status_code == 401, url
        assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
        assert changes(before, snapshot(engine)) == [], url
        # A bearer token is what signs the API in; it needs no CSRF token, cookies or not.
        bearer = {"Authorization": f"Bearer {api_tokens['staff']}"}
        response = client.open(url, method=method, json=body, headers=headers | bearer)
        assert response.status_code == status, (url, response.get_data(as_text=True))


# --- S2: GET and HEAD change nothing -------------------------------------------------

# Beyond each route with its bare arguments: the query strings people really send.
WITH_QUERIES = [
    "/login?next=/mailings",
    "/language?lang=fr&next=/postage",
    "/postage?from=US&to=KG&kind=letter&weight=20&unit=g",
    "/campaigns/azimjan-askarov?from=GB&to=KG&kind=postcard&weight=5",
    "/mailings?campaign=azimjan-askarov&channel=letter&status=logged&since=2025-01-01",
    "/mailings?before=999999999999",
    "/reports?campaign=azimjan-askarov&chapter=class-4b&status=logged",
    "/reports/mailings.xlsx?chapter=class-4b",
    "/reports/mailings.json?since=2025-01-01&until=2026-12-31",
    "/reports/summary.xlsx",
    "/dashboard/azimjan-askarov?chapter=class-4b&channel=letter&since=2025-01-01",
    "/dashboard/azimjan-askarov/totals.json?chapter=class-4b",
    "/batches/{batch_id}/slips.pdf?paper=Letter",
    "/campaigns/azimjan-askarov/tally.pdf?paper=A4",
    "/api/v1/postage/quote?from=US&to=KG&kind=letter&weight_g=20",
    "/api/v1/mailings?chapter=class-4b&limit=1",
    "/api/v1/campaigns/azimjan-askarov/totals?chapter=class-4b",
]
IDENTITIES = {
    "anonymous": (None, None),
    "staff": ("staff@example.org", None),
    "coordinator": ("teacher@example.org", None),
    "staff's token": (None, "staff"),
    "coordinator's token": (None, "coordinator"),
}


@pytest.mark.parametrize("who", list(IDENTITIES))
def test_get_and_head_change_nothing(app, engine, sample, api_tokens, no_rate_limits, who):
    email, token = IDENTITIES[who]
    client = signed_in(app, email) if email else app.test_client()
    headers = {"Authorization": f"Bearer {api_tokens[token]}"} if token else {}
    urls = [url for _, url in get_urls(app, sample)]
    urls += [url.format(**sample) for url in WITH_QUERIES]
    assert len(urls) > 60
    found = {}
    for url in urls:
        for method in ("GET", "HEAD"):
            before = snapshot(engine)
            response = client.open(url, method=method, headers=headers)
            response.get_data()  # run a streamed export to its end
            response.close()
            assert response.status_code < 500, (method, url)
            if changed := changes(before, snapshot(engine)):
                found[f"{method} {url}"] = changed
    assert found == {}
