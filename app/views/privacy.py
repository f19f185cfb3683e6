"""``/privacy``: what Lettertrail stores and never stores, in plain words."""

from flask import Blueprint
from flask import render_template

from app.services.mailings.read import PUBLIC_TOWN_MINIMUM

bp = Blueprint("privacy", __name__)


@bp.get("/privacy")
def page():
    """Say what is stored, what never is, and what public pages show."""
    return render_template("privacy/page.html", town_minimum=PUBLIC_TOWN_MINIMUM)
