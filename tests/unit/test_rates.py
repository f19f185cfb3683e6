"""Rate tables: every shipped table loads and checks clean, and bad tables are refused."""

import datetime as dt
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from app.services import countries
from app.services.rates import OUNCE_G
from app.services.rates import RATES_DIR
from app.services.rates import RateDataError
from app.services.rates import check_rate_tables
from app.services.rates import load_rate_book
from app.services.rates import step_message
from app.services.rates import uncovered_destinations

OPERATORS = {"usps", "royal_mail", "canada_post", "deutsche_post", "australia_post"}
OPERATORS |= {"poste_italiane", "poczta_polska", "austrian_post", "an_post", "nz_post"}
OPERATORS |= {"la_poste", "swiss_post", "postnl", "bpost", "correos"}


# The shipped tables ------------------------------------------------------------------------


def test_every_shipped_table_loads_and_checks_clean():
    report = check_rate_tables()

    assert report.ok, report.problems
    on_disk = {
        f"{p.parent.name}/{p.stem}" for p in RATES_DIR.glob("*/*.toml") if p.stem != "operator"
    }
    assert set(report.tables) == on_disk
    assert len(on_disk) >= 30
    assert {t.split("/")[0] for t in report.tables} == OPERATORS
    assert set(report.zone_maps) == {
        f"{p.parent.parent.name}/zones/{p.stem}" for p in RATES_DIR.glob("*/zones/*.toml")
    }


def test_the_book_is_read_once():
    assert load_rate_book() is load_rate_book()
    assert load_rate_book() is load_rate_book(root=RATES_DIR)


def test_only_figures_rated_a_or_b_are_loaded():
    book = load_rate_book()
    for op in book.operators.values():
        for table in op.tables:
            assert table.confidence in {"A", "B"}, table.id
            assert table.zone_map.confidence in {"A", "B"}, table.zone_map.id
            for prices in table.prices.values():
                assert {s.confidence for s in prices.steps} <= {"A", "B"}, table.id


def test_tables_are_sorted_by_date_and_found_by_date():
    usps = load_rate_book().operators["usps"]

    assert list(usps.dates) == sorted(usps.dates)
    assert usps.table_on(dt.date(2025, 7, 12)).id == "usps/2024-07-14"
    assert usps.table_on(dt.date(2025, 7, 13)).id == "usps/2025-07-13"
    assert usps.table_on(dt.date(2015, 5, 30)) is None


def test_step_bounds_are_exact_grams():
    # FACTS.md §1.1: letters to 3.5 oz, flats to 15.994 oz; 1 oz = 28.349523125 g exactly.
    table = load_rate_book().operators["usps"].table_on(dt.date(2025, 11, 20))
    letter = table.prices["letter", "6", ()]
    flat = table.prices["large_envelope", "6", ()]

    assert letter.bounds == tuple(Decimal(oz) * OUNCE_G for oz in ("1", "2", "3", "3.5"))
    assert flat.bounds[-1] == Decimal("15.994") * OUNCE_G == Decimal("453.42227286125")


def test_a_step_says_its_limit_as_a_message_to_translate():
    table = load_rate_book().operators["usps"].table_on(dt.date(2025, 11, 20))
    letter = table.prices["letter", "6", ()].steps[-1]
    deutsche_post = load_rate_book().operators["deutsche_post"].table_on(dt.date(2025, 11, 20))
    postcard = deutsche_post.prices["postcard", "domestic", ()]

    assert (letter.limit, letter.label) == ("3.5 oz", "up to 3.5 oz")
    assert step_message(letter.limit) == ("up to %(limit)s", {"limit": "3.5 oz"})
    assert (postcard.steps[-1].limit, postcard.steps[-1].label) == (None, "any weight")
    assert step_message(None) == ("any weight", {})


def test_every_step_label_is_its_message_in_english():
    book = load_rate_book()
    for op in book.operators.values():
        for table in op.tables:
            for prices in table.prices.values():
                for step in prices.steps:
                    message, params = step_message(step.limit)
                    assert step.label == message % params


def test_usps_zone_map_follows_notice_123():
    # FACTS.md §2.2 lines 162-176.
    lookup = load_rate_book().operators["usps"].tables[-1].zone_map.lookup

    assert lookup["KG"] == "6"
    assert (lookup["CA"], lookup["MX"], lookup["GB"], lookup["UA"]) == ("1", "2", "5", "4")
    assert lookup["XK"] == "5"
    assert all(lookup[c] == "domestic" for c in "US AS GU MP PR VI UM FM MH PW".split())
    assert "SO" not in lookup
    assert sum(1 for zone in lookup.values() if zone != "domestic") == 216


