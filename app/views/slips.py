"""Printable slips: one mailing's slip page, and a batch's sheet of slips as a PDF."""

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import make_response
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app import db
from app.auth import signed_in_required
from app.i18n import stamps
from app.labels import CHANNEL_LABELS
from app.labels import STATUS_LABELS
from app.services.codes import normalize_code
from app.services.mailings import read as mailing_read
from app.services.slips import build as slip_build
from app.services.slips import pdf as slip_pdf
from app.services.slips import qr
from app.services.slips import sheets
from app.templating import money

bp = Blueprint("slips", __name__, url_prefix="/slips")


def public_base_url() -> str:
    """Return where QR codes lead: PUBLIC_BASE_URL, or this request's own address."""
    return current_app.config.get("PUBLIC_BASE_URL") or request.host_url.rstrip("/")


def build_slips(session, rows) -> list[sheets.SlipData]:
    """Build the slips of *rows* with labels and money in the reader's language."""
    return slip_build.slips_for(
        session,
        rows,
        base_url=public_base_url(),
        channel_label=lambda channel: str(CHANNEL_LABELS[channel]),
        money=money,
        stamps=stamps,
    )


@bp.get("/<code>")
@signed_in_required
def show(code: str):
    """Show one mailing's slip, ready to print and cut.

    :raise 404: if there is no such mailing, or it belongs to another chapter.
    """
    canonical = normalize_code(code)
    if canonical is None:
        abort(404)
    session = db.get_session()
    mailing = mailing_read.get_mailing(session, canonical, current_user.row)
    (slip,) = build_slips(session, [mailing])
    return render_template(
        "slips/show.html",
        slips=[slip],
        qr={slip.code: Markup(qr.qr_svg(slip.url))},  # noqa: S704 - only path data
        mailing=mailing,
        words=printed_words(),
    )


def printed_words() -> sheets.PrintedWords:
    """The words printed on slips and tally sheets, in the reader's language."""
    return sheets.PrintedWords(
        posted=_("posted"),
        from_town=_("From %(town)s"),
        postage=_("Postage: %(amount)s"),
        postage_unknown=_("Postage: use the calculator at /postage"),
        greeting=_("Greeting: %(text)s"),
        statuses={code: str(text) for code, text in STATUS_LABELS.items()},
        tally_title=_("Tally sheet"),
        tally_footer=_("Lettertrail tally sheet · page %(page)s of %(pages)s"),
        tally_intro=_(
            "Tick one box for each piece sent, in the row of the recipient and the channel. "
            "Afterwards, log each row's total as one batch (Log mail, how many = the total)."
        ),
        date=_("Date"),
        town=_("Town"),
        chapter=_("Chapter"),
        total=_("Total"),
        roles={"appeal": _("appeal"), "solidarity": _("solidarity"), "copy": _("copy")},
    )


def chosen_paper(default: str) -> str:
    """Return the paper asked for with ``?paper=`` (A4 or Letter), else *default*.

    :raise 400: for any other paper.
    """
    paper = request.args.get("paper") or default
    if paper not in slip_pdf.PAPERS:
        abort(400, description=_("Choose A4 or Letter paper."))
    return paper


def pdf_response(pdf: bytes, filename: str):
    """Send a PDF to open in the browser (to print), never kept in a shared cache."""
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
