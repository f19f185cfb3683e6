"""Who may use each route (S3): a sweep of ``app.url_map`` against an explicit policy,
and coordinators kept to their own chapter's mail, batches, slips and exports.
"""

import csv
import io
import json
import re
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import openpyxl
import pytest
from sqlmodel import select

from models import ApiToken
from models import Mailing
from models import Role
from tests.conftest import Auth
from tests.conftest import csrf_token
from tests.conftest import page
from tests.web.conftest import UNSAFE_METHODS
from tests.web.conftest import changes
from tests.web.conftest import routes
from tests.web.conftest import snapshot
from tests.web.conftest import url_of

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed-in"  # coordinators and staff, signed in with the session cookie
STAFF = "staff"  # staff only, signed in with the session cookie
BEARER = "api-bearer"  # coordinators and staff, with an API token; never the cookie

# Every endpoint, and who may use it. A route missing here fails the sweep.
POLICY = {
    "account.login": PUBLIC,
    "account.logout": PUBLIC,
    "account.password": SIGNED_IN,
    "account.revoke_token": SIGNED_IN,
    "account.tokens": SIGNED_IN,
    "api.campaign_totals_view": PUBLIC,
    "api.create_mailings": BEARER,
    "api.list_campaigns": PUBLIC,
    "api.list_mailings": BEARER,
    "api.mark_posted": BEARER,
    "api.mark_void": BEARER,
    "api.openapi": PUBLIC,
    "api.postage_quote": PUBLIC,
    "api.show_mailing": BEARER,
    "batches.change_status": SIGNED_IN,
    "batches.sheet": SIGNED_IN,
    "batches.show": SIGNED_IN,
    "campaigns.delete_phrase": STAFF,
    "campaigns.edit": STAFF,
    "campaigns.edit_phrase": STAFF,
    "campaigns.edit_recipient": STAFF,
    "campaigns.index": STAFF,
    "campaigns.new": STAFF,
    "campaigns.new_phrase": STAFF,
    "campaigns.new_recipient": STAFF,
    "campaigns.show": PUBLIC,
    "campaigns.tally": SIGNED_IN,
    "chapters.edit": STAFF,
    "chapters.index": STAFF,
    "chapters.new": STAFF,
    "counter.campaign": PUBLIC,
    "counter.campaign_embed": PUBLIC,
    "counter.chapter": PUBLIC,
    "counter.chapter_embed": PUBLIC,
    "dashboard.index": SIGNED_IN,
    "dashboard.show": SIGNED_IN,
    "dashboard.totals_csv": SIGNED_IN,
    "dashboard.totals_json": SIGNED_IN,
    "language.choose": PUBLIC,
    "mailings.change_status": SIGNED_IN,
    "mailings.index": SIGNED_IN,
    "mailings.new": SIGNED_IN,
    "mailings.show": SIGNED_IN,
    "main.healthz": PUBLIC,
    "main.index": PUBLIC,
    "postage.calculator": PUBLIC,
    "privacy.page": PUBLIC,
    "reports.import_file": SIGNED_IN,
    "reports.index": SIGNED_IN,
    "reports.mailings": SIGNED_IN,
    "reports.osdi": SIGNED_IN,
    "reports.summary": SIGNED_IN,
    "scan.show": PUBLIC,
    "slips.show": SIGNED_IN,
    "static": PUBLIC,
    "users.index": STAFF,
    "users.new": STAFF,
    "users.revoke_token": STAFF,
    "users.toggle_active": STAFF,
}

ALLOWED = "allowed"
LOGIN = "sent to sign in"
FORBIDDEN = "403"
UNAUTHORIZED = "401"