def test_uncovered_destinations_say_why():
    found = uncovered_destinations(load_rate_book())
    uncovered = {op: {u.code: u.reason for u in items} for op, items in found.items()}

    assert uncovered["usps"]["SO"] == "no service"
    assert uncovered["usps"]["MC"] == "not in the zone map"
    assert len(uncovered["usps"]) == 24  # SO and the 23 localities FACTS.md §2.2 leaves U
    assert uncovered["deutsche_post"] == {}
    assert uncovered["royal_mail"] == dict.fromkeys(["GG", "IM", "JE"], "no published price")
    assert uncovered["australia_post"]["KG"] == "not in the zone map"
    assert "AU" not in uncovered["australia_post"]
    # Canada Post's latest table prices post at home and to the U.S.A. only (2025-01-13.toml).
    assert set(uncovered["canada_post"]) == countries.all_codes() - {"CA", "US"}


def test_uncovered_destinations_on_a_date():
    uncovered = uncovered_destinations(load_rate_book(), on=dt.date(2024, 6, 1))

    assert "US" not in {u.code for u in uncovered["canada_post"]}  # FACTS.md §2.5 line 249
    before = uncovered_destinations(load_rate_book(), on=dt.date(2010, 1, 1))
    assert {u.reason for u in before["usps"]} == {"no table"}


def test_the_report_carries_the_notes_staff_must_act_on():
    notes = dict(check_rate_tables().notes)

    assert "2026-07-12" in notes["usps/2025-07-13"]
    assert "2026-12-31" in notes["deutsche_post/2025-01-01"]


# Bad tables ----------------------------------------------------------------------------------

OPERATOR = """
    name = "Test Post"
    currency = "EUR"
    unit = "g"
    origins = ["DE"]

    [options.class]
    values = ["first", "second"]
    default = "first"
"""
ZONES = """
    edition = 2025-01-01
    source = "test"
    confidence = "A"
    default = "world"
    not_served = ["SO"]

    [zones]
    near = ["FR", "NL"]
"""
TABLE = """
    effective_from = 2025-01-01
    source = "test"
    confidence = "A"
    partial = true
    zone_map = "2025-01-01"

    [[products]]
    name = "Letter"
    kinds = ["letter"]
    columns = ["domestic", "near", "world"]
    steps = [
        ["20", 100, 150, 200],
        ["50", 120, 170, 220],
    ]
"""


def write_rates(root: Path, *, operator=OPERATOR, zones=ZONES, tables=None) -> Path:
    folder = root / "test_post"
    (folder / "zones").mkdir(parents=True)
    (folder / "operator.toml").write_text(textwrap.dedent(operator))
    (folder / "zones" / "2025-01-01.toml").write_text(textwrap.dedent(zones))
    for name, text in (tables or {"2025-01-01": TABLE}).items():
        (folder / f"{name}.toml").write_text(textwrap.dedent(text))
    return root


def problems_of(root: Path) -> list[str]:
    return [f"{p.path}: {p.message}" for p in check_rate_tables(root=root).problems]


