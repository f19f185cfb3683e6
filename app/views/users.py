"""Staff pages for accounts: create coordinators and staff, disable and enable them."""

import secrets

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from app import audit
from app import db
from app.auth import staff_required
from app.forms import UserForm
from app.forms import options
from app.forms import show_errors
from app.services import accounts
from app.services import campaigns
from app.services.errors import ValidationFailed
from models import ApiToken
from models import Chapter
from models import User

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.get("")
@staff_required
def index():
    """List every account with its role and chapter."""
    session = db.get_session()
    rows = session.exec(
        select(User, Chapter).join(Chapter, isouter=True).order_by(User.email)
    ).all()
    return render_template("users/index.html", rows=rows, tokens=accounts.list_tokens(session))


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    """Create an account with a one-time password shown once to the staff member."""
    session = db.get_session()
    form = UserForm()
    form.chapter.choices = options(
        [("", "No chapter (staff)")] + [(c.slug, c.name) for c in campaigns.all_chapters(session)]
    )
    status = 200
    if form.validate_on_submit():
        one_time = secrets.token_urlsafe(9)
        try:
            user = accounts.create_user(
                session=session,
                email=form.email.data,
                password=one_time,
                role=form.role.data,
                chapter_slug=form.chapter.data or None,
                must_change_password=True,
            )
        except ValidationFailed as failure:
            show_errors(form, failure)
            status = 422
        else:
            audit.record("user_created", target=user.id, role=user.role, chapter=form.chapter.data)
            return render_template("users/created.html", user=user, password=one_time)
    elif form.is_submitted():
        status = 422
    return render_template("users/form.html", form=form), status


@bp.post("/<int:user_id>/active")
@staff_required
def toggle_active(user_id: int):
    """Disable an account (ending its sessions) or enable it again.

    :raise 404: if there is no such account.
    """
    session = db.get_session()
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    if user.id == current_user.id:
        flash(_("You cannot disable your own account."))
    else:
        accounts.set_active(session=session, user=user, active=not user.active)
        audit.record("account_enabled" if user.active else "account_disabled", target=user.id)
        flash(
            _("%(email)s is now enabled.", email=user.email)
            if user.active
            else _("%(email)s is now disabled.", email=user.email)
        )
    return redirect(url_for("users.index"), 303)


@bp.post("/tokens/<int:token_id>/revoke")
@staff_required
def revoke_token(token_id: int):
    """Revoke anyone's API token.

    :raise 404: if there is no such token.
    """
    session = db.get_session()
    if session.get(ApiToken, token_id) is None:
        abort(404)
    accounts.revoke_token(session=session, token_id=token_id)
    audit.record("token_revoked", token=token_id)
    flash(_("The token is revoked: it no longer signs anyone in."))
    return redirect(url_for("users.index"), 303)