# Who asks (a browser signed in or not, or a script with a token and no signed-in
# session), and what each kind of route answers them.
IDENTITIES = ("anonymous", "coordinator", "staff", "coordinator's token", "staff's token")
EXPECTED = {
    PUBLIC: dict.fromkeys(IDENTITIES, ALLOWED),
    SIGNED_IN: {
        "anonymous": LOGIN,
        "coordinator": ALLOWED,
        "staff": ALLOWED,
        "coordinator's token": LOGIN,
        "staff's token": LOGIN,
    },
    STAFF: {
        "anonymous": LOGIN,
        "coordinator": FORBIDDEN,
        "staff": ALLOWED,
        "coordinator's token": LOGIN,
        "staff's token": LOGIN,
    },
    BEARER: {
        "anonymous": UNAUTHORIZED,
        "coordinator": UNAUTHORIZED,
        "staff": UNAUTHORIZED,
        "coordinator's token": ALLOWED,
        "staff's token": ALLOWED,
    },
}
# Routes that need a query string to answer at all.
QUERIES = {"api.postage_quote": "?from=US&to=KG&kind=letter&weight_g=20"}
SIGN_IN = {"coordinator": "teacher@example.org", "staff": "staff@example.org"}
TOKEN_OF = {"coordinator's token": "coordinator", "staff's token": "staff"}


def test_the_policy_names_every_route_and_only_them(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - POLICY.keys())
    assert missing == [], f"routes with no line in POLICY: {', '.join(missing)}"
    gone = sorted(POLICY.keys() - endpoints)
    assert gone == [], f"POLICY names routes that are gone: {', '.join(gone)}"


def declared(app, endpoint, openapi) -> str:
    """Read who may use *endpoint* from its decorators, or for the API from its document."""
    view = app.view_functions[endpoint]
    if getattr(view, "public", False):
        return PUBLIC
    if endpoint.startswith("api."):
        (rule,) = app.url_map.iter_rules(endpoint)
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        operations = openapi["paths"].get(path, {}).values()
        return BEARER if any(op.get("security") for op in operations) else PUBLIC
    roles = set(getattr(view, "roles", ()))
    if roles == {Role.STAFF}:
        return STAFF
    if roles == {Role.STAFF, Role.COORDINATOR}:
        return SIGNED_IN
    assert not roles, f"{endpoint} has roles {roles} the policy has no name for"
    return PUBLIC


def test_the_policy_agrees_with_the_decorators(app, client):
    openapi = client.get("/api/v1/openapi.json").get_json()
    found = {endpoint: declared(app, endpoint, openapi) for endpoint in POLICY}
    assert {e: w for e, w in found.items() if w != POLICY[e]} == {}


def browser(app, api_tokens, who):
    """A client for *who*, with a CSRF token and the headers its requests carry.

    A token's client has an anonymous session too, so its forms pass the CSRF check
    and meet the sign-in check behind it.
    """
    client = app.test_client()
    if who in SIGN_IN:
        assert Auth(client).login(SIGN_IN[who]).status_code == 302
    token = csrf_token(client, "/login")
    headers = {"X-CSRFToken": token}
    if who in TOKEN_OF:
        headers["Authorization"] = f"Bearer {api_tokens[TOKEN_OF[who]]}"
    return client, token, headers


def outcome(response) -> str:
    """Name what *response* did: refused in one of the three ways, or let through."""
    location = urlsplit(response.headers.get("Location", ""))
    if response.status_code == 302 and location.path == "/login":
        return LOGIN
    if response.status_code == 401:
        assert response.is_json, "a 401 is the API's, in JSON"
        assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
        return UNAUTHORIZED
    if response.status_code == 403:
        return FORBIDDEN
    return ALLOWED


def sweep_order(route):
    rule, method = route
    # Reads first, then writes; signing out last, as it ends the session.
    return (method != "GET", rule.endpoint == "account.logout", rule.rule)


@pytest.mark.parametrize("who", IDENTITIES)
def test_every_route_answers_as_the_policy_says(
    app, engine, sample, api_tokens, no_rate_limits, who
):
    client, token, headers = browser(app, api_tokens, who)
    problems = {}
    swept = sorted(routes(app), key=sweep_order)
    for rule, method in swept:
        url = url_of(app, rule, sample) + QUERIES.get(rule.endpoint, "")
        expected = EXPECTED[POLICY[rule.endpoint]][who]
        before = snapshot(engine)
        kwargs = {"headers": headers}
        if method in UNSAFE_METHODS:
            # An empty form with a good CSRF token: enough to meet the access check.
            is_api = rule.endpoint.startswith("api.")
            kwargs |= {"json": {}} if is_api else {"data": {"csrf_token": token}}
        response = client.open(url, method=method, **kwargs)
        response.close()
        got = outcome(response)
        if response.status_code >= 500:
            problems[f"{method} {url}"] = f"{response.status_code}"
        elif got != expected:
            problems[f"{method} {url}"] = f"{expected} expected, {response.status_code} answered"
        elif got == LOGIN:
            # The sign-in page comes back to where the reader was going.
            asked = parse_qs(urlsplit(response.headers["Location"]).query)["next"]
            assert asked == [url], url
        elif got == ALLOWED and method == "GET" and response.status_code >= 400:
            # Sample values are real: a reader let in sees the page.
            problems[f"{method} {url}"] = f"let in, but {response.status_code}"
        if got != ALLOWED and (found := changes(before, snapshot(engine))):
            problems[f"{method} {url}"] = f"refused, yet changed {found}"
    assert {rule.endpoint for rule, _ in swept} == POLICY.keys()
    assert problems == {}


