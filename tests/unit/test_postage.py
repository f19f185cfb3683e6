"""Postage quotes: published prices from FACTS.md, exact weight steps, and clear refusals.

Every published-price case cites the FACTS.md section and line its price is read from
(``2.1:134`` is §2.1, line 134 of /work/shared/postage/FACTS.md).
"""

import dataclasses
import datetime as dt
import itertools
import re
import textwrap
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.extract import extract_from_file
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from app.services import countries
from app.services import postage
from app.services.errors import ValidationFailed
from app.services.postage import NoPublishedPrice
from app.services.postage import Quote
from app.services.postage import default_piece
from app.services.postage import grams_from_ounces
from app.services.postage import parse_options
from app.services.postage import quote
from app.services.rates import load_rate_book
from models.mailing import Channel
from models.mailing import Kind

OZ = Decimal("28.349523125")
TODAY = dt.date(2025, 11, 20)  # inside Notice 123 ed. 2025-10-05 (FACTS.md §2.1 line 125)


def oz(ounces: str) -> Decimal:
    return Decimal(ounces) * OZ


def g(grams: str | int) -> Decimal:
    return Decimal(grams)


def weight(text: str) -> Decimal:
    """Read "20g" or "3.5oz" as grams."""
    if text.endswith("oz"):
        return oz(text.removesuffix("oz"))
    return g(text.removesuffix("g"))


def piece(spec: str) -> dict:
    """Read "US KG letter 2oz 2025-11-20 -" (from, to, kind, weight, posting date, extras)
    as keyword arguments of quote(). Extras are ``-``, or options such as ``class=second``
    and ``nonmachinable``, comma-separated."""
    origin, to, kind, grams, on, extras = spec.split()
    extras = [] if extras == "-" else extras.split(",")
    return {
        "origin": origin,
        "destination": to,
        "kind": kind,
        "weight_g": weight(grams),
        "on": dt.date.fromisoformat(on),
        "nonmachinable": "nonmachinable" in extras,
        "options": dict(e.split("=") for e in extras if "=" in e) or None,
    }


def pieces(table: str) -> list:
    """Read a text table of a FACTS.md citation and a piece, then expected values after ``|``."""
    cases = []
    for line in table.strip().splitlines():
        if not line.startswith("#"):
            spec, *expected = (part.strip() for part in line.split("|"))
            cite, *words = spec.split()
            spec = " ".join(words)
            cases.append(pytest.param(piece(spec), *expected, id=f"FACTS {cite} {spec}"))
    return cases


# Published prices ------------------------------------------------------------------------

