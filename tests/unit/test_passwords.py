"""Passwords (S7): length only, no composition rules, common ones refused, argon2id, rehash."""

import pytest
from argon2 import PasswordHasher
from argon2 import extract_parameters
from sqlmodel import select
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.services import accounts
from models import User


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("short12", True),  # 7 characters
        ("eightch!", False),
        ("x" * 64, False),
        ("x" * 65, True),
        ("alllowercaseletters", False),  # no composition rules: no digit, capital or symbol
        ("ünïcödé pässwörd", False),
        ("password", True),
        ("PASSWORD", True),  # the list is compared without case
        ("12345678", True),
        ("iloveyou", True),
        ("sunshine", True),
        ("correct horse battery", False),
    ],
)
def test_password_rules(password, refused):
    assert (accounts.password_problem(password) is not None) is refused


def test_the_3000_most_common_are_refused_and_no_more():
    common = accounts.common_passwords()
    assert len(common) == 3000
    long_enough = [p for p in common if 8 <= len(p) <= 64]
    assert len(long_enough) > 500
    assert all(accounts.password_problem(p) is not None for p in long_enough)
    problem = accounts.password_problem("football")
    assert problem.message == "This password is too common. Choose another."
    ranked = FREQUENCY_LISTS["passwords"]
    beyond = next(p for p in ranked[3000:] if len(p) >= 8 and p not in common)
    assert accounts.password_problem(beyond) is None


def test_passwords_are_stored_as_argon2id(make, fresh):
    make.user()
    with fresh() as s:
        stored = s.exec(select(User.password_hash)).one()
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored


def test_a_hash_with_old_parameters_is_replaced_at_sign_in(make, fresh, monkeypatch):
    make.user()  # hashed with the suite's quick parameters
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", stronger)
    with fresh() as s:
        user = accounts.authenticate(
            session=s, email="staff@example.org", password="correct horse battery"
        )
        assert user is not None
    with fresh() as s:
        stored = s.exec(select(User.password_hash)).one()
    params = extract_parameters(stored)
    assert (params.time_cost, params.memory_cost) == (2, 2048)
    assert not stronger.check_needs_rehash(stored)
