"""Lettertrail: record, price and print slips for letter-writing campaigns."""

import os
from importlib import metadata

from flask import Flask

try:
    __version__ = metadata.version("lettertrail")
except metadata.PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0.0.0"

ENV_PREFIX = "LETTERTRAIL_"


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the app.

    Configuration comes from ``app/config.py``, then ``instance/config.py``, then
    ``LETTERTRAIL_*`` environment variables, then *test_config*.
    """
    instance_path = os.environ.get(f"{ENV_PREFIX}INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
        template_folder=os.path.join(os.path.dirname(__file__), "..", "templates"),
    )
    configure(app, test_config)
    trust_proxy(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    """Load the configuration chain and fill in derived defaults."""
    app.config.from_object("app.config")
    app.config.from_pyfile("config.py", silent=True)
    # Flask adds the "_" after the prefix itself: "LETTERTRAIL" reads LETTERTRAIL_SECRET_KEY.
    app.config.from_prefixed_env(ENV_PREFIX.rstrip("_"))
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config["DATABASE_URL"]:
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "lettertrail.sqlite")
        app.config["DATABASE_URL"] = f"sqlite:///{path}"


def trust_proxy(app: Flask) -> None:
    """Behind a reverse proxy, take the client's address, scheme and host from it.

    ``PROXY_FIX`` (``LETTERTRAIL_PROXY_FIX``) is how many proxies stand in front of the
    app; 0 (the default) trusts no ``X-Forwarded-*`` header, which anyone can send.
    """
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies
        )


def register_extensions(app: Flask) -> None:
    """Set up the request guards, the database, migrations, CSRF, sign-in, Babel,
    cookie-free public views and the security headers.
    """
    from app import db
    from app import extensions
    from app import guards
    from app import public
    from app import security

    guards.init_app(app)  # first: its checks run before any other's
    db.init_app(app)
    extensions.init_app(app)
    public.init_app(app)
    security.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Register one blueprint per feature."""
    from app import api
    from app.views import account
    from app.views import batches
    from app.views import campaigns
    from app.views import chapters
    from app.views import counter
    from app.views import dashboard
    from app.views import mailings
    from app.views import main
    from app.views import postage
    from app.views import privacy
    from app.views import reports
    from app.views import scan
    from app.views import slips
    from app.views import users

    modules = (main, account, campaigns, chapters, users, mailings, batches, postage, slips, scan)
    modules += (reports, dashboard, counter, privacy, api)
    for module in modules:
        app.register_blueprint(module.bp)


def register_errorhandlers(app: Flask) -> None:
    """Answer errors as HTML pages or, under ``/api/``, as JSON."""
    from app import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    """Add the ``flask`` commands."""
    from app import cli

    cli.init_app(app)