# What the published list says a piece costs, and its zone.
PUBLISHED = """
# FACTS     from to kind           weight   posted on  extras          | price | zone
# USPS First-Class Mail International from 2025-07-13 (2.1) and its price groups (2.2)
2.1:133     US KG letter         20g      2025-11-20 -               | 1.70  | 6
2.1:134     US KG letter         2oz      2025-11-20 -               | 3.40  | 6
2.1:134     US CA letter         2oz      2025-11-20 -               | 2.00  | 1
2.1:135     US MX letter         3oz      2025-11-20 -               | 3.40  | 2
2.1:136     US DE letter         3.5oz    2025-11-20 -               | 5.75  | 5
2.1:135     US KE letter         2.5oz    2025-11-20 -               | 5.10  | 7
2.1:127     US JP postcard       5g       2025-11-20 -               | 1.70  | 3
2.1:144     US EG large_envelope 1oz      2025-11-20 -               | 3.15  | 8
2.1:151     US MX large_envelope 7.2oz    2025-11-20 -               | 10.85 | 2
2.1:152     US CA large_envelope 12oz     2025-11-20 -               | 7.60  | 1
2.1:153     US BR large_envelope 15.994oz 2025-11-20 -               | 18.55 | 9
2.1:138     US UA letter         20g      2025-11-20 nonmachinable   | 2.19  | 4
2.2:166     US XK letter         10g      2025-11-20 -               | 1.70  | 5
# USPS domestic First-Class Mail from 2025-07-13 (2.4); territories post as domestic (2.2:176)
2.4:217     US US letter         20g      2025-11-20 -               | 0.78  | domestic
2.4:217     US PR letter         3.5oz    2025-11-20 -               | 1.65  | domestic
2.4:217     GU US letter         2oz      2025-11-20 -               | 1.07  | domestic
2.4:219     US US large_envelope 13oz     2025-11-20 -               | 5.04  | domestic
2.4:220     US US postcard       5g       2025-11-20 -               | 0.61  | domestic
2.4:220     US US letter         20g      2025-11-20 nonmachinable   | 1.27  | domestic
# USPS 1-oz international letter and postcard, 2016-2025 (2.3)
2.3:195     US KG letter         20g      2016-06-01 -               | 1.15  | 6
2.3:196     US FR postcard       5g       2017-05-01 -               | 1.15  | 5
2.3:197     US KG letter         1oz      2018-01-21 -               | 1.15  | 6
2.3:198     US KG letter         20g      2019-03-01 -               | 1.15  | 6
2.3:198     US KG letter         20g      2019-03-01 nonmachinable   | 1.36  | 6
2.3:199     US KG letter         20g      2020-06-01 -               | 1.20  | 6
2.3:200     US CA letter         20g      2021-03-01 -               | 1.20  | 1
2.3:201     US KG letter         20g      2021-08-29 -               | 1.30  | 6
2.3:202     US KG letter         20g      2022-08-01 -               | 1.40  | 6
2.3:203     US KG letter         20g      2023-03-01 -               | 1.45  | 6
2.3:204     US KG postcard       5g       2023-08-01 -               | 1.50  | 6
2.3:205     US KG letter         20g      2024-03-01 -               | 1.55  | 6
2.3:206-207 US KG letter         20g      2025-03-01 -               | 1.65  | 6
2.3:206     US KG letter         20g      2025-07-12 -               | 1.65  | 6
# USPS domestic 1-oz letter and postcard history (2.4)
2.4:226     US US letter         20g      2016-01-15 -               | 0.49  | domestic
2.4:227     US US postcard       5g       2016-05-01 -               | 0.34  | domestic
2.4:229     US US letter         20g      2018-02-01 -               | 0.50  | domestic
2.4:233     US US letter         20g      2021-09-01 -               | 0.58  | domestic
2.4:235     US US postcard       5g       2023-02-01 -               | 0.48  | domestic
2.4:238     US US letter         20g      2024-08-01 -               | 0.73  | domestic
# Royal Mail (2.6)
2.6:280     GB KG letter         20g      2025-11-20 -               | 3.20  | international
2.6:280     GB KG letter         100g     2025-11-20 -               | 3.20  | international
2.6:269     GB GB letter         20g      2025-05-01 -               | 1.70  | domestic
2.6:269     GB GB letter         20g      2025-05-01 class=second    | 0.87  | domestic
2.6:266     GB GB postcard       5g       2023-11-01 class=second    | 0.75  | domestic
2.6:267     GB GB letter         20g      2024-05-01 -               | 1.35  | domestic
2.6:277     GB US letter         90g      2023-05-01 -               | 2.20  | international
2.6:279     GB FR postcard       5g       2024-11-01 -               | 2.80  | international
# Canada Post (2.5)
2.5:250     CA CA letter         20g      2025-11-20 -               | 1.24  | domestic
2.5:250     CA CA postcard       5g       2025-11-20 purchase=single | 1.44  | domestic
2.5:249     CA CA letter         30g      2024-06-01 purchase=single | 1.15  | domestic
2.5:249     CA US letter         20g      2024-06-01 -               | 1.40  | usa
2.5:248     CA US postcard       5g       2020-06-01 -               | 1.30  | usa
2.5:247     CA CA letter         30g      2019-03-01 purchase=meter  | 0.87  | domestic
2.5:247     CA CA letter         50g      2019-03-01 -               | 1.27  | domestic
2.5:247     CA CA letter         45g      2019-03-01 purchase=meter  | 1.23  | domestic
2.5:246     CA CA letter         20g      2014-06-01 -               | 0.85  | domestic
# Deutsche Post (2.7): the format follows from kind and weight
2.7:292     DE KG letter         20g      2025-11-20 -               | 1.25  | international
2.7:292     DE KG postcard       5g       2025-11-20 -               | 1.25  | international
2.7:292     DE KG letter         50g      2025-11-20 -               | 1.80  | international
2.7:297     DE KG large_envelope 400g     2025-11-20 -               | 3.30  | international
2.7:297     DE KG letter         1000g    2025-11-20 -               | 6.50  | international
2.7:298     DE KG large_envelope 2000g    2025-11-20 -               | 17.00 | international
2.7:292     DE DE letter         20g      2025-11-20 -               | 0.95  | domestic
2.7:298     DE DE letter         21g      2025-11-20 -               | 1.10  | domestic
2.7:298     DE DE large_envelope 50g      2025-11-20 -               | 1.80  | domestic
2.7:298     DE DE large_envelope 1000g    2025-11-20 -               | 2.90  | domestic
2.7:291     DE FR letter         20g      2022-06-01 -               | 1.10  | international
2.7:291     DE FR postcard       5g       2022-06-01 -               | 0.95  | international
2.7:290     DE DE letter         20g      2020-01-01 -               | 0.80  | domestic
2.7:289     DE DE postcard       5g       2016-06-01 -               | 0.45  | domestic
2.7:288     DE US letter         20g      2015-06-01 -               | 0.80  | international
# Australia Post (2.8)
2.8:307     AU AU letter         20g      2025-11-20 -               | 1.50  | domestic
2.8:307     AU AU postcard       5g       2024-05-01 -               | 1.50  | domestic
2.8:304     AU AU letter         20g      2015-01-01 -               | 0.70  | domestic
2.8:305     AU AU letter         20g      2016-01-05 -               | 1.00  | domestic
2.8:305     AU AU large_envelope 125g     2016-01-05 -               | 2.00  | domestic
"""


