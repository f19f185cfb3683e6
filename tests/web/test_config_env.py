"""Settings come from ``LETTERTRAIL_*`` environment variables, as DESIGN.md §4 says."""

from app import create_app
from app import db as app_db


def test_lettertrail_environment_variables_configure_the_app(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'from-env.sqlite'}"
    monkeypatch.setenv("LETTERTRAIL_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("LETTERTRAIL_DATABASE_URL", url)
    monkeypatch.setenv("LETTERTRAIL_SECRET_KEY", "from-the-environment-0123456789abcdef")
    monkeypatch.setenv("LETTERTRAIL_SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("LETTERTRAIL_PUBLIC_BASE_URL", "https://letters.example.org")
    app = create_app()
    try:
        assert app.config["DATABASE_URL"] == url
        assert app.config["SECRET_KEY"] == "from-the-environment-0123456789abcdef"
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["PUBLIC_BASE_URL"] == "https://letters.example.org"
    finally:
        app_db.get_engine(app).dispose()