# --- one chapter's coordinator and another chapter's mail ------------------------------


@pytest.fixture
def leeds(make, world, fresh, api_tokens):
    """Mail of the Leeds group, and its coordinator's API token."""
    batch = make.batch(world["other"], "leeds-1", count=2, sender_town="Leeds", sender_country="GB")
    with fresh() as s:
        codes = s.exec(select(Mailing.code).where(Mailing.batch_id == batch.id)).all()
        token_id = s.exec(select(ApiToken.id).where(ApiToken.user_id == world["other"].id)).one()
    return {"batch_id": batch.id, "code": codes[0], "codes": set(codes), "token_id": token_id}


@pytest.fixture
def teacher(app, world):
    """The class 4B coordinator, signed in."""
    client = app.test_client()
    Auth(client).login("teacher@example.org")
    return client


def own_codes(fresh, world) -> set[str]:
    with fresh() as s:
        query = select(Mailing.code).where(Mailing.chapter_id == world["class_4b"].id)
        return set(s.exec(query).all())


# Route arguments that name one chapter's things: a coordinator of another gets 404.
CHAPTER_ARGUMENTS = {"code", "batch_id", "token_id"}


def test_a_coordinator_gets_404_for_another_chapters_mail_batches_slips_and_tokens(
    app, engine, sample, leeds, api_tokens, teacher, no_rate_limits
):
    token = csrf_token(teacher, "/mailings/new")
    bearer = {"Authorization": f"Bearer {api_tokens['coordinator']}"}
    swept = set()
    for rule, method in routes(app):
        policy = POLICY[rule.endpoint]
        if not rule.arguments & CHAPTER_ARGUMENTS or policy not in (SIGNED_IN, BEARER):
            continue
        swept.add(rule.endpoint)
        kwargs = {"headers": bearer} if policy == BEARER else {}
        if method in UNSAFE_METHODS and policy == SIGNED_IN:
            kwargs["data"] = {"action": "void", "csrf_token": token}
        url = url_of(app, rule, sample | leeds)
        before = snapshot(engine)
        response = teacher.open(url, method=method, **kwargs)
        response.close()
        assert response.status_code == 404, (method, url)
        assert changes(before, snapshot(engine)) == [], (method, url)
        if method == "GET":
            # The same route with their own chapter's values shows it.
            own = teacher.get(url_of(app, rule, sample), **kwargs)
            own.close()
            assert own.status_code == 200, (method, url)
    assert {
        "mailings.show",
        "mailings.change_status",
        "slips.show",
        "batches.show",
        "batches.sheet",
        "batches.change_status",
        "account.revoke_token",
        "api.show_mailing",
        "api.mark_posted",
        "api.mark_void",
    } <= swept


# Every page and export that takes a ``chapter`` filter, asked for the Leeds group's.
ANOTHER_CHAPTER = [
    "/reports?chapter=leeds",
    "/reports/mailings.csv?chapter=leeds",
    "/reports/mailings.xlsx?chapter=leeds",
    "/reports/mailings.json?chapter=leeds",
    "/reports/outreaches.json?chapter=leeds",
    "/reports/summary.csv?chapter=leeds",
    "/reports/summary.xlsx?chapter=leeds",
    "/dashboard/azimjan-askarov?chapter=leeds",
    "/dashboard/azimjan-askarov/totals.json?chapter=leeds",
    "/dashboard/azimjan-askarov/totals.csv?chapter=leeds",
    "/api/v1/mailings?chapter=leeds",
]