CASES = pieces(PUBLISHED)


@pytest.mark.parametrize(("args", "amount", "zone"), CASES)
def test_published_prices(args, amount, zone):
    q = quote(**args)

    assert (q.amount, q.zone) == (Decimal(amount), zone)
    assert q.amount_minor == int(Decimal(amount) * 100)
    assert q.confidence in {"A", "B"}
    assert q.effective_from <= args["on"]


def test_there_are_at_least_40_cases_across_five_operators_and_many_years():
    origins = {p.values[0]["origin"] for p in CASES}
    years = {p.values[0]["on"].year for p in CASES}

    assert len(CASES) >= 40
    assert {"US", "GB", "CA", "DE", "AU"} <= origins
    assert len(years) >= 8


# Kyrgyzstan, the demo campaign's destination ----------------------------------------------


def test_a_letter_from_ohio_to_bishkek():
    q = quote(origin="US", destination="KG", kind="letter", weight_g=g(20), on=TODAY)

    assert q.to_dict() == {
        "amount": "1.70",
        "amount_minor": 170,
        "currency": "USD",
        "operator": "usps",
        "product": "First-Class Mail International letter",
        "zone": "6",
        "weight_step": "up to 1 oz",
        "effective_from": "2025-07-13",
        "source": "USPS Notice 123, ed. 2025-10-05, p. 42",
        "stamps": "1 Global Forever stamp",
        "table": "usps/2025-07-13",
        "confidence": "A",
    }


def test_a_two_ounce_letter_to_bishkek():
    q = quote(origin="us", destination="kg", kind=Kind.LETTER, weight_g=oz("2"), on=TODAY)

    assert (q.amount, q.amount_minor, q.zone) == (Decimal("3.40"), 340, "6")
    assert q.weight_step == "up to 2 oz"
    assert q.stamps == "2 Global Forever stamps"
    assert q.to_dict()["amount"] == "3.40"


def test_the_quote_body_has_the_design_keys():
    body = quote(origin="GB", destination="KG", kind="letter", weight_g=g(20), on=TODAY).to_dict()

    assert list(body)[:11] == [
        "amount",
        "amount_minor",
        "currency",
        "operator",
        "product",
        "zone",
        "weight_step",
        "effective_from",
        "source",
        "stamps",
        "table",
    ]
    assert body["stamps"] == "£3.20 international stamp"
    assert body["currency"] == "GBP"


def test_a_quote_is_frozen():
    q = quote(origin="US", destination="KG", kind="letter", weight_g=g(20), on=TODAY)

    assert isinstance(q, Quote)
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.amount = Decimal(0)


# Weight steps are compared exactly ---------------------------------------------------------


@pytest.mark.parametrize(
    ("weight", "step", "amount"),
    [
        pytest.param(Decimal("28.349523125"), "up to 1 oz", "1.70", id="exactly-1oz"),
        pytest.param(Decimal("28.349523124"), "up to 1 oz", "1.70", id="just-under-1oz"),
        pytest.param(Decimal("28.350523125"), "up to 2 oz", "3.40", id="1oz-plus-1mg"),
        pytest.param(Decimal("28.3495231250000001"), "up to 2 oz", "3.40", id="1oz-plus-a-hair"),
        pytest.param(Decimal("99.2233309375"), "up to 3.5 oz", "5.75", id="exactly-3.5oz"),
    ],
)
def test_a_weight_equal_to_a_bound_belongs_to_that_step(weight, step, amount):
    q = quote(origin="US", destination="KG", kind="letter", weight_g=weight, on=TODAY)

    assert (q.weight_step, q.amount) == (step, Decimal(amount))


def test_the_weight_step_is_also_a_message_to_translate():
    letter = quote(origin="US", destination="KG", kind="letter", weight_g=oz("2"), on=TODAY)
    card = quote(origin="DE", destination="DE", kind="postcard", weight_g=g(5), on=TODAY)

    assert letter.weight_limit == "2 oz"
    assert letter.weight_step_message == ("up to %(limit)s", {"limit": "2 oz"})
    assert (card.weight_limit, card.weight_step) == (None, "any weight")
    assert card.weight_step_message == ("any weight", {})


def test_a_letter_one_milligram_over_3_5_oz_is_too_heavy():
    with pytest.raises(NoPublishedPrice) as caught:
        quote(
            origin="US", destination="KG", kind="letter", weight_g=oz("3.5") + g("0.001"), on=TODAY
        )

    assert caught.value.errors[0].field == "weight_g"
    assert "up to 3.5 oz" in caught.value.message
    assert "send it as a large envelope" in caught.value.message


