"""``flask check-deploy`` and the 500 page (S12)."""

import re
from pathlib import Path

import pytest
from sqlalchemy import text

from app import db
from app.services import deploy

GOOD = {
    "SECRET_KEY": "k" * 48,
    "HTTPS": True,
    "TRUSTED_HOSTS": ["letters.example.org"],
}


@pytest.fixture
def production(new_app, monkeypatch):
    """Make an app from *overrides* on top of a good production config."""
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)

    def make_app(**overrides):
        return new_app({**GOOD, **overrides})

    return make_app


def check(app, *args, env=None):
    return app.test_cli_runner().invoke(args=["check-deploy", *args], env=env)


def test_a_good_production_config_passes(production):
    result = check(production())
    assert result.exit_code == 0, result.output
    assert "fit for production" in result.output


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"DEBUG": True}, "DEBUG is on"),
        ({"TESTING": True}, "TESTING is on"),
        ({"SECRET_KEY": "dev-only-not-secret"}, "development default"),
        ({"SECRET_KEY": "s" * 31}, "shorter than 32"),
        ({"SECRET_KEY": ""}, "shorter than 32"),
        ({"HTTPS": False}, "SESSION_COOKIE_SECURE is off"),
        ({"HTTPS": False}, "no Strict-Transport-Security"),
        ({"TRUSTED_HOSTS": None}, "TRUSTED_HOSTS is not set"),
        ({"SESSION_COOKIE_HTTPONLY": False}, "HTTPONLY is off"),
        ({"SESSION_COOKIE_SAMESITE": None}, "not Lax or Strict"),
    ],
)
def test_each_problem_fails_the_check(production, overrides, says):
    result = check(production(**overrides))
    assert result.exit_code == 1
    assert says in result.output


def test_every_problem_is_listed_at_once(new_app):
    result = check(new_app({"DEBUG": True}))
    assert result.exit_code == 1
    assert result.output.count("Problem:") == 5  # debug, key, cookie, HSTS, hosts


@pytest.mark.parametrize(
    ("version", "workers", "ok"),
    [
        ("3.40.1", 1, True),
        ("3.40.1", 2, False),
        ("3.51.2", 4, False),
        ("3.51.3", 4, True),
        ("3.52.0", 4, True),
    ],
)
def test_old_sqlite_with_several_workers_is_refused(version, workers, ok):
    config = {**GOOD, "SESSION_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax"}
    config |= {"SESSION_COOKIE_SECURE": True, "DATABASE_URL": "sqlite:///x.sqlite"}
    problems = deploy.deploy_problems(config, workers=workers, sqlite_version=version)
    assert (problems == []) is ok, problems
    postgres = config | {"DATABASE_URL": "postgresql+psycopg://db/lettertrail"}
    assert deploy.deploy_problems(postgres, workers=workers, sqlite_version=version) == []


def test_workers_come_from_the_option_or_web_concurrency(production, monkeypatch):
    app = production(DATABASE_URL="sqlite:///ignored.sqlite")
    monkeypatch.setattr(deploy.sqlite3, "sqlite_version", "3.40.1")
    assert check(app, "--workers", "1").exit_code == 0
    result = check(app, "--workers", "3")
    assert result.exit_code == 1
    assert "3 workers" in result.output
    assert check(app, env={"WEB_CONCURRENCY": "2"}).exit_code == 1


def test_a_500_page_shows_no_traceback_sql_or_path(production, caplog):
    app = production(TRUSTED_HOSTS=None)

    @app.get("/boom")
    def boom():
        db.get_session().execute(text("SELECT * FROM no_such_table_xyz"))

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    for leak in ("Traceback", "no_such_table_xyz", "SELECT", "sqlalchemy", ".py", "/work", "/tmp"):
        assert leak not in body, leak
    assert "Something went wrong" in body
    assert "no_such_table_xyz" in caplog.text  # the log keeps it for the operator
    api = app.test_client().get("/boom", headers={"Accept": "application/json"})
    assert "no_such_table_xyz" not in api.get_data(as_text=True)


# A value for each placeholder of the README's production table.
README_EXAMPLES = {
    "LETTERTRAIL_SECRET_KEY": "x7Qm" * 12,
    "LETTERTRAIL_HTTPS": "true",
    "LETTERTRAIL_TRUSTED_HOSTS": '["letters.example.org"]',
    "LETTERTRAIL_PUBLIC_BASE_URL": "https://letters.example.org",
    "LETTERTRAIL_PROXY_FIX": "1",
}


def test_the_readmes_production_settings_pass_the_check(new_app, monkeypatch, database_url):
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    production = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"^\| `(LETTERTRAIL_[A-Z_]+)` \|", production, re.MULTILINE))
    assert named == {*README_EXAMPLES, "LETTERTRAIL_DATABASE_URL"}
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    for name, value in README_EXAMPLES.items():
        monkeypatch.setenv(name, value)
    result = check(new_app({}), "--workers", "1")
    assert result.exit_code == 0, result.output
