"""Languages: English, French and Spanish (Amnesty's working languages).

The language comes from the reader's choice (``?lang=`` on any page, remembered by the
switcher's ``lang`` cookie), then the browser's ``Accept-Language``. Choosing sets that
one cookie on purpose; merely reading a public page sets none.
"""

from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import Blueprint
from flask import Flask
from flask import redirect
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext
from flask_babel import ngettext

from app.services import countries
from app.services.stamp_advice import stamps_text

LANGUAGES = {"en": "English", "fr": "Français", "es": "Español"}
COOKIE = "lang"
ONE_YEAR = 365 * 24 * 3600

bp = Blueprint("language", __name__, url_prefix="/language")


def select_locale() -> str:
    """Pick the reader's language."""
    for chosen in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if chosen in LANGUAGES:
            return chosen
    return request.accept_languages.best_match(LANGUAGES, default="en")


@bp.get("")
def choose():
    """Remember the reader's language in a cookie and go back to the page they were on."""
    chosen = request.args.get("lang", "")
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        target = url_for("main.index")
    response = redirect(target, 303)
    if chosen in LANGUAGES:
        response.set_cookie(COOKIE, chosen, max_age=ONE_YEAR, samesite="Lax", httponly=True)
    return response


def translate(message: str, params: Mapping | None = None) -> str:
    """Translate a service's message (an English template with %(name)s fields).

    A field whose name ends in ``country`` holds an ISO code and is shown as the
    country's name in the reader's language.
    """
    text = gettext(message)
    if not params:
        return text
    locale = str(get_locale() or "en")
    shown = {
        name: countries.country_name(value, locale) if name.endswith("country") else value
        for name, value in params.items()
    }
    return text % shown


def stamps(advice) -> str:
    """Write stamp advice (a Quote's, or a StampAdvice) in the reader's language."""
    return stamps_text(advice, gettext=gettext, ngettext=ngettext, locale=str(get_locale() or "en"))


def init_app(app: Flask) -> None:
    """Offer the language switcher to every template."""
    app.register_blueprint(bp)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["stamps"] = stamps
    app.jinja_env.globals["translate"] = translate
