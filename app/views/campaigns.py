"""Campaign pages: the public case page, and staff editing of campaigns and recipients."""

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import audit
from app import db
from app import limits
from app.auth import signed_in_required
from app.auth import staff_required
from app.forms import CampaignForm
from app.forms import PhraseForm
from app.forms import RecipientForm
from app.forms import form_page
from app.labels import CHANNEL_LABELS
from app.services import campaigns
from app.services import scope
from app.services.slips import pdf as slip_pdf
from app.services.slips import sheets
from app.templating import country_name
from app.views import postage as postage_views
from app.views.slips import chosen_paper
from app.views.slips import pdf_response
from app.views.slips import printed_words
from models import CampaignCreate
from models import CampaignStatus
from models import Channel
from models import PhraseCreate
from models import RecipientCreate

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


@bp.get("")
@staff_required
def index():
    """List every campaign, whatever its status."""
    return render_template(
        "campaigns/index.html", campaigns=campaigns.all_campaigns(db.get_session())
    )


@bp.get("/<slug>")
def show(slug: str):
    """Show the case, its recipients and how to write.

    :raise 404: if there is no such campaign, or it is a draft and the reader is not staff.
    """
    session = db.get_session()
    campaign = campaigns.get_campaign(session, slug)
    is_staff = current_user.is_authenticated and current_user.is_staff
    if campaign.status == CampaignStatus.DRAFT and not is_staff:
        abort(404)
    recipients = campaigns.recipients_of(session, campaign)
    # The calculator offers the campaign's recipients as destinations.
    destinations = [(r.country, f"{r.name} ({country_name(r.country)})") for r in recipients]
    calc = (
        postage_views.calculate(
            request.args, {} if request.args.get("to") else {"to": recipients[0].country}
        )
        if recipients
        else None
    )
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        recipients=recipients,
        phrases=campaigns.phrases_of(session, campaign.id),
        calc=calc,
        destinations=destinations,
        option_choices=postage_views.OPTION_CHOICES,
        kind_help=postage_views.KIND_HELP,
    ), 422 if calc and calc.errors else 200


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    """Create a campaign."""

    def done(campaign):
        flash(_("Campaign “%(title)s” created. Now add its recipients.", title=campaign.title))
        return redirect(url_for("campaigns.show", slug=campaign.slug), 303)

    return form_page(
        CampaignForm(),
        CampaignCreate,
        lambda data: campaigns.save_campaign(session=db.get_session(), data=data),
        done=done,
        template="campaigns/form.html",
        campaign=None,
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@staff_required
def edit(slug: str):
    """Edit a campaign.

    :raise 404: if there is no such campaign.
    """
    session = db.get_session()
    campaign = campaigns.get_campaign(session, slug)

    def done(saved):
        flash(_("Campaign saved."))
        return redirect(url_for("campaigns.show", slug=saved.slug), 303)

    return form_page(
        CampaignForm(obj=campaign),
        CampaignCreate,
        lambda data: campaigns.save_campaign(session=session, data=data, campaign=campaign),
        done=done,
        template="campaigns/form.html",
        campaign=campaign,
    )


@bp.route("/<slug>/recipients/new", methods=["GET", "POST"])
@staff_required
def new_recipient(slug: str):
    """Add a recipient to a campaign.

    :raise 404: if there is no such campaign.
    """
    session = db.get_session()
    campaign = campaigns.get_campaign(session, slug)
    return _recipient_page(session, campaign, None)


@bp.route("/<slug>/recipients/<key>/edit", methods=["GET", "POST"])
@staff_required
def edit_recipient(slug: str, key: str):
    """Edit a recipient of a campaign.

    :raise 404: if there is no such campaign or recipient.
    """
    session = db.get_session()
    campaign = campaigns.get_campaign(session, slug)
    recipient = next((r for r in campaigns.recipients_of(session, campaign) if r.key == key), None)
    if recipient is None:
        abort(404)
    return _recipient_page(session, campaign, recipient)


def _recipient_page(session, campaign, recipient):
    def done(saved):
        if recipient is None:
            flash(_("Recipient “%(name)s” added.", name=saved.name))
        else:
            flash(_("Recipient saved."))
        return redirect(url_for("campaigns.show", slug=campaign.slug), 303)

    return form_page(
        RecipientForm(obj=recipient),
        RecipientCreate,
        lambda data: campaigns.save_recipient(
            session=session, campaign=campaign, data=data, recipient=recipient
        ),
        done=done,
        template="campaigns/recipient_form.html",
        campaign=campaign,
        recipient=recipient,
    )


@bp.get("/<slug>/tally.pdf")
@limits.sheets
@signed_in_required
def tally(slug: str):
    """Print a paper tally of the campaign's recipients, to tick off at an event offline.

    :raise 404: if there is no such campaign.
    """
    session = db.get_session()
    campaign = campaigns.get_campaign(session, slug)
    recipients = campaigns.recipients_of(session, campaign)
    if not recipients:
        abort(404)
    chapter = scope.chapter_for(session, current_user.row)
    paper = chosen_paper(slip_pdf.default_paper(chapter.country if chapter else None))
    pdf = sheets.tally_sheet_pdf(
        campaign_title=campaign.title,
        recipients=[(r.name, r.role) for r in recipients],
        channels=[str(CHANNEL_LABELS[c]) for c in Channel if c.is_post],
        paper=paper,
        words=printed_words(),
    )
    return pdf_response(pdf, f"tally-{campaign.slug}.pdf")


@bp.route("/<slug>/phrases/new", methods=["GET", "POST"])
@staff_required
def new_phrase(slug: str):
    """Add a greeting phrase, in the prisoner's language, to a campaign.

    :raise 404: if there is no such campaign.
    """
    session = db.get_session()
    return _edit_phrase(session, campaigns.get_campaign(session, slug), None)


@bp.route("/<slug>/phrases/<int:phrase_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_phrase(slug: str, phrase_id: int):
    """Edit a greeting phrase of a campaign.

    :raise 404: if there is no such campaign or phrase.
    """
    session = db.get_session()
    campaign = campaigns.get_campaign(session, slug)
    return _edit_phrase(session, campaign, campaigns.get_phrase(session, campaign, phrase_id))


def _edit_phrase(session, campaign, phrase):
    def done(_saved):
        flash(_("Phrase saved."))
        return redirect(url_for("campaigns.show", slug=campaign.slug), 303)

    return form_page(
        PhraseForm(obj=phrase),
        PhraseCreate,
        lambda data: campaigns.save_phrase(
            session=session, campaign=campaign, data=data, phrase=phrase
        ),
        done=done,
        template="campaigns/phrase_form.html",
        campaign=campaign,
        phrase=phrase,
    )


@bp.post("/<slug>/phrases/<int:phrase_id>/delete")
@staff_required
def delete_phrase(slug: str, phrase_id: int):
    """Remove a greeting phrase from a campaign.

    :raise 404: if there is no such campaign or phrase.
    """
    session = db.get_session()
    campaign = campaigns.get_campaign(session, slug)
    campaigns.delete_phrase(
        session=session, phrase=campaigns.get_phrase(session, campaign, phrase_id)
    )
    audit.record("phrase_deleted", campaign=campaign.slug, phrase=phrase_id)
    flash(_("Phrase removed."))
    return redirect(url_for("campaigns.show", slug=campaign.slug), 303)
