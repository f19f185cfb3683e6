"""A batch: the mailings logged by one submission, and status changes for all of them."""

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from sqlmodel import select

from app import audit
from app import db
from app import limits
from app.auth import signed_in_required
from app.services.mailings import pricing
from app.services.mailings import read as mailing_read
from app.services.mailings import status as mailing_status
from app.services.slips import pdf as slip_pdf
from app.services.slips import sheets
from app.views.mailings import _back
from app.views.mailings import _names
from app.views.slips import build_slips
from app.views.slips import chosen_paper
from app.views.slips import pdf_response
from app.views.slips import printed_words
from models import Chapter
from models import Mailing
from models import Recipient

bp = Blueprint("batches", __name__, url_prefix="/batches")


@bp.get("/<int:batch_id>")
@signed_in_required
def show(batch_id: int):
    """Show a batch: what was sent, its status counts, and each mailing's code.

    :raise 404: if there is no such batch, or it belongs to another chapter.
    """
    session = db.get_session()
    batch = mailing_read.get_batch(session, batch_id, current_user.row)
    rows = session.exec(
        select(Mailing).where(Mailing.batch_id == batch.id).order_by(Mailing.id)
    ).all()
    counts = dict(
        session.exec(
            select(Mailing.status, func.count())
            .where(Mailing.batch_id == batch.id)
            .group_by(Mailing.status)
        ).all()
    )
    return render_template(
        "batches/show.html",
        batch=batch,
        rows=rows,
        counts=counts,
        names=_names(session, rows[:1]),
        advice=_advice(session, rows[0]) if rows else None,
        paper=_default_paper(session, batch, rows) if rows else "A4",
    )


def _advice(session, mailing: Mailing) -> str | None:
    recipient = session.get(Recipient, mailing.recipient_id)
    return pricing.stamp_advice(mailing, recipient.country)


@bp.get("/<int:batch_id>/slips.pdf")
@limits.sheets
@signed_in_required
def sheet(batch_id: int):
    """Lay the batch's slips out on A4 or US Letter, 8 to a page, with cut marks.

    The chapter's country picks the paper unless ``?paper=A4`` or ``?paper=Letter`` says.

    :raise 404: if there is no such batch, or it belongs to another chapter.
    :raise 400: for a paper size other than A4 and Letter.
    """
    session = db.get_session()
    batch = mailing_read.get_batch(session, batch_id, current_user.row)
    rows = list(
        session.exec(select(Mailing).where(Mailing.batch_id == batch.id).order_by(Mailing.id))
    )
    paper = chosen_paper(_default_paper(session, batch, rows))
    pdf = sheets.slips_pdf(build_slips(session, rows), paper=paper, words=printed_words())
    return pdf_response(pdf, f"slips-batch-{batch.id}.pdf")


def _default_paper(session, batch, rows) -> str:
    chapter = session.get(Chapter, batch.chapter_id) if batch.chapter_id else None
    return slip_pdf.default_paper(chapter.country if chapter else rows[0].sender_country)


@bp.post("/<int:batch_id>/status")
@signed_in_required
def change_status(batch_id: int):
    """Mark every mailing of a batch posted or void, or undo their last change.

    :raise 404: if there is no such batch, or it belongs to another chapter.
    """
    session = db.get_session()
    batch = mailing_read.get_batch(session, batch_id, current_user.row)
    action = request.form.get("action", "")
    if action not in mailing_status.ACTIONS:
        abort(400)
    rows = list(session.exec(select(Mailing).where(Mailing.batch_id == batch.id)).all())
    result = mailing_status.change_status(
        session=session, mailings=rows, action=action, user=current_user.row
    )
    if action == "void" and result.changed:
        audit.record("void", batch=batch.id, changed=result.changed)
    message = _(
        "%(changed)s of %(total)s mailings changed.", changed=result.changed, total=len(rows)
    )
    if result.skipped and result.reasons:
        message += " " + _("%(skipped)s left as they were:", skipped=result.skipped)
        message += " " + " ".join(_(r) for r in result.reasons)
    flash(message, "success" if result.changed else "error")
    return redirect(_back(url_for("batches.show", batch_id=batch.id)), 303)
