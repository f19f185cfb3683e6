"""Stamp advice: the English sentence of the API, and the same advice in any language."""

import datetime as dt
import io
import itertools
import re
import tomllib
from decimal import Decimal

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.support import Translations

from app.services import stamp_advice
from app.services import stamp_names
from app.services.postage import NoPublishedPrice
from app.services.postage import quote
from app.services.rates import RATES_DIR
from app.services.rates import Stamp
from app.services.rates import load_rate_book
from app.services.stamp_advice import Money
from app.services.stamp_advice import StampAdvice
from app.services.stamp_advice import advise
from app.services.stamp_advice import stamps_text

TODAY = dt.date(2025, 11, 20)
KEYWORDS = DEFAULT_KEYWORDS | {"Nn_": (1, 2)}
FIELD = re.compile(r"%\((\w+)\)s")


def extracted(module) -> list:
    """The messages pybabel extracts from *module*'s file (with ``-k Nn_:1,2``)."""
    return [m for _line, m, _c, _ctx in extract_from_file("python", module.__file__, KEYWORDS)]


def as_written(message: str) -> str:
    return message


def english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def in_english(advice) -> str:
    return stamps_text(advice, gettext=as_written, ngettext=english_plural, locale="en")


# Stamp names ----------------------------------------------------------------------------------


def table_stamp_names() -> set[str]:
    names = set()
    for path in RATES_DIR.glob("**/*.toml"):
        stamps = tomllib.loads(path.read_text()).get("stamps", {})
        names.update(spec["name"] for spec in stamps.values())
    return names


def test_every_stamp_a_table_names_is_listed_for_translation():
    names = table_stamp_names()

    assert len(names) >= 8
    assert names <= set(stamp_names.STAMP_NAMES)


def test_stamp_names_are_extracted_as_plural_entries():
    pairs = set(extracted(stamp_names))

    assert pairs == set(stamp_names.STAMP_NAMES.values())
    assert all(isinstance(pair, tuple) and len(pair) == 2 for pair in pairs)


def test_an_unlisted_stamp_still_reads_in_english():
    assert stamp_names.forms("Forever stamp") == ("Forever stamp", "Forever stamps")
    assert stamp_names.forms("Kiwi stamp") == ("Kiwi stamp", "Kiwi stamps")


# The advice -----------------------------------------------------------------------------------


def priced_quotes() -> list:
    """A quote for every step of every table: each kind, zone, choice of options, weight."""
    quotes = []
    for op in load_rate_book().operators.values():
        origin = sorted(op.origins)[0]
        for table in op.tables:
            by_zone = {zone: code for code, zone in sorted(table.zone_map.lookup.items())}
            for (kind, zone, combo), prices in table.prices.items():
                options = dict(zip(op.options, combo, strict=True))
                for step, nonmachinable in itertools.product(prices.steps, (False, True)):
                    weight = Decimal(20) if not step.max_g.is_finite() else step.max_g
                    try:
                        q = quote(
                            origin=origin,
                            destination=by_zone[zone],
                            kind=kind,
                            weight_g=weight,
                            on=table.effective_from,
                            options=options,
                            nonmachinable=nonmachinable,
                        )
                    except NoPublishedPrice:
                        continue  # an older table without the surcharge
                    quotes.append(q)
    return quotes


QUOTES = priced_quotes()


def test_the_english_advice_is_the_quotes_stamps():
    assert len(QUOTES) > 500
    for q in QUOTES:
        assert q.stamp_advice.text == q.stamps
        assert in_english(q) == in_english(q.stamp_advice) == q.stamps


def test_every_advice_is_a_marked_template_its_fields_fill():
    templates = set(extracted(stamp_advice))

    for q in QUOTES:
        advice = q.stamp_advice
        assert advice.message in templates
        assert set(FIELD.findall(advice.message)) <= set(advice.params), advice
        assert not re.search(r"[{}]|%(?!\(\w+\)s)", advice.message)
    # Every template names only fields a StampAdvice has.
    fields = {"count", "stamp", "total", "value", "rest"}
    assert all(set(FIELD.findall(t)) <= fields for t in templates)


def test_the_shipped_tables_give_most_kinds_of_advice():
    seen = {q.stamp_advice.message for q in QUOTES}

    # Royal Mail's international stamp pays every international price to the penny.
    assert set(extracted(stamp_advice)) - seen == {
        stamp_advice.ONE_FACE_AND_REST,
        stamp_advice.MANY_FACE,
        stamp_advice.MANY_FACE_AND_REST,
    }


