"""Hostile text (S10): what people type is stored as typed and shown as text, never run.

A corpus of payloads goes into every free-text field through the real forms, the CSV
import and the API; every page, export and API answer that shows a field is then read
back and must show the payload literally, with no script, event handler or
``javascript:`` link of its making. Text the database cannot store (a NUL) is refused
at the boundary with a message, never a 500.
"""

import pytest
from flask import url_for
from sqlalchemy import func
from sqlmodel import select

from models import ApiToken
from models import Campaign
from models import Chapter
from models import Mailing
from models import Phrase
from models import Recipient
from models import User
from tests.conftest import PASSWORD
from tests.conftest import csrf_token
from tests.conftest import field_error
from tests.conftest import page
from tests.web.test_counter import open_counter

SLUG = "azimjan-askarov"


def post(client, url, data):
    """Submit the form at *url* with its CSRF token."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)})


def rows(fresh, model) -> int:
    with fresh() as s:
        return s.exec(select(func.count()).select_from(model)).one()


# --- text the database cannot store ------------------------------------------------------

CAMPAIGN_FORM = {
    "title": "Free Azimjan Askarov",
    "slug": "second-case",
    "summary": "A human rights defender.",
    "guidance": "Write politely.",
    "status": "active",
    "starts_on": "2025-11-20",
    "country": "KG",
}
RECIPIENT_FORM = {
    "key": "embassy",
    "role": "copy",
    "name": "Embassy of Kyrgyzstan",
    "salutation": "Your Excellency",
    "address_lines": "2360 Massachusetts Ave NW",
    "city": "Washington",
    "postcode": "20008",
    "country": "US",
    "fax": "",
    "email": "",
}
PHRASE_FORM = {"text": "Мы думаем о Вас!", "meaning": "We think of you", "language": "ru"}
CHAPTER_FORM = {
    "name": "Hillside",
    "slug": "hillside",
    "kind": "school",
    "town": "Columbus",
    "country": "US",
}
TOKEN_FORM = {"label": "script"}
USER_FORM = {"email": "new@example.org", "role": "staff", "chapter": ""}
# Every form that stores free text: its URL, a good submission, the table it writes,
# and its free-text fields.
TEXT_FORMS = [
    ("/campaigns/new", CAMPAIGN_FORM, Campaign, ("title", "summary", "guidance")),
    (
        f"/campaigns/{SLUG}/recipients/new",
        RECIPIENT_FORM,
        Recipient,
        ("name", "salutation", "address_lines", "city", "postcode", "fax", "email"),
    ),
    (f"/campaigns/{SLUG}/phrases/new", PHRASE_FORM, Phrase, ("text", "meaning")),
    ("/chapters/new", CHAPTER_FORM, Chapter, ("name", "town")),
    ("/account/tokens", TOKEN_FORM, ApiToken, ("label",)),
    ("/users/new", USER_FORM, User, ("email",)),
]
NUL_FIELDS = [
    (url, form, model, field) for url, form, model, fields in TEXT_FORMS for field in fields
]


@pytest.mark.parametrize(("url", "form", "model", "field"), NUL_FIELDS)
def test_a_nul_in_any_free_text_field_is_refused_next_to_it(
    client, auth, world, fresh, url, form, model, field
):
    """PostgreSQL cannot store a NUL: each of these was a 500 there, and is a 422 now."""
    auth.login()
    before = rows(fresh, model)
    response = post(client, url, form | {field: form[field][:3] + "\x00" + form[field][3:]})
    assert response.status_code == 422
    assert field_error(response, field)
    assert rows(fresh, model) == before
    # The same form without the NUL is taken: the NUL alone was the problem.
    assert post(client, url, form).status_code in (200, 303)
    assert rows(fresh, model) == before + 1


def test_signing_in_with_a_nul_in_the_email_is_a_failed_sign_in(client, world):
    token = csrf_token(client, "/login")
    data = {"email": "staff@exa\x00mple.org", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login", data=data)
    assert response.status_code == 401
    assert "do not match" in page(response).get_text()
    assert "/login" in client.get("/mailings").headers["Location"]


# --- invisible characters ----------------------------------------------------------------

MAILING_FORM = {
    "campaign": SLUG,
    "recipient": "president",
    "channel": "letter",
    "count": "5",
    "sent_on": "2025-12-10",
    "sender_town": "Bishkek",
    "sender_country": "KG",
    "chapter": "",
    "kind": "",
}
# How people paste one town: from a web page (zero-width space, byte-order mark, soft
# hyphen) or with direction controls, which could make a page read backwards.
SPELLINGS = {
    "zero-width space": "Bish\u200bkek",
    "byte-order mark": "\ufeffBishkek",
    "soft hyphen": "Bish\u00adkek",
    "word joiner": "Bish\u2060kek",
    "right-to-left override": "\u202eBishkek",
    "override and its end": "Bish\u202ekek\u202c",
    "right-to-left isolate": "\u2067Bishkek\u2069",
    "left-to-right mark": "Bishkek\u200e",
    "control character": "Bish\x1bkek",
}


def log_from(client, town: str):
    """Log 5 letters sent from *town* through the form."""
    return post(client, "/mailings/new", MAILING_FORM | {"sender_town": town})


def test_invisible_characters_are_dropped_so_one_town_tallies_once(client, auth, world, fresh):
    auth.login()
    for town in ["Bishkek", *SPELLINGS.values()]:
        assert log_from(client, town).status_code == 303
    with fresh() as s:
        towns = s.exec(select(Mailing.sender_town, Mailing.sender_town_key).distinct()).all()
    assert towns == [("Bishkek", "bishkek")]
    dashboard = page(client.get(f"/dashboard/{SLUG}"))
    (row,) = [r for r in dashboard.select("table.breakdown tr") if "Bishkek" in r.get_text()]
    assert "50" in row.get_text()


def test_joiners_stay_in_the_text_but_not_in_the_towns_key(client, auth, world, fresh):
    """Persian, Indic scripts and emoji need U+200C and U+200D: they are kept as typed."""
    auth.login()
    for town in ("Bishkek", "Bish\u200dkek"):
        assert log_from(client, town).status_code == 303
    with fresh() as s:
        towns = set(s.exec(select(Mailing.sender_town, Mailing.sender_town_key)).all())
    assert towns == {("Bishkek", "bishkek"), ("Bish\u200dkek", "bishkek")}


@pytest.mark.parametrize(("url", "form", "model", "fields"), TEXT_FORMS)
def test_every_free_text_field_drops_invisible_characters(
    client, auth, world, fresh, url, form, model, fields
):
    auth.login()
    changed = {name: "\u202e" + form[name][:2] + "\u200b" + form[name][2:] for name in fields}
    assert post(client, url, form | changed).status_code in (200, 303)
    with fresh() as s:
        row = s.exec(select(model).order_by(model.id.desc())).first()
    assert {name: getattr(row, name) for name in fields} == {
        name: form[name].replace("\r", "") for name in fields
    }


def test_a_name_of_invisible_characters_only_is_a_blank_name(client, auth, world, fresh):
    auth.login()
    response = post(client, "/chapters/new", CHAPTER_FORM | {"name": "\u200b\u202e\ufeff"})
    assert response.status_code == 422
    assert "required" in field_error(response, "name")
    assert rows(fresh, Chapter) == 2


# A NUL in a URL: every route's text arguments, and every query parameter a page reads.
QUERY_NAMES = ("campaign", "chapter", "channel", "status", "since", "until", "before")
QUERY_NAMES += ("from", "to", "kind", "weight_g", "option", "on", "paper", "lang", "next")


def test_a_nul_in_any_url_is_a_404_or_400_never_a_500(app, client, auth, world, make, fresh):
    """PostgreSQL fails on a query comparing text with a NUL: /counter/a%00b was a 500."""
    batch = make.batch(world["staff"])
    open_counter(make, world["class_4b"])
    with fresh() as s:
        code = s.exec(select(Mailing.code).where(Mailing.batch_id == batch.id)).first()
    values = {"slug": SLUG, "chapter_slug": "class-4b", "key": "president", "code": code}
    values |= {"fmt": "csv", "filename": "css/main.css", "batch_id": batch.id}
    values |= {"phrase_id": 1, "token_id": 1, "user_id": 1}
    auth.login()
    with app.test_request_context():
        urls = []
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods:
                continue
            args = {name: values[name] for name in rule.arguments}
            urls.append(url_for(rule.endpoint, **args))
            for name in rule.arguments:
                # Only free text: not numbers, and not a choice ("csv" or "xlsx").
                if type(rule._converters[name]).__name__ in ("UnicodeConverter", "PathConverter"):
                    urls.append(url_for(rule.endpoint, **(args | {name: "a\x00b"})))
    answers = {}
    for url in urls:
        for query in [""] + [f"?{name}=a%00b" for name in QUERY_NAMES]:
            response = client.get(url + query)
            response.close()  # a static file's answer holds the file open
            if response.status_code >= 500:
                answers[url + query] = response.status_code
    assert answers == {}
    assert client.get(f"/counter/{SLUG}%00").status_code == 404
    assert client.get(f"/mailings?campaign={SLUG}%00").status_code == 400
    assert client.get("/api/v1/campaigns/a%00b/totals").get_json()["errors"]