@pytest.mark.parametrize(
    ("origin", "weight", "product", "amount"),
    [
        pytest.param("DE", "20", "Standardbrief International", "1.25", id="DE-20g"),
        pytest.param("DE", "20.001", "Kompaktbrief International", "1.80", id="DE-20g+1mg"),
        pytest.param("DE", "50.001", "Großbrief International", "3.30", id="DE-50g+1mg"),
        pytest.param("DE", "1000.001", "Maxibrief International", "17.00", id="DE-1kg+1mg"),
    ],
)
def test_gram_bounds_are_inclusive_too(origin, weight, product, amount):
    q = quote(origin=origin, destination="KG", kind="letter", weight_g=g(weight), on=TODAY)

    assert (q.product, q.amount) == (product, Decimal(amount))


def test_ounces_convert_to_grams_exactly():
    assert grams_from_ounces(Decimal(1)) == Decimal("28.349523125")
    assert grams_from_ounces(Decimal("15.994")) == Decimal("453.42227286125")
    assert grams_from_ounces("3.5") == Decimal("99.2233309375")
    many = Decimal("1.23456789012345678901234567891")  # 30 digits: still not rounded
    assert Fraction(grams_from_ounces(many)) == Fraction(many) * Fraction(OZ)
    with pytest.raises(TypeError):
        grams_from_ounces(1.5)


# Dates pick the table in force, and never guess from another year -------------------------


def test_the_table_changes_on_its_effective_date():
    def on(day):
        return quote(origin="US", destination="KG", kind="letter", weight_g=g(20), on=day)

    assert on(dt.date(2025, 7, 12)).table == "usps/2024-07-14"
    assert on(dt.date(2025, 7, 13)).table == "usps/2025-07-13"


def test_a_partial_table_never_borrows_from_another_year():
    # 2019 publishes only the 1-oz letter (FACTS.md §2.3); 2025 has 2 oz, but it is not 2019's.
    with pytest.raises(NoPublishedPrice) as caught:
        quote(
            origin="US", destination="KG", kind="letter", weight_g=oz("2"), on=dt.date(2019, 3, 1)
        )

    assert caught.value.errors[0].field == "weight_g"
    assert caught.value.message.startswith(
        "USPS publishes no price for a letter of 2 oz to Kyrgyzstan on 2019-03-01"
    )


def test_iso_date_strings_are_accepted():
    q = quote(origin="US", destination="KG", kind="letter", weight_g="20", on="2025-11-20")

    assert q.amount == Decimal("1.70")


# Refusals: valid input that no published price covers ------------------------------------

NO_PRICE = [
    # the piece, the field to change, words from the message
    ("US SO letter 20g 2025-11-20 -", "to", "USPS has no service to Somalia"),
    ("US MC letter 20g 2025-11-20 -", "to", "no USPS price for post to Monaco"),
    ("US KG letter 4oz 2025-11-20 -", "weight_g", "to Kyrgyzstan up to 3.5 oz"),
    ("US KG large_envelope 16oz 2025-11-20 -", "weight_g", "up to 15.994 oz"),
    ("US KG letter 20g 2016-01-15 -", "to", "no price for post to Kyrgyzstan"),
    ("US US postcard 5g 2024-03-01 -", "kind", "no price for a postcard"),
    ("US KG letter 20g 2015-01-01 -", "on", "they start on 2015-05-31"),
    ("US US letter 20g 2019-03-01 nonmachinable", "nonmachinable", "no nonmachinable surcharge"),
    ("JP KG letter 20g 2025-11-20 -", "from", "for post from Japan"),
    ("GB JE letter 20g 2025-11-20 -", "to", "no price for post to Jersey"),
    ("GB GB large_envelope 200g 2025-11-20 -", "kind", "no price for a large envelope"),
    ("GB GB letter 101g 2025-11-20 -", "weight_g", "go up to 100 g"),
    ("GB KG letter 20g 2024-06-01 -", "to", "no price for post to Kyrgyzstan"),
    ("CA CA letter 20g 2025-11-20 purchase=meter", "option", "with purchase=meter"),
    ("CA KG letter 20g 2025-11-20 -", "to", "Canada Post publishes no price"),
    ("CA CA letter 30.001g 2025-11-20 -", "weight_g", "go up to 30 g"),
    ("DE KG letter 30g 2022-06-01 -", "weight_g", "go up to 20 g"),
    ("DE KG letter 30g 2019-10-01 -", "weight_g", "go up to 20 g"),
    ("DE DE letter 20g 2027-01-01 -", "on", "only until 2026-12-31"),
    ("DE DE letter 1001g 2025-11-20 -", "weight_g", "to Germany up to 1000 g"),
    ("AU KG letter 20g 2025-11-20 -", "to", "no Australia Post price"),
    ("AU AU letter 20g 2020-01-15 -", "on", "only until 2019-12-31"),
]


@pytest.mark.parametrize(("spec", "field", "words"), NO_PRICE)
def test_no_published_price_says_which(spec, field, words):
    with pytest.raises(NoPublishedPrice) as caught:
        quote(**piece(spec))

    assert [e.field for e in caught.value.errors] == [field]
    assert words in caught.value.message


