"""``PROXY_FIX``: behind a proxy the app sees the client's address, scheme and host."""

import pytest
from flask import jsonify
from flask import request

from app import create_app
from app import db as app_db

FORWARDED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "letters.example.org",
}


def _seen(proxies, database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("LETTERTRAIL_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "PROXY_FIX": proxies,
        }
    )
    app.add_url_rule(
        "/_seen",
        "seen",
        lambda: jsonify(addr=request.remote_addr, scheme=request.scheme, host=request.host),
    )
    try:
        return app.test_client().get("/_seen", headers=FORWARDED).get_json()
    finally:
        app_db.get_engine(app).dispose()


def test_behind_one_proxy_the_forwarded_headers_are_used(database_url, tmp_path, monkeypatch):
    seen = _seen(1, database_url, tmp_path, monkeypatch)
    assert seen == {"addr": "203.0.113.7", "scheme": "https", "host": "letters.example.org"}


@pytest.mark.parametrize("proxies", [0, None])
def test_by_default_forwarded_headers_are_ignored(proxies, database_url, tmp_path, monkeypatch):
    seen = _seen(proxies, database_url, tmp_path, monkeypatch)
    assert seen == {"addr": "127.0.0.1", "scheme": "http", "host": "localhost"}


def test_the_environment_turns_it_on(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("LETTERTRAIL_PROXY_FIX", "1")
    monkeypatch.setenv("LETTERTRAIL_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    try:
        assert app.config["PROXY_FIX"] == 1
        assert type(app.wsgi_app).__name__ == "ProxyFix"
    finally:
        app_db.get_engine(app).dispose()
