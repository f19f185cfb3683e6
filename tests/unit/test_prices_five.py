"""Published prices of the five first operators, filled in from 2016 on: each case cites
the source its price is read from, and the gaps no A or B source closes stay refusals.

A case is ``from to kind weight posted-on option | minor units | table``; the table is
the dated rate table (app/data/rates/<operator>/<date>.toml) that must answer it.
"""

import datetime as dt
from decimal import Decimal

import pytest

from app.services.postage import NoPublishedPrice
from app.services.postage import quote

OUNCE_G = Decimal("28.349523125")


def _piece(spec: str) -> dict:
    origin, to, kind, weight, on, option = spec.split()
    grams = (
        Decimal(weight.removesuffix("oz")) * OUNCE_G
        if weight.endswith("oz")
        else Decimal(weight.removesuffix("g"))
    )
    return {
        "origin": origin,
        "destination": to,
        "kind": kind,
        "weight_g": grams,
        "on": dt.date.fromisoformat(on),
        "options": None if option == "-" else dict([option.split("=")]),
    }


PRICED = [
    # USPS domestic letters: 1-oz price + additional ounces (FACTS.md §1.1 and §2.4).
    # Linn's 2018-11 (PRC approval): "the overall price of a 2-ounce letter ... to 70¢".
    ("US US letter 2oz 2019-03-01 -", 70, "usps/2019-01-27"),
    ("US US letter 3.5oz 2019-03-01 -", 100, "usps/2019-01-27"),  # 55 + 3 x 15
    ("US US letter 2oz 2024-03-01 -", 92, "usps/2024-01-21"),  # FACTS §2.4: 68 + 24
    ("US US letter 2oz 2024-08-01 -", 101, "usps/2024-07-14"),  # FACTS §2.4: 73 + 28
    ("US US letter 1.5oz 2016-06-01 -", 68, "usps/2016-04-10"),  # FACTS §2.4: 47 + 21
    ("US US letter 3oz 2022-08-01 -", 108, "usps/2022-07-10"),  # FACTS §2.4: 60 + 2 x 24
    # Australia Post: $1 until 2019 (Linn's 2016-01-07; lifehacker 2019-09 "current $1")
    ("AU AU letter 20g 2019-06-01 -", 100, "australia_post/2016-01-04"),
    # Daily Examiner 2019-11-14: the large letter to 250 g rose by 30c to $3.30.
    ("AU AU large_envelope 200g 2019-06-01 -", 300, "australia_post/2016-01-04"),
    # ACCC, call for submissions 2022: "from $1.10 to $1.20", "from $3.30".
    ("AU AU letter 20g 2021-06-01 -", 110, "australia_post/2020-01-31"),
    ("AU AU large_envelope 200g 2021-06-01 -", 330, "australia_post/2020-01-31"),
    # Commonwealth Gazette C2022G01259: the rise applies "from 3 January 2023".
    ("AU AU letter 20g 2023-01-02 -", 110, "australia_post/2020-01-31"),
    ("AU AU letter 20g 2023-01-03 -", 120, "australia_post/2023-01-03"),
    ("AU AU postcard 5g 2024-04-02 -", 120, "australia_post/2023-01-03"),
    # ACCC 2023 consultation: large letters to 125 g "from $2.40 to $3.00".
    ("AU AU large_envelope 100g 2023-06-01 -", 240, "australia_post/2023-01-03"),
    ("AU AU large_envelope 250g 2024-05-01 -", 450, "australia_post/2024-04-03"),
    # Canada Post international letter-post to 30 g: AP via Tampa Bay Times 2014-03-31.
    ("CA KG letter 20g 2016-06-01 -", 250, "canada_post/2014-03-31"),
    ("CA KG postcard 5g 2018-12-01 -", 250, "canada_post/2014-03-31"),
    ("CA US letter 20g 2016-06-01 -", 120, "canada_post/2014-03-31"),  # and MoneySense 2015
    # Blacklock's Reporter 2020-01-10: "letters to the U.S. ($1.27 to $1.30), abroad mail
    # ($2.65 to $2.71)"; Canada Gazette I 2024-02-10: no rise from 2020-01-13 to 2024.
    ("CA KG letter 20g 2019-03-01 -", 265, "canada_post/2019-01-14"),
    ("CA US postcard 5g 2019-03-01 -", 127, "canada_post/2019-01-14"),
    ("CA KG letter 30g 2024-05-05 -", 271, "canada_post/2020-01-13"),
    # Stallion Express 2025-07-10 and PostGrid 2025: U.S.A. $1.75 to 30 g, $2.61 to 50 g.
    ("CA US letter 20g 2025-11-20 -", 175, "canada_post/2025-01-13"),
    ("CA US letter 45g 2025-11-20 -", 261, "canada_post/2025-01-13"),
    # Royal Mail: Daily Mail 2018 and Hucknall Dispatch 2018, 67p / 58p from 26 March.
    ("GB GB letter 20g 2018-06-01 -", 67, "royal_mail/2018-03-26"),
    ("GB GB letter 20g 2018-06-01 class=second", 58, "royal_mail/2018-03-26"),
    ("GB GB letter 20g 2016-03-29 -", 64, "royal_mail/2016-03-29"),  # bitterwallet 2016
    ("GB GB large_envelope 100g 2017-06-01 -", 98, "royal_mail/2017-03-27"),  # BBC 2017
    ("GB GB letter 20g 2020-03-22 -", 70, "royal_mail/2019-03-25"),  # MoneySavingExpert
    ("GB GB postcard 5g 2020-06-01 class=second", 65, "royal_mail/2020-03-23"),  # Norphil
    ("GB GB letter 20g 2021-06-01 class=second", 66, "royal_mail/2021-01-01"),  # RM release
    ("GB GB letter 20g 2023-04-02 -", 95, "royal_mail/2022-04-04"),  # The Independent
    # Deutsche Post: the home price rose on 2019-07-01 (BR 2019-07-01), the international
    # one stayed 0,90 until 2020-01-01 (nd.DerTag 2019-12-18: "1,10 Euro statt 0,90").
    ("DE DE letter 20g 2019-06-30 -", 70, "deutsche_post/2016-01-01"),
    ("DE DE letter 20g 2019-07-01 -", 80, "deutsche_post/2019-07-01"),
    ("DE KG letter 20g 2019-07-01 -", 90, "deutsche_post/2019-07-01"),
    ("DE KG letter 20g 2019-12-31 -", 90, "deutsche_post/2019-07-01"),
    ("DE KG letter 20g 2020-01-01 -", 110, "deutsche_post/2020-01-01"),
    ("DE KG postcard 5g 2020-06-01 -", 95, "deutsche_post/2020-01-01"),  # nd.DerTag
    ("DE KG letter 40g 2020-06-01 -", 170, "deutsche_post/2020-01-01"),  # wiewird.com
    ("DE DE letter 45g 2016-06-01 -", 85, "deutsche_post/2016-01-01"),  # Augsburger Allg.
    ("DE DE large_envelope 300g 2019-08-01 -", 155, "deutsche_post/2019-07-01"),  # BR
    ("DE DE letter 800g 2021-06-01 -", 270, "deutsche_post/2020-01-01"),  # wiewird.com
    ("DE FR large_envelope 400g 2017-01-01 -", 370, "deutsche_post/2016-01-01"),
]