def test_a_good_test_table_checks_clean(tmp_path):
    root = write_rates(tmp_path)

    assert problems_of(root) == []
    table = load_rate_book(root=root).operators["test_post"].tables[0]
    assert table.prices["letter", "near", ("first",)].steps[1].amount == Decimal("1.70")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            '["50", 120', '["20", 120', "steps must increase (20 then 20)", id="steps-repeat"
        ),
        pytest.param(
            '["50", 120', '["10", 120', "steps must increase (20 then 10)", id="steps-fall"
        ),
        pytest.param("120, 170, 220]", "120, 170]", "2 prices for 3 columns", id="zone-unpriced"),
        pytest.param("120, 170, 220]", "120, 0, 220]", "every column needs a price", id="zero"),
        pytest.param(
            "120, 170, 220]", "90, 170, 220]", "costs less up to 50 g than up to 20 g", id="falls"
        ),
        pytest.param('["50",', "[50.0,", "must be a string", id="float-weight"),
        pytest.param('confidence = "A"', 'confidence = "C"', "only figures rated A or B", id="C"),
        pytest.param(
            "effective_from = 2025-01-01",
            "effective_from = 2025-02-01",
            "must match the file name (one table per date)",
            id="second-table-same-date",
        ),
        pytest.param('"world"]', '"moon"]', "column 'moon' is neither", id="unknown-column"),
        pytest.param('"letter"]', '"parcel"]', "'parcel' is not a kind", id="unknown-kind"),
        pytest.param("partial = true", "partial = false", "no price for a postcard", id="complete"),
        pytest.param('zone_map = "2025-01-01"', 'zone_map = "2024"', "no zone map", id="zone-map"),
        pytest.param(
            "[[products]]", "[[products]]\nwhen = { colour = 'red' }", "no option", id="opt"
        ),
        pytest.param(
            "[[products]]", "[[products]]\nwhen = { class = 'third' }", "no value", id="val"
        ),
        pytest.param("[[products]]", "[[products]]\nstamp = 'x'", "no stamp 'x'", id="stamp"),
        pytest.param('source = "test"\n', "", "source is missing", id="no-source"),
        pytest.param("partial = true", "partial = 1", "partial must be true or false", id="type"),
    ],
)
def test_a_bad_table_is_reported_and_refused(tmp_path, old, new, expected):
    assert old in TABLE
    root = write_rates(tmp_path, tables={"2025-01-01": TABLE.replace(old, new)})

    problems = problems_of(root)

    assert any(expected in p for p in problems), problems
    assert all(p.startswith("test_post/2025-01-01.toml: ") for p in problems)
    with pytest.raises(RateDataError) as caught:
        load_rate_book(root=root)
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param('["FR", "NL"]', '["FR", "ZZ"]', "'ZZ' is not a country code", id="fake-code"),
        pytest.param(
            '["FR", "NL"]', '["FR", "FR"]', "FR is in zone near and in zone near", id="twice"
        ),
        pytest.param('["FR", "NL"]', '["FR", "SO"]', "SO is in zone near and not served", id="so"),
        pytest.param(
            '["FR", "NL"]', '["FR", "DE"]', "DE is in zone near and in zone domestic", id="de"
        ),
        pytest.param('["SO"]', '["DE"]', "DE is an origin", id="origin-unserved"),
        pytest.param("edition = 2025-01-01", "edition = 2024-01-01", "edition must match", id="ed"),
    ],
)
def test_a_bad_zone_map_is_reported(tmp_path, old, new, expected):
    assert old in ZONES
    root = write_rates(tmp_path, zones=ZONES.replace(old, new))

    problems = problems_of(root)

    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param('origins = ["DE"]', 'origins = ["XX"]', "'XX' is not a country", id="origin"),
        pytest.param('unit = "g"', 'unit = "lb"', "unit must be g or oz", id="unit"),
        pytest.param('default = "first"', 'default = "third"', "is not one of", id="default"),
        pytest.param('currency = "EUR"', 'currency = "euro"', "not an ISO 4217", id="currency"),
    ],
)
def test_a_bad_operator_is_reported(tmp_path, old, new, expected):
    assert old in OPERATOR
    root = write_rates(tmp_path, operator=OPERATOR.replace(old, new))

    assert any(expected in p for p in problems_of(root)), problems_of(root)


def test_a_table_cannot_claim_to_hold_past_the_next(tmp_path):
    first = TABLE.replace("partial = true", "partial = true\nvalid_until = 2025-03-01")
    second = TABLE.replace("effective_from = 2025-01-01", "effective_from = 2025-02-01")
    root = write_rates(tmp_path, tables={"2025-01-01": first, "2025-02-01": second})

    assert problems_of(root) == [
        "test_post/2025-02-01.toml: test_post/2025-01-01 claims to hold until 2025-03-01"
    ]


def test_two_operators_cannot_share_an_origin(tmp_path):
    write_rates(tmp_path)
    twin = tmp_path / "twin_post"
    (twin / "zones").mkdir(parents=True)
    (twin / "operator.toml").write_text(textwrap.dedent(OPERATOR))

    assert "twin_post/operator.toml: origin DE is also test_post's" in problems_of(tmp_path)


def test_a_surcharge_must_be_declared_by_the_operator(tmp_path):
    table = TABLE + "\n[[surcharges]]\nid = 'nonmachinable'\nkinds = ['letter']\n"
    table += "zones = ['world']\namount = 20\n"
    root = write_rates(tmp_path, tables={"2025-01-01": table})

    assert any("not declared in operator.toml" in p for p in problems_of(root))


def test_an_unreadable_file_is_a_problem_not_a_crash(tmp_path):
    root = write_rates(tmp_path, tables={"2025-01-01": "effective_from = ["})

    assert any("cannot be read" in p for p in problems_of(root))


def test_an_empty_folder_is_a_problem(tmp_path):
    assert problems_of(tmp_path) == [f".: no operator folders in {tmp_path}"]