FACE = Stamp("international stamp", "face", 220)


@pytest.mark.parametrize(
    ("stamp", "minor", "text"),
    [
        (FACE, 220, "£2.20 international stamp"),
        (FACE, 260, "£2.20 international stamp + £0.40 in other stamps"),
        (FACE, 440, "2 × £2.20 international stamps"),
        (FACE, 500, "2 × £2.20 international stamps + £0.60 in other stamps"),
        (FACE, 100, "£1.00 in stamps"),
        (Stamp("First Class stamp", "count", 165), 330, "2 First Class stamps"),
        (
            Stamp("First Class stamp", "count", 165),
            200,
            "1 First Class stamp + £0.35 in other stamps",
        ),
        (Stamp("postage meter imprint", "imprint", None), 87, "£0.87 postage meter imprint"),
        (None, 125, "£1.25 in stamps"),
    ],
)
def test_advice_for_each_style_of_stamp(stamp, minor, text):
    advice = advise(stamp, amount_minor=minor, currency="GBP", exponent=2)

    assert advice.text == text


def test_the_advice_keeps_its_money_and_stamp_unwritten():
    q = quote(origin="US", destination="CA", kind="letter", weight_g=Decimal(50), on=TODAY)

    assert q.stamps == "1 Global Forever stamp + $0.30 in other stamps"
    assert q.stamp_advice == StampAdvice(
        stamp_advice.COUNTED_AND_REST,
        count=1,
        stamp="Global Forever stamp",
        rest=Money(Decimal("0.30"), "USD"),
    )
    assert q.stamp_advice.params == {
        "count": 1,
        "stamp": "Global Forever stamp",
        "rest": Money(Decimal("0.30"), "USD"),
    }


# In another language ----------------------------------------------------------------------


def french() -> Translations:
    """A French catalog of a few of the advice's messages, as the lead's .po would give."""
    catalog = Catalog(locale="fr")
    catalog.add(stamp_advice.COUNTED, "%(count)s %(stamp)s")
    catalog.add(stamp_advice.COUNTED_AND_REST, "%(count)s %(stamp)s + %(rest)s en autres timbres")
    catalog.add(stamp_advice.IN_STAMPS, "%(total)s en timbres")
    catalog.add(stamp_advice.MANY_FACE, "%(count)s %(stamp)s à %(value)s")
    catalog.add(
        ("Global Forever stamp", "Global Forever stamps"),
        # CLDR French has three forms: one, many (millions) and other.
        ("timbre Global Forever", "timbres Global Forever", "timbres Global Forever"),
    )
    catalog.add(
        ("international stamp", "international stamps"),
        ("timbre international", "timbres internationaux", "timbres internationaux"),
    )
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return Translations(mo)


@pytest.mark.parametrize(
    ("advice", "text"),
    [
        (
            quote(origin="US", destination="KG", kind="letter", weight_g=Decimal(20), on=TODAY),
            "1 timbre Global Forever",
        ),
        (
            quote(origin="US", destination="KG", kind="letter", weight_g=Decimal(80), on=TODAY),
            "3 timbres Global Forever",
        ),
        (
            quote(origin="US", destination="CA", kind="letter", weight_g=Decimal(50), on=TODAY),
            "1 timbre Global Forever + 0,30\xa0$US en autres timbres",
        ),
        (
            quote(origin="DE", destination="KG", kind="letter", weight_g=Decimal(20), on=TODAY),
            "1,25\xa0€ en timbres",
        ),
        (
            advise(FACE, amount_minor=440, currency="GBP", exponent=2),
            "2 timbres internationaux à 2,20\xa0£GB",
        ),
    ],
)
def test_advice_in_french(advice, text):
    fr = french()

    assert stamps_text(advice, gettext=fr.gettext, ngettext=fr.ngettext, locale="fr") == text


def test_an_untranslated_advice_still_writes_money_for_the_locale():
    q = quote(origin="US", destination="KG", kind="letter", weight_g=Decimal(80), on=TODAY)
    d = quote(origin="DE", destination="KG", kind="letter", weight_g=Decimal(20), on=TODAY)
    none = Translations()

    def shown(advice, locale):
        return stamps_text(advice, gettext=none.gettext, ngettext=none.ngettext, locale=locale)

    assert shown(q, "es") == "3 Global Forever stamps"
    assert shown(d, "es") == "1,25\xa0€ in stamps"  # Babel's no-break space
    assert shown(d, "en") == d.stamps == "€1.25 in stamps"
