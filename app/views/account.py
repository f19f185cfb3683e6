"""Signing in and out, and changing one's password."""

from urllib.parse import urlsplit

from flask import Blueprint
from flask import abort
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import audit
from app import auth
from app import db
from app import limits
from app.forms import PasswordForm
from app.forms import SignInForm
from app.forms import TokenForm
from app.forms import show_errors
from app.services import accounts
from app.services.errors import ValidationFailed

bp = Blueprint("account", __name__)


def _safe_next(target: str | None) -> str:
    """Return *target* if it is a path on this site, else the front page."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("mailings.index")


@bp.route("/login", methods=["GET", "POST"])
@limits.sign_in
def login():
    """Sign in with email and password."""
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        user = accounts.authenticate(
            session=db.get_session(), email=form.email.data, password=form.password.data
        )
        if user is not None:
            audit.record("sign_in", user_id=user.id, email=user.email)
            auth.sign_in(user)
            if user.must_change_password:
                flash(_("Welcome! Please choose your own password now."))
                return redirect(url_for("account.password"))
            return redirect(_safe_next(request.args.get("next")))
        audit.record("sign_in_failed", email=form.email.data)
        form.form_errors.append(_("That email and password do not match an active account."))
        status = 401
    elif form.is_submitted():
        status = 422
    return render_template("account/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out here and everywhere else."""
    if current_user.is_authenticated:
        audit.record("sign_out")
    auth.sign_out()
    flash(_("You are signed out."))
    return redirect(url_for("main.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@auth.signed_in_required
def password():
    """Change one's own password; every other session ends."""
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            accounts.change_password(
                session=db.get_session(),
                user=current_user.row,
                current=form.current_password.data,
                new=form.new_password.data,
            )
        except ValidationFailed as failure:
            show_errors(form, failure)
            status = 422
        else:
            audit.record("password_changed")
            auth.sign_in(current_user.row)  # the old cookie is void now; issue a new one
            flash(_("Your password is changed."))
            return redirect(url_for("mailings.index"))
    elif form.is_submitted():
        status = 422
    return render_template("account/password.html", form=form), status


@bp.route("/account/tokens", methods=["GET", "POST"])
@auth.signed_in_required
def tokens():
    """List one's API tokens, and create one (shown once)."""
    session = db.get_session()
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token = accounts.issue_token(
                session=session, user=current_user.row, label=form.label.data or ""
            )
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            audit.record("token_created", target=current_user.row.id, label=form.label.data)
            response = make_response(render_template("account/token_created.html", token=token))
            response.headers["Cache-Control"] = "no-store"  # the token is shown once
            return response
    rows = accounts.list_tokens(session, user=current_user.row)
    status = 422 if form.is_submitted() else 200
    return render_template("account/tokens.html", form=form, rows=rows), status


@bp.post("/account/tokens/<int:token_id>/revoke")
@auth.signed_in_required
def revoke_token(token_id: int):
    """Revoke one of one's own API tokens.

    :raise 404: if there is no such token of the signed-in user.
    """
    session = db.get_session()
    mine = {t.id for t, _ in accounts.list_tokens(session, user=current_user.row)}
    if token_id not in mine:
        abort(404)
    accounts.revoke_token(session=session, token_id=token_id)
    audit.record("token_revoked", token=token_id)
    flash(_("The token is revoked: it no longer signs anyone in."))
    return redirect(url_for("account.tokens"), 303)
