"""Logging mailings, the list of them, one mailing, and its status changes."""

import datetime as dt

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from app import audit
from app import db
from app.auth import signed_in_required
from app.forms import MailingForm
from app.forms import options
from app.forms import show_errors
from app.labels import CHANNEL_LABELS
from app.labels import STATUS_LABELS
from app.services import campaigns
from app.services import scope
from app.services.codes import format_code
from app.services.codes import normalize_code
from app.services.errors import N_
from app.services.errors import Conflict
from app.services.errors import NotFound
from app.services.errors import ValidationFailed
from app.services.mailings import log as mailing_log
from app.services.mailings import pricing
from app.services.mailings import read as mailing_read
from app.services.mailings import status as mailing_status
from models import Campaign
from models import Chapter
from models import MailingBatchCreate
from models import MailingEvent
from models import Recipient
from models import User

bp = Blueprint("mailings", __name__, url_prefix="/mailings")
BATCH_FIELDS = tuple(MailingBatchCreate.model_fields)


@bp.route("/new", methods=["GET", "POST"])
@signed_in_required
def new():
    """Log one piece or a batch, then show the batch."""
    session = db.get_session()
    form = MailingForm()
    _fill_choices(form, session)
    status = 200
    # CSRFProtect has already refused a POST without a valid token. The service, not
    # WTForms, judges the values, so every problem is reported at once in its words.
    if request.method == "POST":
        raw = {name: request.form.get(name) for name in BATCH_FIELDS if name in request.form}
        try:
            logged = mailing_log.log_mailings(
                session=session,
                data=mailing_log.parse_batch(raw),
                user=current_user.row,
                submission_id=f"form:{form.submission_id.data}",
            )
        except ValidationFailed as failure:
            show_errors(form, failure)
            status = 422
        except Conflict:
            form.form_errors.append(_("This form was already sent with other values. Start again."))
            status = 422
        else:
            if logged.created:
                flash(
                    _(
                        "Logged %(count)s × %(channel)s.",
                        count=logged.batch.count,
                        channel=CHANNEL_LABELS[logged.batch.channel],
                    )
                )
            return redirect(url_for("batches.show", batch_id=logged.batch.id), 303)
    return render_template("mailings/new.html", form=form), status


def _fill_choices(form: MailingForm, session) -> None:
    """Offer the active campaigns, their recipients, and (for staff) the chapters."""
    active = campaigns.active_campaigns(session)
    wanted = request.args.get("campaign") or form.campaign.data
    if not wanted and len(active) == 1:
        wanted = active[0].slug
    form.campaign.choices = options(
        [("", "Choose a campaign")] + [(c.slug, c.title) for c in active]
    )
    shown = [c for c in active if not wanted or c.slug == wanted]
    # Several campaigns: one group each, since recipient keys repeat across campaigns.
    form.recipient.choices = options([("", "Choose a recipient")])
    for c in shown:
        pairs = [(r.key, f"{r.name} ({r.role})") for r in campaigns.recipients_of(session, c)]
        form.recipient.choices += options(pairs, optgroup=c.title if len(shown) > 1 else None)
    chapter = scope.chapter_for(session, current_user.row)
    if current_user.is_staff:
        form.chapter.choices = options(
            [("", "No chapter")] + [(c.slug, c.name) for c in campaigns.all_chapters(session)]
        )
    else:
        form.chapter.choices = options([(chapter.slug, chapter.name)] if chapter else [])
    if request.method == "GET":
        form.campaign.data = wanted
        form.sent_on.data = dt.date.today()
        if chapter:
            form.chapter.data = chapter.slug
            form.sender_town.data = chapter.town
            form.sender_country.data = chapter.country