def test_no_published_price_is_a_validation_failure_the_logger_can_catch():
    with pytest.raises(ValidationFailed) as caught:
        quote(origin="US", destination="SO", kind="letter", weight_g=g(20), on=TODAY)

    assert isinstance(caught.value, NoPublishedPrice)
    assert caught.value.message == "USPS has no service to Somalia"


def test_a_refusal_keeps_the_country_as_a_code_and_names_it_in_english():
    with pytest.raises(NoPublishedPrice) as caught:
        quote(origin="US", destination="SO", kind="letter", weight_g=g(20), on=TODAY)
    error = caught.value.errors[0]

    assert error.message == "%(operator)s has no service to %(to_country)s"
    assert error.params == {"operator": "USPS", "to_country": "SO"}
    assert error.text == caught.value.message == "USPS has no service to Somalia"
    # What the views do in French, before any sentence is translated:
    shown = {**error.params, "to_country": countries.country_name("SO", "fr")}
    assert error.message % shown == "USPS has no service to Somalie"


def test_a_too_heavy_letter_is_one_sentence_with_its_weights_as_params():
    with pytest.raises(NoPublishedPrice) as caught:
        quote(origin="US", destination="KG", kind="letter", weight_g=oz("4"), on=TODAY)
    error = caught.value.errors[0]

    assert error.message == (
        "%(operator)s takes letters to %(to_country)s up to %(heaviest)s; "
        "this one weighs %(weight)s: send it as a large envelope"
    )
    assert error.params == {
        "operator": "USPS",
        "to_country": "KG",
        "weight": "4 oz",
        "heaviest": "3.5 oz",
    }


def test_nonmachinable_changes_nothing_where_no_surcharge_applies():
    plain = quote(origin="US", destination="KG", kind="postcard", weight_g=g(5), on=TODAY)
    flagged = quote(
        origin="US", destination="KG", kind="postcard", weight_g=g(5), on=TODAY, nonmachinable=True
    )
    gb = quote(
        origin="GB", destination="KG", kind="letter", weight_g=g(5), on=TODAY, nonmachinable=True
    )

    assert flagged == plain
    assert gb.amount == Decimal("3.20")


# Bad input: plain ValidationFailed, each error on the API parameter's name ----------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"origin": None}, "from", id="from-missing"),
        pytest.param({"origin": ""}, "from", id="from-blank"),
        pytest.param({"origin": "ZZ"}, "from", id="from-unknown"),
        pytest.param({"origin": "USA"}, "from", id="from-alpha3"),
        pytest.param({"origin": 840}, "from", id="from-number"),
        pytest.param({"destination": None}, "to", id="to-missing"),
        pytest.param({"destination": "Kyrgyzstan"}, "to", id="to-name"),
        pytest.param({"kind": "parcel"}, "kind", id="kind-unknown"),
        pytest.param({"kind": None}, "kind", id="kind-missing"),
        pytest.param({"weight_g": Decimal(0)}, "weight_g", id="weight-zero"),
        pytest.param({"weight_g": Decimal(-1)}, "weight_g", id="weight-negative"),
        pytest.param({"weight_g": Decimal("5000.001")}, "weight_g", id="weight-absurd"),
        pytest.param({"weight_g": Decimal("NaN")}, "weight_g", id="weight-nan"),
        pytest.param({"weight_g": Decimal("Infinity")}, "weight_g", id="weight-infinite"),
        pytest.param({"weight_g": "twenty"}, "weight_g", id="weight-words"),
        pytest.param({"weight_g": 20.0}, "weight_g", id="weight-float"),
        pytest.param({"weight_g": True}, "weight_g", id="weight-bool"),
        pytest.param({"weight_g": None}, "weight_g", id="weight-missing"),
        pytest.param({"on": None}, "on", id="on-missing"),
        pytest.param({"on": "2025-13-01"}, "on", id="on-bad-date"),
        pytest.param({"on": dt.datetime(2025, 11, 20, 12)}, "on", id="on-timestamp"),
        pytest.param({"options": {"class": "second"}}, "option", id="option-unknown"),
        pytest.param({"origin": "GB", "options": {"class": "third"}}, "option", id="option-value"),
        pytest.param({"origin": "CA", "options": {"purchase": "gift"}}, "option", id="option-cp"),
    ],
)
def test_bad_input_names_its_field(changes, field):
    args = {"origin": "US", "destination": "KG", "kind": "letter", "weight_g": g(20), "on": TODAY}
    args.update(changes)

    with pytest.raises(ValidationFailed) as caught:
        quote(**args)

    assert type(caught.value) is ValidationFailed
    assert [e.field for e in caught.value.errors] == [field]
    assert caught.value.errors[0].message


def test_every_bad_field_is_reported_at_once():
    with pytest.raises(ValidationFailed) as caught:
        quote(origin="ZZ", destination="", kind="parcel", weight_g=Decimal(0), on="soon")

    assert [e.field for e in caught.value.errors] == ["from", "to", "kind", "weight_g", "on"]


