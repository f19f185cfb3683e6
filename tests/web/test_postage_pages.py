"""The postage calculator page, the campaign page's calculator, the quote API and CLI."""

import json

import pytest
from flask_babel import get_locale
from flask_babel import gettext
from flask_babel import ngettext

from app.services.postage import quote
from app.services.stamp_advice import stamps_text
from tests.conftest import page


def answer(response) -> str:
    return page(response).find(id="postage").get_text(" ", strip=True)


def test_the_calculator_prices_a_letter_to_kyrgyzstan(client):
    response = client.get("/postage?from=US&to=KG&kind=letter&weight=20&unit=g&on=2025-11-20")
    assert response.status_code == 200
    text = answer(response)
    assert "$1.70" in text and "1 Global Forever stamp" in text
    assert "2025" in text and "Notice 123" in text
    assert "Set-Cookie" not in response.headers


def test_the_calculator_takes_ounces_exactly(client):
    # FACTS 2.1: 1 oz is the 1-oz step; a hair over goes to the 2-oz step ($3.40, group 6).
    exact = client.get("/postage?from=US&to=KG&kind=letter&weight=1&unit=oz&on=2025-11-20")
    over = client.get("/postage?from=US&to=KG&kind=letter&weight=1.0001&unit=oz&on=2025-11-20")
    assert "$1.70" in answer(exact)
    assert "$3.40" in answer(over)


def test_the_calculator_says_when_no_price_is_published(client):
    response = client.get("/postage?from=US&to=SO&kind=letter&weight=20&on=2025-11-20")
    assert response.status_code == 200
    assert "no service to Somalia" in answer(response)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=ZZ&to=KG", "from", ""),
        ("from=US&to=", "to", ""),
        ("from=US&to=KG&weight=heavy", "weight", "number"),
        ("from=US&to=KG&weight=-5", "weight", ""),
        ("from=US&to=KG&on=yesterday", "on", ""),
        ("from=GB&to=KG&option=colour=red", "option", ""),
    ],
)
def test_calculator_problems_show_next_to_the_field(client, query, field, message):
    params = {"kind": "letter", "weight": "20"} | dict(p.split("=", 1) for p in query.split("&"))
    response = client.get("/postage", query_string=params)
    assert response.status_code == 422
    control = page(response).find(attrs={"name": field})
    assert control["aria-invalid"] == "true"
    error = page(response).find(id=control["aria-describedby"]).get_text()
    assert message in error and error


def test_the_campaign_page_offers_the_calculator_for_its_recipients(client, world):
    response = client.get("/campaigns/azimjan-askarov?from=GB&kind=letter&weight=20&on=2025-11-20")
    soup = page(response)
    options = [o.get_text() for o in soup.select("#calc-to option")]
    assert options == [
        "President Almazbek Atambaev (Kyrgyzstan)",
        "Azimjan Askarov (Kyrgyzstan)",
    ]
    assert "£3.20" in answer(response)
    assert "Set-Cookie" not in response.headers


def test_the_quote_api_returns_the_design_body(client):
    response = client.get(
        "/api/v1/postage/quote?from=US&to=KG&kind=letter&weight_g=20&on=2025-11-20"
    )
    assert response.status_code == 200
    body = response.get_json()
    assert {
        k: body[k]
        for k in (
            "amount",
            "amount_minor",
            "currency",
            "operator",
            "zone",
            "effective_from",
            "stamps",
        )
    } == {
        "amount": "1.70",
        "amount_minor": 170,
        "currency": "USD",
        "operator": "usps",
        "zone": "6",
        "effective_from": "2025-07-13",
        "stamps": "1 Global Forever stamp",
    }
    assert body["weight_step"] and body["source"] and body["product"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # FACTS 2.6: Royal Mail 2nd class inside the UK, 87p from 2025-04-07.
        ("from=GB&to=GB&kind=letter&weight_g=20&on=2025-11-20&option=class=second", 87),
        # FACTS 2.5: Canada Post single stamp inside Canada, $1.44 from 2025-01-13.
        ("from=CA&to=CA&kind=letter&weight_g=20&on=2025-11-20&option=purchase=single", 144),
        # FACTS 2.1: 2 oz to Kyrgyzstan, $3.40; nonmachinable adds $0.49 to a letter.
        ("from=US&to=KG&kind=letter&weight_oz=2&on=2025-11-20", 340),
        ("from=US&to=KG&kind=letter&weight_oz=1&on=2025-11-20&nonmachinable=1", 219),
    ],
)
def test_the_quote_api_takes_options_ounces_and_surcharges(client, query, expected):
    assert client.get(f"/api/v1/postage/quote?{query}").get_json()["amount_minor"] == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=US&to=SO&kind=letter&weight_g=20", "to"),
        ("from=US&to=KG&kind=parcel&weight_g=20", "kind"),
        ("from=US&to=KG&kind=letter&weight_g=0", "weight_g"),
        ("from=US&to=KG&kind=letter&weight_g=abc", "weight_g"),
        ("from=US&to=KG&kind=letter&weight_g=99999", "weight_g"),
        ("from=US&to=KG&kind=letter&weight_g=20&on=2001-01-01", "on"),
        ("from=XX&to=KG&kind=letter&weight_g=20", "from"),
        ("from=US&to=KG&kind=letter&weight_g=20&option=speed=fast", "option"),
    ],
)
def test_the_quote_api_refuses_with_422_naming_the_field(client, query, field):
    response = client.get(f"/api/v1/postage/quote?{query}")
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert field in {e["field"] for e in errors}
    assert all(e["message"] for e in errors)


