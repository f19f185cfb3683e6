"""Sign-in: Flask-Login around the User table, and the one decorator that guards views."""

import datetime as dt
import functools

from flask import Flask
from flask import abort
from flask import redirect
from flask import request
from flask import session
from flask import url_for
from flask_login import LoginManager
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user

from app import db
from app.services import accounts
from models import Role
from models import User

login_manager = LoginManager()
# Staff sessions end 12 hours after sign-in however active they are.
ABSOLUTE_LIFETIME = {Role.STAFF: dt.timedelta(hours=12), Role.COORDINATOR: dt.timedelta(days=7)}


class SignedIn:
    """The signed-in user as Flask-Login sees it; ``row`` is the ``User`` table row."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, row: User):
        self.row = row

    def get_id(self) -> str:
        # The session token rotates on sign-out and password change, which makes
        # every cookie that carries the old one anonymous.
        return f"{self.row.id}:{self.row.session_token}"

    @property
    def is_staff(self) -> bool:
        return self.row.is_staff

    def __getattr__(self, name):
        return getattr(self.row, name)


def init_app(app: Flask) -> None:
    """Set up Flask-Login on *app*."""
    login_manager.init_app(app)
    login_manager.login_view = "account.login"
    login_manager.login_message = "Please sign in to see this page."
    login_manager.session_protection = None  # the session token does this job
    app.before_request(_enforce_absolute_lifetime)


@login_manager.user_loader
def _load_user(value: str) -> SignedIn | None:
    user_id, _, token = value.partition(":")
    if not user_id.isdigit() or not token:
        return None
    row = accounts.user_for_session(db.get_session(), int(user_id), token)
    return SignedIn(row) if row else None


def sign_in(user: User) -> None:
    """Start a fresh session for *user* (a new cookie, nothing kept from before)."""
    session.clear()
    session.permanent = True
    session["signed_in_at"] = _now().isoformat()
    login_user(SignedIn(user))


def sign_out() -> None:
    """End this session and every other session of the signed-in user."""
    if current_user.is_authenticated:
        accounts.end_sessions(session=db.get_session(), user=current_user.row)
    logout_user()
    session.clear()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _enforce_absolute_lifetime():
    started = session.get("signed_in_at")
    if not started or not current_user.is_authenticated:
        return None
    limit = ABSOLUTE_LIFETIME.get(current_user.role, dt.timedelta(hours=12))
    if _now() - dt.datetime.fromisoformat(started) > limit:
        logout_user()
        session.clear()
    return None


def role_required(*roles: str):
    """Guard a view: anonymous users go to sign-in, other roles get 403.

    :raise 403: if the signed-in user's role is not one of *roles*.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("account.login", next=request.full_path.rstrip("?")))
            if current_user.row.must_change_password and request.endpoint != "account.password":
                return redirect(url_for("account.password"))
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.roles = roles
        return wrapped

    return decorator


staff_required = role_required(Role.STAFF)
signed_in_required = role_required(Role.STAFF, Role.COORDINATOR)