def test_options_are_read_leniently():
    q = quote(
        origin="GB",
        destination="GB",
        kind="letter",
        weight_g=g(20),
        on=TODAY,
        options={" Class ": "Second"},
    )

    assert q.product == "Royal Mail 2nd Class letter"


@pytest.mark.parametrize(
    ("origin", "options", "text"),
    [
        ("GB", {"class": "third"}, "Royal Mail class must be first or second, not “third”"),
        (
            "CA",
            {"purchase": "gift"},
            "Canada Post purchase must be booklet or single or meter, not “gift”",
        ),
        ("GB", {"speed": "fast"}, "Royal Mail has no option “speed”; it has class"),
        ("AU", {"class": "first"}, "Australia Post has no option “class”"),
    ],
)
def test_a_bad_option_is_refused_in_one_sentence(origin, options, text):
    with pytest.raises(ValidationFailed) as caught:
        quote(
            origin=origin,
            destination=origin,
            kind="letter",
            weight_g=g(20),
            on=TODAY,
            options=options,
        )

    assert [e.text for e in caught.value.errors] == [text]


def test_parse_options():
    assert parse_options([]) == {}
    assert parse_options(["class=second", "purchase = Single"]) == {
        "class": "second",
        "purchase": "single",
    }
    for bad in (["class"], ["=second"], ["class="], ["class=first", "class=second"]):
        with pytest.raises(ValidationFailed) as caught:
            parse_options(bad)
        assert caught.value.errors[0].field == "option"


# Stamp advice ------------------------------------------------------------------------------

STAMPS = [
    ("US KG letter 3oz 2025-11-20 -", "3 Global Forever stamps"),
    ("US CA letter 2oz 2025-11-20 -", "1 Global Forever stamp + $0.30 in other stamps"),
    ("US KG large_envelope 1oz 2025-11-20 -", "1 Global Forever stamp + $1.45 in other stamps"),
    ("US US letter 20g 2025-11-20 -", "1 Forever stamp"),
    ("US US large_envelope 13oz 2025-11-20 -", "6 Forever stamps + $0.36 in other stamps"),
    ("US US postcard 5g 2025-11-20 -", "1 postcard stamp"),
    ("GB GB letter 20g 2025-11-20 -", "1 First Class stamp"),
    ("GB GB letter 20g 2025-11-20 class=second", "1 Second Class stamp"),
    ("GB KG postcard 5g 2023-05-01 -", "£2.20 international stamp"),
    ("CA CA letter 20g 2025-11-20 purchase=single", "1 Permanent domestic stamp"),
    ("CA CA letter 50g 2019-03-01 -", "CA$1.27 in stamps"),
    ("CA CA letter 20g 2019-03-01 purchase=meter", "CA$0.87 postage meter imprint"),
    ("DE KG letter 20g 2025-11-20 -", "€1.25 in stamps"),
    ("AU AU letter 20g 2025-11-20 -", "A$1.50 in stamps"),
]


@pytest.mark.parametrize(("spec", "stamps"), STAMPS)
def test_stamp_advice_is_plain(spec, stamps):
    assert quote(**piece(spec)).stamps == stamps


def test_nonmachinable_advice_and_product_show_the_surcharge():
    q = quote(
        origin="US", destination="KG", kind="letter", weight_g=g(20), on=TODAY, nonmachinable=True
    )

    assert q.product == "First-Class Mail International letter, nonmachinable (+$0.49)"
    assert q.stamps == "1 Global Forever stamp + $0.49 in other stamps"


# Default pieces per channel -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "piece"),
    [
        (Channel.LETTER, (Kind.LETTER, Decimal(20))),
        ("postcard", (Kind.POSTCARD, Decimal(5))),
        ("card", (Kind.LETTER, Decimal(20))),  # a greeting card in an envelope is a letter
        ("drawing", (Kind.LARGE_ENVELOPE, Decimal(50))),
        ("fax", None),
        ("email", None),
    ],
)
def test_default_piece(channel, piece):
    assert default_piece(channel) == piece


def test_every_default_post_piece_can_be_priced_to_bishkek():
    for channel in ("letter", "postcard", "card", "drawing"):
        kind, weight = default_piece(channel)
        assert quote(origin="US", destination="KG", kind=kind, weight_g=weight, on=TODAY).amount


def test_default_piece_refuses_an_unknown_channel():
    with pytest.raises(ValidationFailed) as caught:
        default_piece("pigeon")

    assert caught.value.errors[0].field == "channel"


# The price never falls as the weight rises ---------------------------------------------------


def _cells():
    """One (origin, destination, on, kind, options) per priced kind, zone, options, table."""
    cells = []
    for op in load_rate_book().operators.values():
        origin = sorted(op.origins)[0]
        for table in op.tables:
            by_zone = {}
            for code, zone in sorted(table.zone_map.lookup.items()):
                by_zone.setdefault(zone, code)
            for kind, zone, combo in table.prices:
                options = dict(zip(op.options, combo, strict=True))
                cells.append((origin, by_zone[zone], table.effective_from, kind, options))
    return cells