@pytest.mark.parametrize(("spec", "minor", "table"), PRICED, ids=[c[0] for c in PRICED])
def test_published_price(spec, minor, table):
    q = quote(**_piece(spec))

    assert (q.amount_minor, q.table) == (minor, table)
    assert q.confidence in {"A", "B"}
    assert q.source


UNPRICED = [
    # (piece, the field the refusal names): what no A or B source prices stays unpriced.
    ("AU KG letter 20g 2025-11-20 -", "to"),  # no Australia Post international price
    ("CA KG letter 20g 2024-05-06 -", "to"),  # $2.92 (2024) and $3.65 (2025): one source
    ("CA KG letter 31g 2021-03-01 -", "weight_g"),  # international 30-50 g: C
    ("CA KG letter 20g 2025-11-20 -", "to"),
    ("US KG letter 2oz 2019-03-01 -", "weight_g"),  # FCMI per-weight tables before 2025: U
    ("AU AU letter 20g 2020-01-15 -", "on"),  # the day of the January 2020 rise: U
    ("DE KG letter 30g 2017-01-01 -", "weight_g"),  # Kompaktbrief abroad before 2020: C
    ("GB KG letter 20g 2018-06-01 -", "to"),  # Royal Mail international before 2023
    ("GB GB large_envelope 100g 2019-06-01 -", "kind"),  # 2019 large letters: C
]


@pytest.mark.parametrize(("spec", "field"), UNPRICED, ids=[c[0] for c in UNPRICED])
def test_no_published_price(spec, field):
    with pytest.raises(NoPublishedPrice) as caught:
        quote(**_piece(spec))

    assert [e.field for e in caught.value.errors] == [field]
