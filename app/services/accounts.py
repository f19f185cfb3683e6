"""Accounts: creating users, checking passwords, sessions and API tokens."""

import datetime as dt
import functools
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import select

from app.services.database import begin_write
from app.services.errors import N_
from app.services.errors import FieldError
from app.services.errors import ValidationFailed
from models import ApiToken
from models import Chapter
from models import Role
from models import User
from models.base import drop_invisible
from models.base import storable_text

MIN_PASSWORD = 8
MAX_PASSWORD = 64
# How many of the most common passwords are refused (ASVS 5.0, 6.2.4).
COMMON_PASSWORDS = 3000
# argon2id with the library's current recommended parameters (RFC 9106 low-memory).
_hasher = PasswordHasher()
# Verified against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")


def normalize_email(email: str) -> str:
    """Return *email* without invisible characters, stripped and lower-cased: the form
    it is stored in."""
    return drop_invisible(email).strip().lower()


def _storable(text: str) -> bool:
    """Tell whether the database can store (and so compare) *text*: no NUL, no lone
    surrogate. PostgreSQL fails on a NUL in a query, so such text never reaches one."""
    try:
        storable_text(text)
    except ValueError:
        return False
    return True


def password_problem(password: str) -> FieldError | None:
    """Return why *password* is refused (field ``password``), or ``None`` if acceptable."""
    if len(password) < MIN_PASSWORD:
        return FieldError("password", N_("Use at least %(n)s characters."), {"n": MIN_PASSWORD})
    if len(password) > MAX_PASSWORD:
        return FieldError("password", N_("Use at most %(n)s characters."), {"n": MAX_PASSWORD})
    if password.lower() in common_passwords():
        return FieldError("password", N_("This password is too common. Choose another."))
    return None


@functools.cache
def common_passwords() -> frozenset[str]:
    """Return the most common passwords, lower-cased: the head of zxcvbn's ranked list
    (MIT; drawn from leaked password dumps), which is kept up to date on PyPI.
    """
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_PASSWORDS])


def new_session_token() -> str:
    """Return a fresh value that ties session cookies to a user's current sign-in."""
    return secrets.token_hex(16)


def create_user(
    *,
    session: Session,
    email: str,
    password: str,
    role: str,
    chapter_slug: str | None = None,
    must_change_password: bool = False,
) -> User:
    """Create an account and commit.

    :raises ValidationFailed: for a taken or malformed email, a weak password, an
        unknown role, or a coordinator without an existing chapter.
    """
    email = normalize_email(email)
    errors = []
    if (
        "@" not in email
        or len(email) > 254
        or email.startswith("@")
        or email.endswith("@")
        or not _storable(email)
    ):
        errors.append(FieldError("email", N_("Enter an email address.")))
    if problem := password_problem(password):
        errors.append(problem)
    if role not in (Role.STAFF, Role.COORDINATOR):
        errors.append(FieldError("role", N_("Choose staff or coordinator.")))
    begin_write(session)
    chapter = None
    if chapter_slug:
        chapter = session.exec(select(Chapter).where(Chapter.slug == chapter_slug)).first()
        if chapter is None:
            errors.append(FieldError("chapter", N_("There is no chapter with this name.")))
    elif role == Role.COORDINATOR:
        errors.append(FieldError("chapter", N_("A coordinator needs a chapter.")))
    if errors:
        session.rollback()
        raise ValidationFailed(errors)
    user = User(
        email=email,
        password_hash=_hasher.hash(password),
        role=role,
        chapter_id=chapter.id if chapter else None,
        session_token=new_session_token(),
        must_change_password=must_change_password,
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ValidationFailed.one(
            "email", N_("An account with this email exists already.")
        ) from None
    return user


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """Return the active user with this email and password, or ``None``.

    Rehashes the password when the hashing parameters have changed.
    """
    email = normalize_email(email)
    user = None
    if _storable(email):
        user = session.exec(select(User).where(User.email == email)).first()
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        return None
    if not _verify(user.password_hash, password):
        return None
    begin_write(session)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_sign_in_at = dt.datetime.now(dt.UTC)
    session.add(user)
    session.commit()
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(*, session: Session, user: User, current: str, new: str) -> None:
    """Set a new password, ending every other session of *user*; commits.

    :raises ValidationFailed: if *current* is wrong or *new* is refused.
    """
    errors = []
    if not _verify(user.password_hash, current):
        errors.append(FieldError("current_password", N_("This is not your current password.")))
    if problem := password_problem(new):
        errors.append(FieldError("new_password", problem.message, problem.params))
    if errors:
        raise ValidationFailed(errors)
    set_password(session=session, user=user, password=new)


def set_password(*, session: Session, user: User, password: str) -> None:
    """Set *user*'s password (no check of the old one) and end their sessions; commits.

    :raises ValidationFailed: if *password* is refused.
    """
    if problem := password_problem(password):
        raise ValidationFailed([problem])
    begin_write(session)
    user.password_hash = _hasher.hash(password)
    user.must_change_password = False
    user.session_token = new_session_token()
    session.add(user)
    session.commit()


def end_sessions(*, session: Session, user: User) -> None:
    """Make every session cookie of *user* anonymous (sign-out, disable); commits."""
    begin_write(session)
    user.session_token = new_session_token()
    session.add(user)
    session.commit()


def set_active(*, session: Session, user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions. Commits."""
    begin_write(session)
    user.active = active
    if not active:
        user.session_token = new_session_token()
    session.add(user)
    session.commit()


def user_for_session(session: Session, user_id: int, token: str) -> User | None:
    """Return the active user a session cookie names, if its token is still current."""
    user = session.get(User, user_id)
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


# --- API tokens ------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, session: Session, user: User, label: str = "") -> str:
    """Create an API token for *user* and return it; only its digest is stored. Commits.

    :raises ValidationFailed: for a label the database cannot store.
    """
    try:
        storable_text(label)
    except ValueError as exc:
        raise ValidationFailed.one("label", str(exc)) from None
    token = "lt_" + secrets.token_urlsafe(32)
    label = drop_invisible(label).strip()[:100]
    begin_write(session)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), label=label))
    session.commit()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """Return the active user an unrevoked API *token* belongs to, or ``None``."""
    row = session.exec(
        select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def revoke_token(*, session: Session, token_id: int) -> None:
    """Revoke an API token; commits."""
    begin_write(session)
    row = session.get(ApiToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = dt.datetime.now(dt.UTC)
        session.add(row)
    session.commit()


def list_tokens(session: Session, *, user: User | None = None) -> list[tuple[ApiToken, User]]:
    """Return API tokens with their owners, newest first: *user*'s, or everyone's."""
    query = select(ApiToken, User).join(User, User.id == ApiToken.user_id)
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return list(session.exec(query.order_by(ApiToken.id.desc())).all())
