"""The flask commands: demo, users create, users token, db upgrade, totals."""

from sqlalchemy import delete
from sqlalchemy import func
from sqlmodel import select

from app.services import accounts
from models import ApiToken
from models import Batch
from models import Campaign
from models import Chapter
from models import Mailing
from models import MailingTally
from models import Recipient
from models import User


def test_demo_loads_the_askarov_campaign_once(runner, fresh):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "One-time password: " in first.output
    with fresh() as s:
        campaign = s.exec(select(Campaign)).one()
        recipients = {r.key: r for r in s.exec(select(Recipient))}
        mailings = s.exec(select(func.count()).select_from(Mailing)).one()
        chapters = s.exec(select(func.count()).select_from(Chapter)).one()
        staff = s.exec(select(User)).one()
    assert (campaign.slug, campaign.status, campaign.country) == ("azimjan-askarov", "active", "KG")
    president = recipients["president"]
    assert (president.role, president.name, president.fax) == (
        "appeal",
        "President Almazbek Atambaev",
        "+996 312 625 012",
    )
    assert president.address_lines.splitlines() == ["Government House", "Prospekt Chuy 205"]
    assert (president.city, president.postcode, president.country) == ("Bishkek", "720003", "KG")
    prisoner = recipients["prisoner"]
    assert (prisoner.role, prisoner.address_lines, prisoner.city) == (
        "solidarity",
        "Koloniya No. 47",
        "Bishkek",
    )
    assert chapters >= 4 and mailings > 200
    assert staff.role == "staff" and staff.must_change_password

    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "exists already" in again.output
    assert "One-time password" not in again.output
    with fresh() as s:
        assert s.exec(select(func.count()).select_from(Mailing)).one() == mailings
        assert s.exec(select(func.count()).select_from(Batch)).one() > 20


def test_the_demo_password_signs_in(runner, client, auth):
    output = runner.invoke(args=["demo"]).output
    password = output.split("One-time password: ")[1].split()[0]
    response = auth.login("staff@lettertrail.example", password)
    assert response.headers["Location"] == "/account/password"


def test_users_create_reads_the_password_from_stdin(runner, make, fresh):
    make.chapter()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Teacher@Example.org",
            "--role",
            "coordinator",
            "--chapter",
            "class-4b",
        ],
        input="a good long password\na good long password\n",
    )
    assert result.exit_code == 0, result.output
    with fresh() as s:
        user = s.exec(select(User)).one()
    assert (user.email, user.role) == ("teacher@example.org", "coordinator")
    assert user.password_hash.startswith("$argon2id$")


def test_users_create_refuses_a_short_password_and_an_unknown_chapter(runner, fresh):
    result = runner.invoke(
        args=["users", "create", "t@example.org", "--role", "coordinator", "--chapter", "nope"],
        input="short\nshort\n",
    )
    assert result.exit_code == 1
    assert "password: Use at least 8 characters." in result.output
    assert "chapter: There is no chapter" in result.output
    with fresh() as s:
        assert s.exec(select(User)).all() == []


def test_users_token_prints_a_token_stored_only_as_a_digest(runner, make, fresh):
    user = make.user()
    result = runner.invoke(args=["users", "token", "staff@example.org"])
    assert result.exit_code == 0
    token = result.output.strip()
    with fresh() as s:
        row = s.exec(select(ApiToken)).one()
        assert token not in row.token_hash and len(row.token_hash) == 64
        assert accounts.user_for_token(s, token).id == user.id
        assert accounts.user_for_token(s, token + "x") is None
        accounts.revoke_token(session=s, token_id=row.id)
        assert accounts.user_for_token(s, token) is None


def test_users_token_for_an_unknown_email_fails(runner):
    result = runner.invoke(args=["users", "token", "nobody@example.org"])
    assert result.exit_code != 0 and "No active account" in result.output


def test_totals_check_and_rebuild(runner, world, make, fresh):
    make.batch(world["staff"], count=4)
    assert runner.invoke(args=["totals", "check"]).output == "The tallies match the mailings.\n"
    with fresh() as s:
        s.exec(delete(MailingTally))
        s.commit()
    drifted = runner.invoke(args=["totals", "check", "--campaign", "azimjan-askarov"])
    assert drifted.exit_code == 1 and "mailing_tally" in drifted.output
    rebuilt = runner.invoke(args=["totals", "rebuild", "--campaign", "azimjan-askarov"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert runner.invoke(args=["totals", "check"]).exit_code == 0
    assert (
        "No campaign nope" in runner.invoke(args=["totals", "check", "--campaign", "nope"]).output
    )