def test_postage_quote_cli_prints_the_same_body_as_the_api(runner, client):
    args = [
        "postage",
        "quote",
        "--from",
        "US",
        "--to",
        "KG",
        "--kind",
        "letter",
        "--weight-g",
        "20",
        "--on",
        "2025-11-20",
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    api = client.get("/api/v1/postage/quote?from=US&to=KG&kind=letter&weight_g=20&on=2025-11-20")
    assert json.loads(result.output) == api.get_json()


def test_postage_quote_cli_fails_with_the_reason(runner):
    result = runner.invoke(
        args=[
            "postage",
            "quote",
            "--from",
            "US",
            "--to",
            "SO",
            "--kind",
            "letter",
            "--weight-oz",
            "1",
        ]
    )
    assert result.exit_code == 1
    assert "no service to Somalia" in result.output


def test_rates_check_validates_every_table(runner):
    result = runner.invoke(args=["rates", "check"])
    assert result.exit_code == 0, result.output
    assert "All rate tables are valid." in result.output
    assert "usps does not cover" in result.output and "royal_mail does not cover 3" in result.output


def test_the_batch_page_shows_the_price_and_stamps(client, auth, make, world):
    batch = make.batch(world["coordinator"], count=28)
    auth.login("teacher@example.org")
    text = page(client.get(f"/batches/{batch.id}")).select_one(".postage-line").get_text(" ")
    assert "$1.70" in text and "1 Global Forever stamp" in text and "$47.60 for all 28" in text


def test_an_unpriced_batch_says_postage_unknown(client, auth, make, world):
    batch = make.batch(world["staff"], count=2, sender_town="Osaka", sender_country="JP")
    auth.login()
    text = page(client.get(f"/batches/{batch.id}")).select_one(".postage-line").get_text(" ")
    assert "Postage unknown" in text and "Japan" in text


def test_a_refusal_names_the_country_in_the_readers_language(client):
    query = "/api/v1/postage/quote?from=US&kind=letter&weight_g=20&on=2025-11-20"

    english = client.get(f"{query}&to=SO").get_json()["errors"][0]["message"]
    french = client.get(f"{query}&to=SO&lang=fr").get_json()["errors"][0]["message"]
    spanish = client.get(f"{query}&to=MC", headers={"Accept-Language": "es"}).get_json()

    assert english == "USPS has no service to Somalia"
    assert "Somalie" in french and "SO" not in french
    assert "Mónaco" in spanish["errors"][0]["message"]


def test_stamp_advice_takes_flask_babels_functions(app):
    q = quote(origin="DE", destination="KG", kind="letter", weight_g=20, on="2025-11-20")
    card = quote(origin="US", destination="KG", kind="letter", weight_g=80, on="2025-11-20")

    with app.test_request_context("/postage?lang=fr"):
        shown = stamps_text(q, gettext=gettext, ngettext=ngettext, locale=str(get_locale()))
        cards = stamps_text(card, gettext=gettext, ngettext=ngettext, locale=str(get_locale()))

    assert shown.replace("\xa0", " ") == "1,25 € en timbres"
    assert cards == "3 timbres Global Forever"