@pytest.mark.parametrize("url", ANOTHER_CHAPTER)
def test_a_coordinator_asking_for_another_chapters_export_gets_404(
    app, leeds, api_tokens, teacher, url
):
    headers = {"Authorization": f"Bearer {api_tokens['coordinator']}"}
    response = teacher.get(url, headers=headers)
    assert response.status_code == 404
    assert not any(code in response.get_data(as_text=True) for code in leeds["codes"])
    # Their own chapter by name, and staff asking for Leeds, get the export.
    own = url.replace("leeds", "class-4b")
    assert teacher.get(own, headers=headers).status_code == 200
    staff = app.test_client()
    Auth(staff).login()
    staff_token = {"Authorization": f"Bearer {api_tokens['staff']}"}
    assert staff.get(url, headers=staff_token).status_code == 200


def codes_in(response) -> set[str]:
    """Every mailing code in an export, a page or an API answer, whatever its format."""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
        text = "\n".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)
    else:
        text = response.get_data(as_text=True)
    return set(re.findall(r"\b[0-9A-HJKMNP-TV-Z]{10}\b", text))


@pytest.mark.parametrize(
    "url",
    [
        "/reports/mailings.csv",
        "/reports/mailings.xlsx",
        "/reports/mailings.json",
        "/reports/outreaches.json",
        "/mailings",
        "/mailings?chapter=leeds",  # the list keeps a coordinator to their chapter
        "/api/v1/mailings",
    ],
)
def test_a_coordinators_unfiltered_exports_hold_only_their_chapter(
    world, fresh, sample, leeds, api_tokens, teacher, url
):
    headers = {"Authorization": f"Bearer {api_tokens['coordinator']}"}
    response = teacher.get(url, headers=headers)
    assert response.status_code == 200
    found = codes_in(response)
    assert found & leeds["codes"] == set()
    assert own_codes(fresh, world) <= found


def test_a_coordinators_summary_and_totals_name_only_their_chapter(sample, leeds, teacher):
    summary = teacher.get("/reports/summary.csv").get_data(as_text=True).lstrip("\ufeff")
    lines = list(csv.DictReader(io.StringIO(summary)))
    assert {line["key"] for line in lines if line["section"] == "chapter"} == {"class-4b"}
    assert [line["mailings"] for line in lines if line["section"] == "total"] == ["3"]
    body = teacher.get("/dashboard/azimjan-askarov/totals.json").get_json()
    assert body["chapter"]["slug"] == "class-4b"
    assert body["chapter_totals"]["total"] == 3
    assert body["campaign_totals"]["top_chapters"] == []
    assert "leeds" not in json.dumps(body).lower()


def test_another_chapters_slip_code_offers_the_coordinator_no_status_change(sample, leeds, teacher):
    # The page a slip's QR code leads to is public; only the chapter's own may act on it.
    theirs = teacher.get(f"/m/{leeds['code']}")
    assert theirs.status_code == 200
    assert page(theirs).select("form[action$='/status']") == []
    assert page(teacher.get(f"/m/{sample['code']}")).select("form[action$='/status']") != []


def test_a_coordinator_cannot_log_for_another_chapter(
    world, fresh, sample, leeds, api_tokens, teacher
):
    before = own_codes(fresh, world), leeds_count(fresh, world)
    form = {
        "campaign": "azimjan-askarov",
        "recipient": "president",
        "channel": "letter",
        "sender_town": "Leeds",
        "sender_country": "GB",
        "sent_on": "2025-12-10",
        "count": "5",
        "chapter": "leeds",
        "submission_id": "leeds-by-teacher",
        "csrf_token": csrf_token(teacher, "/mailings/new"),
    }
    assert teacher.post("/mailings/new", data=form).status_code == 422
    body = {k: v for k, v in form.items() if k not in ("csrf_token", "submission_id")}
    headers = {"Authorization": f"Bearer {api_tokens['coordinator']}", "Idempotency-Key": "x"}
    response = teacher.post("/api/v1/mailings", json=body | {"count": 5}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "chapter"
    assert (own_codes(fresh, world), leeds_count(fresh, world)) == before


def leeds_count(fresh, world) -> int:
    with fresh() as s:
        query = select(Mailing.id).where(Mailing.chapter_id == world["leeds"].id)
        return len(s.exec(query).all())
