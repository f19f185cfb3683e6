"""The front page and the health check."""

from flask import Blueprint
from flask import jsonify
from flask import render_template
from sqlalchemy import text

import app as lettertrail
from app import db
from app.services import campaigns

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Show the campaigns that are taking mail."""
    return render_template(
        "main/index.html", campaigns=campaigns.active_campaigns(db.get_session())
    )


@bp.get("/healthz")
def healthz():
    """Report the version and the database backend, after a round trip to the database."""
    session = db.get_session()
    session.exec(text("SELECT 1"))
    return jsonify(
        {"status": "ok", "version": lettertrail.__version__, **db.backend_info(db.get_engine())}
    )
