"""Staff create and edit campaigns, recipients, chapters and accounts through the forms."""

import datetime as dt

import pytest
from sqlmodel import select

from models import Campaign
from models import Chapter
from models import Recipient
from models import User
from tests.conftest import csrf_token
from tests.conftest import field_error
from tests.conftest import page

CAMPAIGN = {
    "title": "Free Azimjan Askarov",
    "slug": "azimjan-askarov",
    "summary": "A human rights defender imprisoned in Kyrgyzstan.",
    "guidance": "Write politely.",
    "status": "active",
    "starts_on": "2025-11-20",
    "ends_on": "",
    "goal": "500",
    "country": "KG",
    "counter_threshold": "10",
}


@pytest.fixture
def staff(client, auth, make):
    make.user()
    auth.login()
    return client


def post(client, url, data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)})


def test_staff_create_a_campaign_with_two_recipients(staff, fresh):
    response = post(staff, "/campaigns/new", CAMPAIGN)
    assert response.status_code == 303
    assert response.headers["Location"] == "/campaigns/azimjan-askarov"
    president = {
        "key": "president",
        "role": "appeal",
        "name": "President Almazbek Atambaev",
        "salutation": "Dear President",
        "address_lines": "Government House\r\nProspekt Chuy 205",
        "city": "Bishkek",
        "postcode": "720003",
        "country": "KG",
        "fax": "+996 312 625 012",
        "email": "",
        "position": "1",
    }
    prisoner = president | {
        "key": "prisoner",
        "role": "solidarity",
        "name": "Azimjan Askarov",
        "address_lines": "Koloniya No. 47",
        "postcode": "",
        "fax": "",
        "position": "2",
    }
    for recipient in (president, prisoner):
        response = post(staff, "/campaigns/azimjan-askarov/recipients/new", recipient)
        assert response.status_code == 303
    with fresh() as s:
        campaign = s.exec(select(Campaign)).one()
        recipients = s.exec(select(Recipient).order_by(Recipient.position)).all()
    assert (campaign.title, campaign.status, campaign.starts_on, campaign.goal) == (
        "Free Azimjan Askarov",
        "active",
        dt.date(2025, 11, 20),
        500,
    )
    assert campaign.ends_on is None and campaign.counter_threshold == 10
    assert [(r.key, r.role, r.campaign_id) for r in recipients] == [
        ("president", "appeal", campaign.id),
        ("prisoner", "solidarity", campaign.id),
    ]
    shown = page(staff.get("/campaigns/azimjan-askarov"))
    assert "Prospekt Chuy 205" in shown.get_text()
    assert "Kyrgyzstan" in shown.get_text()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": "Not A Slug"}, "slug", "lower-case letters"),
        ({"title": ""}, "title", "required"),
        ({"starts_on": "someday"}, "starts_on", "date"),
        ({"country": "ZZ"}, "country", "choice"),
        ({"ends_on": "2025-01-01"}, "ends_on", "before the start"),
        ({"goal": "0"}, "goal", "at least 1"),
    ],
)
def test_campaign_form_problems_show_next_to_the_field(staff, fresh, changes, field, message):
    response = post(staff, "/campaigns/new", CAMPAIGN | changes)
    assert response.status_code == 422
    assert message in field_error(response, field)
    with fresh() as s:
        assert s.exec(select(Campaign)).all() == []


def test_a_taken_slug_is_refused(staff, make):
    make.campaign()
    response = post(staff, "/campaigns/new", CAMPAIGN)
    assert response.status_code == 422
    assert "already uses" in field_error(response, "slug")


def test_staff_edit_a_campaign_and_close_it(staff, make, fresh):
    make.campaign()
    response = post(staff, "/campaigns/azimjan-askarov/edit", CAMPAIGN | {"status": "closed"})
    assert response.status_code == 303
    with fresh() as s:
        assert s.exec(select(Campaign)).one().status == "closed"


def test_draft_campaigns_are_hidden_from_the_public(client, make):
    make.campaign(status="draft")
    assert client.get("/campaigns/azimjan-askarov").status_code == 404
    assert "Azimjan" not in client.get("/").get_data(as_text=True)


def test_staff_add_a_chapter_and_its_coordinator(staff, fresh):
    response = post(
        staff,
        "/chapters/new",
        {
            "name": "Class 4B, Hillside Elementary",
            "slug": "hillside-4b",
            "kind": "class",
            "town": "Columbus",
            "country": "US",
            "goal": "60",
            "public_counter": "y",
        },
    )
    assert response.status_code == 303
    response = post(
        staff,
        "/users/new",
        {
            "email": "Teacher@Example.org",
            "role": "coordinator",
            "chapter": "hillside-4b",
        },
    )
    assert response.status_code == 200
    one_time = page(response).select_one(".secret code").get_text()
    with fresh() as s:
        chapter = s.exec(select(Chapter)).one()
        teacher = s.exec(select(User).where(User.email == "teacher@example.org")).one()
    assert (chapter.kind, chapter.public_counter, chapter.goal) == ("class", True, 60)
    assert (teacher.role, teacher.chapter_id, teacher.must_change_password) == (
        "coordinator",
        chapter.id,
        True,
    )
    assert teacher.password_hash.startswith("$argon2id$")
    assert one_time not in teacher.password_hash


def test_a_coordinator_needs_a_chapter(staff):
    response = post(
        staff, "/users/new", {"email": "t@example.org", "role": "coordinator", "chapter": ""}
    )
    assert response.status_code == 422
    assert "needs a chapter" in field_error(response, "chapter")


def test_chapter_form_refuses_a_missing_town(staff):
    response = post(
        staff,
        "/chapters/new",
        {"name": "X", "slug": "x", "kind": "group", "town": "", "country": "US"},
    )
    assert response.status_code == 422
    assert field_error(response, "town")
