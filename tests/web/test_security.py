"""Security headers (S4) and cookies (S5) on every GET route, read anonymously and signed in."""

import pytest

from app import security
from tests.web.conftest import get_urls

# The one route of each kind frameable anywhere: the counter a school puts on its site.
EMBEDS = {"counter.campaign_embed", "counter.chapter_embed"}
# Routes whose GET starts a session on purpose: the sign-in form keeps its CSRF token there.
SETS_COOKIE_ANONYMOUSLY = {"account.login"}


def check_headers(app, endpoint, response, *, signed_in: bool) -> list[str]:
    """Return what is wrong with *response*'s security headers."""
    problems = []
    policy = response.headers.get("Content-Security-Policy", "")
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )
    if "'unsafe-inline'" in directives.get("script-src", directives.get("default-src", "")):
        problems.append("unsafe-inline scripts")
    for name, wanted in (("object-src", "'none'"), ("base-uri", "'none'")):
        if directives.get(name) != wanted:
            problems.append(f"{name} is {directives.get(name)!r}")
    frames = "*" if endpoint in EMBEDS else ("'self'", "'none'")
    if directives.get("frame-ancestors") not in frames:
        problems.append(f"frame-ancestors is {directives.get('frame-ancestors')!r}")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if response.headers.get("Referrer-Policy") not in (
        "strict-origin-when-cross-origin",
        "strict-origin",
        "same-origin",
        "no-referrer",
    ):
        problems.append("referrer policy")
    if response.mimetype.startswith("text/") and (
        response.mimetype_params.get("charset") != "utf-8"
        or response.content_type.count("charset") != 1
    ):
        problems.append(f"content type {response.content_type}")
    view = app.view_functions[endpoint]
    if signed_in and endpoint != "static" and not getattr(view, "public", False):
        if "no-store" not in response.headers.get("Cache-Control", ""):
            problems.append(f"Cache-Control is {response.headers.get('Cache-Control')!r}")
    if "Strict-Transport-Security" in response.headers:
        problems.append("HSTS without HTTPS")
    if getattr(view, "public", False) or (
        not signed_in and endpoint not in SETS_COOKIE_ANONYMOUSLY
    ):
        if "Set-Cookie" in response.headers:
            problems.append(f"Set-Cookie {response.headers['Set-Cookie']!r}")
    return problems


@pytest.mark.parametrize("who", [None, "staff@example.org", "teacher@example.org"])
def test_every_get_route_sends_the_security_headers(app, client, auth, sample, who):
    if who:
        auth.login(who)
    problems = {}
    for endpoint, url in get_urls(app, sample):
        response = client.get(url)
        response.close()  # static files and downloads are streamed from open files
        assert response.status_code < 500, url
        if found := check_headers(app, endpoint, response, signed_in=bool(who)):
            problems[f"{url} ({response.status_code})"] = found
    assert problems == {}


def test_error_pages_and_unknown_urls_send_them_too(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["Content-Security-Policy"] == security.POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.content_type == "text/html; charset=utf-8"
    assert "Set-Cookie" not in response.headers


def test_public_pages_stay_cacheable(client, sample):
    response = client.get(f"/counter/{sample['slug']}")
    assert response.headers["Cache-Control"] == "public, max-age=30"
    with client.get("/static/css/main.css") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")


def test_exports_are_not_stored_in_any_cache(client, auth, sample):
    auth.login()
    for url in ("/reports/mailings.csv", f"/batches/{sample['batch_id']}/slips.pdf"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_the_session_cookie_is_httponly_and_lax(client, auth, world):
    auth.login()
    cookie = client.get_cookie("session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure


def test_https_adds_a_year_of_hsts_and_secure_cookies(new_app):
    app = new_app({"TESTING": True, "HTTPS": True})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/", base_url="https://localhost")
    hsts = response.headers["Strict-Transport-Security"]
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 365 * 24 * 3600


def test_an_untrusted_host_gets_a_plain_400_not_a_500(new_app):
    app = new_app({"TRUSTED_HOSTS": ["lettertrail.example.org"]})
    client = app.test_client()
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
    assert client.get("/", headers={"Host": "lettertrail.example.org"}).status_code == 200