@bp.get("")
@signed_in_required
def index():
    """List mailings newest first, filtered by campaign, chapter, channel, status and dates."""
    session = db.get_session()
    args = request.args
    filters, problems = _filters(session, args)
    before = args.get("before", type=int)
    if before is not None:
        # A hand-edited link may hold any number; ids are 32-bit integers on PostgreSQL.
        before = max(0, min(before, 2**31 - 1))
    limit = current_app.config["MAILINGS_PER_PAGE"]
    rows = (
        []
        if problems
        else mailing_read.list_mailings(
            session, user=current_user.row, filters=filters, before_id=before, limit=limit + 1
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return render_template(
        "mailings/index.html",
        rows=rows,
        names=_names(session, rows),
        next_before=rows[-1].id if more else None,
        problems=problems,
        campaigns=campaigns.all_campaigns(session),
        chapters=campaigns.all_chapters(session) if current_user.is_staff else [],
        args=args,
    ), 422 if problems else 200


def _filters(session, args) -> tuple[scope.MailingFilter, dict[str, str]]:
    problems = {}
    values = {}
    if slug := args.get("campaign"):
        campaign = session.exec(select(Campaign).where(Campaign.slug == slug)).first()
        values["campaign_id"] = campaign.id if campaign else -1
    if (slug := args.get("chapter")) and current_user.is_staff:
        chapter = session.exec(select(Chapter).where(Chapter.slug == slug)).first()
        values["chapter_id"] = chapter.id if chapter else -1
    if channel := args.get("channel"):
        values["channel"] = channel
    if status := args.get("status"):
        values["status"] = status
    for name in ("since", "until"):
        if raw := args.get(name):
            try:
                values[name] = dt.date.fromisoformat(raw)
            except ValueError:
                problems[name] = N_("Enter a date like 2025-12-10.")
    return scope.MailingFilter(**values), problems


def _names(session, rows) -> dict:
    """Look up the campaign, recipient and chapter names the rows refer to, in 3 queries."""

    def lookup(model, ids):
        ids = {i for i in ids if i is not None}
        if not ids:
            return {}
        return {row.id: row for row in session.exec(select(model).where(model.id.in_(ids)))}

    return {
        "campaign": lookup(Campaign, (r.campaign_id for r in rows)),
        "recipient": lookup(Recipient, (r.recipient_id for r in rows)),
        "chapter": lookup(Chapter, (r.chapter_id for r in rows)),
    }


@bp.get("/<code>")
@signed_in_required
def show(code: str):
    """Show one mailing and its history.

    :raise 404: if there is no such mailing, or it belongs to another chapter.
    """
    session = db.get_session()
    canonical = normalize_code(code)
    if canonical is None:
        abort(404)
    mailing = mailing_read.get_mailing(session, canonical, current_user.row)
    if canonical != code:
        return redirect(url_for("mailings.show", code=canonical), 301)
    events = session.exec(
        select(MailingEvent, User)
        .join(User, isouter=True)
        .where(MailingEvent.mailing_id == mailing.id)
        .order_by(MailingEvent.id)
    ).all()
    names = _names(session, [mailing])
    destination = names["recipient"][mailing.recipient_id].country
    return render_template(
        "mailings/show.html",
        mailing=mailing,
        events=events,
        names=names,
        advice=pricing.stamp_advice(mailing, destination),
    )


@bp.post("/<code>/status")
@signed_in_required
def change_status(code: str):
    """Mark one mailing posted or void, or undo its last change.

    :raise 404: if there is no such mailing, or it belongs to another chapter.
    """
    session = db.get_session()
    canonical = normalize_code(code)
    if canonical is None:
        raise NotFound(code)
    mailing = mailing_read.get_mailing(session, canonical, current_user.row)
    action = request.form.get("action", "")
    if action not in mailing_status.ACTIONS:
        abort(400)
    result = mailing_status.change_status(
        session=session, mailings=[mailing], action=action, user=current_user.row
    )
    if action == "void" and result.changed:
        audit.record("void", mailings=[mailing.code])
    if result.changed:
        flash(
            _(
                "Mailing %(code)s is now %(status)s.",
                code=format_code(mailing.code),
                status=STATUS_LABELS[mailing.status],
            )
        )
    else:
        flash(" ".join(_(r) for r in result.reasons) or _("Nothing changed."), "error")
    return redirect(_back(url_for("mailings.show", code=mailing.code)), 303)


def _back(default: str) -> str:
    """Return to the page the button was on, if it said so and it is on this site."""
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default