def _bounds():
    """Every finite step bound in grams: the weights where prices change."""
    book = load_rate_book()
    return sorted(
        {
            bound
            for op in book.operators.values()
            for table in op.tables
            for prices in table.prices.values()
            for bound in prices.bounds
            if bound.is_finite()
        }
    )


CELLS = _cells()
MG = Decimal("0.001")
# Most published steps end below 120 g; a third of the draws sit on or next to a bound.
WEIGHTS = st.one_of(
    st.decimals(min_value=MG, max_value=Decimal(120), places=3),
    st.decimals(min_value=MG, max_value=Decimal(2100), places=3),
    st.builds(lambda b, d: b + d * MG, st.sampled_from(_bounds()), st.integers(-1, 1)),
)


@settings(max_examples=500)
@given(cell=st.sampled_from(CELLS), a=WEIGHTS, b=WEIGHTS, nm=st.booleans())
def test_within_a_kind_and_table_the_price_never_falls_as_weight_rises(cell, a, b, nm):
    origin, destination, on, kind, options = cell
    light, heavy = sorted((a, b))

    def price(weight):
        try:
            return quote(
                origin=origin,
                destination=destination,
                kind=kind,
                weight_g=weight,
                on=on,
                options=options,
                nonmachinable=nm,
            ).amount_minor
        except NoPublishedPrice:
            return None

    light_price, heavy_price = price(light), price(heavy)
    if heavy_price is not None:
        # Whatever a table prices heavier, it prices lighter too, and not dearer.
        assert light_price is not None
        assert light_price <= heavy_price


# Messages are templates to translate ----------------------------------------------------------

POSTAGE_PY = Path(postage.__file__)
FIELD = re.compile(r"%\((\w+)\)s")


def marked(path: Path) -> set[str]:
    """The messages pybabel extracts from *path* (``N_``, and ``Nn_`` with ``-k Nn_:1,2``)."""
    keywords = DEFAULT_KEYWORDS | {"Nn_": (1, 2)}
    found = set()
    for _line, message, _comments, _context in extract_from_file("python", path, keywords):
        found.update(message if isinstance(message, tuple) else (message,))
    return found


def _errors(call, **kwargs) -> list:
    try:
        call(**kwargs)
    except ValidationFailed as failure:
        return failure.errors
    return []


def swept_pieces(book) -> list[dict]:
    """Pieces for quote() across every table of *book*: each posting day a table starts or
    stops, one country per zone and one the operator does not serve or map, each kind,
    light and heavy, each choice of options, with and without the nonmachinable surcharge."""
    swept = []
    for op in book.operators.values():
        combos = itertools.product(*(o.values for o in op.options.values()))
        choices = [None, *(dict(zip(op.options, c, strict=True)) for c in combos)]
        days = {op.dates[0] - dt.timedelta(days=1)}
        for table in op.tables:
            days.add(table.effective_from)
            if table.valid_until is not None:
                days.add(table.valid_until + dt.timedelta(days=1))
            unmapped = sorted(countries.all_codes() - table.zone_map.lookup.keys())
            by_zone = {zone: code for code, zone in sorted(table.zone_map.lookup.items())}
            to = {*by_zone.values(), *sorted(table.zone_map.not_served)[:1], *unmapped[:1]}
            swept += [
                {
                    "origin": sorted(op.origins)[0],
                    "destination": destination,
                    "kind": kind,
                    "weight_g": weight,
                    "on": day,
                    "options": options,
                    "nonmachinable": nonmachinable,
                    "book": book,
                }
                for day, destination, kind, weight, options, nonmachinable in itertools.product(
                    sorted(days),
                    sorted(to),
                    ("postcard", "letter", "large_envelope"),
                    (g(20), g(4999)),
                    choices,
                    (False, True),
                )
            ]
    return swept


# Bad input, each as a change to a good piece.
BAD_INPUT = [
    {"origin": "ZZ", "destination": "", "kind": "parcel", "weight_g": Decimal(0), "on": "soon"},
    {"origin": "JP"},
    {"destination": None},
    {"destination": 840},
    {"kind": None},
    {"weight_g": "twenty"},
    {"weight_g": Decimal("5000.001")},
    {"options": {"class": "second"}},
    {"origin": "AU", "options": {"class": "second"}},
    {"origin": "GB", "options": {"speed": "fast"}},
    {"origin": "GB", "options": {"class": "third"}},
    {"origin": "CA", "options": {"purchase": "gift"}},
]

