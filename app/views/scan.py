"""Where a slip's QR code leads: what was sent, and for its chapter a tap to mark it posted."""

from flask import Blueprint
from flask import abort
from flask import render_template
from flask_login import current_user
from sqlmodel import select

from app import db
from app.labels import CHANNEL_LABELS
from app.services.codes import format_code
from app.services.codes import normalize_code
from app.services.mailings import read as mailing_read
from models import Campaign
from models import Mailing
from models import Recipient

bp = Blueprint("scan", __name__, url_prefix="/m")


@bp.get("/<code>")
def show(code: str):
    """Show what a slip's code stands for; its chapter's coordinator can mark it posted.

    :raise 404: for any code that is not a mailing's (the same page whether it is
        malformed or unknown, so it tells nothing about which codes exist).
    """
    canonical = normalize_code(code)
    if canonical is None:
        abort(404)
    session = db.get_session()
    mailing = session.exec(_by_code(canonical)).first()
    if mailing is None:
        abort(404)
    campaign = session.get(Campaign, mailing.campaign_id)
    recipient = session.get(Recipient, mailing.recipient_id)
    may_change = current_user.is_authenticated and (
        current_user.is_staff or current_user.chapter_id == mailing.chapter_id
    )
    town_shown = may_change or mailing_read.town_is_public(session, mailing)
    return render_template(
        "scan/show.html",
        mailing=mailing,
        code_display=format_code(mailing.code),
        campaign=campaign,
        recipient=recipient,
        channel=str(CHANNEL_LABELS[mailing.channel]),
        town_shown=town_shown,
        may_change=may_change,
    )


def _by_code(code: str):
    return select(Mailing).where(Mailing.code == code)
