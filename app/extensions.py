"""Flask extensions: migrations, CSRF, sign-in, rate limits and Babel, set up per app."""

import os

from flask import Flask
from flask_alembic import Alembic
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from app import audit
from app import auth
from app import db
from app import i18n
from app import limits
from app import templating
from models import metadata

csrf = CSRFProtect()
babel = Babel()

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


def init_app(app: Flask) -> None:
    """Register every extension on *app*."""
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    auth.init_app(app)
    audit.init_app(app)
    limits.init_app(app)
    templating.init_app(app)
    engine = db.get_engine(app)
    app.config.setdefault("ALEMBIC", {})["script_location"] = MIGRATIONS
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    app.config.setdefault("ALEMBIC_CONTEXT", {})["render_as_batch"] = (
        engine.dialect.name == "sqlite"
    )
    # One Alembic per app: the engine belongs to this app, not to the module.
    Alembic(metadatas=metadata, engines=engine).init_app(app)