# A made-up operator whose tables reach the refusals the shipped ones never give: an option
# of one value and one of four, a surcharge declared for every kind but never priced, a
# partial table that prices some kinds to a zone and not others, and a complete table whose
# ladders all end.
TEST_POST = {
    "operator.toml": """
        name = "Test Post"
        currency = "EUR"
        unit = "g"
        origins = ["DE"]

        [options.class]
        values = ["first", "second"]
        default = "first"

        [options.form]
        values = ["flat"]
        default = "flat"

        [options.speed]
        values = ["a", "b", "c", "d"]
        default = "a"

        [surcharges]
        nonmachinable = ["postcard", "letter", "large_envelope"]
    """,
    "zones/2025-01-01.toml": """
        edition = 2025-01-01
        source = "test"
        confidence = "A"
        default = "world"
        not_served = ["SO"]

        [zones]
        near = ["FR"]
        far = ["NL"]
    """,
    "2025-01-01.toml": """
        effective_from = 2025-01-01
        source = "test"
        confidence = "A"
        partial = true
        zone_map = "2025-01-01"

        [[products]]
        name = "Card"
        kinds = ["postcard"]
        columns = ["domestic", "near"]
        when = { class = "first" }
        steps = [["20", 100, 150]]

        [[products]]
        name = "Letter"
        kinds = ["letter"]
        columns = ["domestic", "far"]
        when = { class = "first" }
        steps = [["20", 100, 150]]

        [[products]]
        name = "Flat"
        kinds = ["large_envelope"]
        columns = ["domestic"]
        when = { class = "first" }
        steps = [["500", 300]]
    """,
    "2026-01-01.toml": """
        effective_from = 2026-01-01
        valid_until = 2026-12-31
        source = "test"
        confidence = "A"
        partial = false
        zone_map = "2025-01-01"

        [[products]]
        name = "Any"
        kinds = ["postcard", "letter"]
        columns = ["domestic", "near", "far", "world"]
        steps = [["20", 100, 150, 150, 200]]

        [[products]]
        name = "Flat"
        kinds = ["large_envelope"]
        columns = ["domestic", "near", "far", "world"]
        steps = [["500", 300, 350, 350, 400]]
    """,
}


@pytest.fixture(scope="module")
def refusals(tmp_path_factory) -> list:
    """The errors of pieces swept over the shipped tables and Test Post's, of bad input,
    and of bad options and channels."""
    root = tmp_path_factory.mktemp("rates")
    for name, text in TEST_POST.items():
        path = root / "test_post" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    test_post = load_rate_book(root=root)
    errors = []
    for book in (load_rate_book(), test_post):
        for kwargs in swept_pieces(book):
            errors += _errors(quote, **kwargs)
    for options in ({"form": "round"}, {"speed": "e"}):
        piece = {"origin": "DE", "destination": "DE", "kind": "letter", "weight_g": g(20)}
        errors += _errors(quote, **piece, on=TODAY, options=options, book=test_post)
    for changes in BAD_INPUT:
        good = {"origin": "US", "destination": "KG", "kind": "letter", "weight_g": g(20)}
        errors += _errors(quote, **(good | {"on": TODAY} | changes))
    for pairs in (["class"], ["class=first", "class=second"]):
        errors += _errors(parse_options, pairs=pairs)
    errors += _errors(default_piece, channel="pigeon")
    return errors


# The fields a postage message may have: what the views know how to show.
PARAMS = {
    "operator",  # a postal service's name, a proper noun
    "from_country",  # ISO codes, shown as the country's name in the reader's language
    "to_country",
    "date",  # ISO dates
    "first_date",
    "table_date",
    "until_date",
    "weight",  # neutral weights: "4 oz", "101 g"
    "heaviest",
    "max_g",
    "value",  # what was typed
    "option",  # API words: an option's name, values, name=value pairs
    "options",
    "choice1",
    "choice2",
    "choice3",
    "choices",
}


def test_every_template_has_only_named_fields_the_views_know():
    templates = marked(POSTAGE_PY)

    assert len(templates) >= 30
    for template in templates:
        assert set(FIELD.findall(template)) <= PARAMS, template
        # Only %(name)s fields: no str.format braces, no positional or other % directive.
        assert not re.search(r"[{}]|%(?!\(\w+\)s)", template), template


def test_every_refusal_is_a_marked_template_its_params_fill(refusals):
    templates = marked(POSTAGE_PY)

    assert len(refusals) > 1000
    for error in refusals:
        # A static sentence pybabel finds, not one built at run time.
        assert error.message in templates, error.message
        assert set(FIELD.findall(error.message)) <= set(error.params), error.message
        assert set(error.params) <= PARAMS, error.message
        assert "%" not in error.message % error.params
        assert "%" not in error.text and not re.search("[{}]", error.text)


def test_a_country_param_holds_a_code(refusals):
    for error in refusals:
        for name, value in error.params.items():
            if name.endswith("country"):
                assert countries.is_country(value), (error.message, value)


def test_the_sweep_gives_every_refusal_a_table_that_loads_can_give(refusals):
    seen = {error.message for error in refusals}
    # A complete table prices every kind to every zone it maps (flask rates check refuses
    # it otherwise), so it never lacks a kind, nor a large envelope for a heavy letter.
    unreachable = {*postage._NOT_CARRIED.values(), postage._TOO_HEAVY["letter"]}

    assert marked(POSTAGE_PY) - seen == unreachable
