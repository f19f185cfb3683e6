"""Check that a configuration is fit to serve the public: what ``flask check-deploy`` says."""

import sqlite3
from collections.abc import Mapping

# The development default in app/config.py, and the shortest key accepted.
DEFAULT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - the value to refuse
MIN_SECRET_KEY = 32
# SQLite before 3.51.3 can corrupt a WAL database written by several processes at once
# (the WAL-reset bug fixed in 3.51.3); one worker is safe on any version.
SAFE_SQLITE = (3, 51, 3)


def deploy_problems(
    config: Mapping, *, workers: int = 1, sqlite_version: str | None = None
) -> list[str]:
    """Return what is wrong with *config* for production, one sentence each; ``[]`` if fine.

    *workers* is how many processes serve the app (gunicorn's ``--workers``);
    *sqlite_version* defaults to the SQLite library Python uses.
    """
    sqlite_version = sqlite_version or sqlite3.sqlite_version
    problems = []
    if config.get("DEBUG"):
        problems.append("DEBUG is on: it shows tracebacks; set LETTERTRAIL_DEBUG=false.")
    if config.get("TESTING"):
        problems.append("TESTING is on: errors propagate; turn it off.")
    key = config.get("SECRET_KEY") or ""
    if key == DEFAULT_SECRET_KEY:
        problems.append("SECRET_KEY is the development default: set a long random value.")
    elif len(key) < MIN_SECRET_KEY:
        problems.append(f"SECRET_KEY is shorter than {MIN_SECRET_KEY} characters.")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE is off: set LETTERTRAIL_HTTPS=true.")
    if not config.get("SESSION_COOKIE_HTTPONLY"):
        problems.append("SESSION_COOKIE_HTTPONLY is off.")
    if config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        problems.append("SESSION_COOKIE_SAMESITE is not Lax or Strict.")
    if not config.get("HTTPS"):
        problems.append("HTTPS is off, so no Strict-Transport-Security: LETTERTRAIL_HTTPS=true.")
    if not config.get("TRUSTED_HOSTS"):
        problems.append(
            "TRUSTED_HOSTS is not set: list the site's host names,"
            " e.g. LETTERTRAIL_TRUSTED_HOSTS='[\"letters.example.org\"]'."
        )
    url = str(config.get("DATABASE_URL") or "sqlite:")
    if url.startswith("sqlite") and workers > 1 and _version(sqlite_version) < SAFE_SQLITE:
        problems.append(
            f"SQLite {sqlite_version} with {workers} workers: use one worker, SQLite "
            f"{'.'.join(map(str, SAFE_SQLITE))} or later, or PostgreSQL."
        )
    return problems


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())
