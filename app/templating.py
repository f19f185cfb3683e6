"""Template filters for dates, numbers, money, countries and codes, in the reader's locale."""

from decimal import Decimal
from functools import partial

from babel.numbers import get_currency_precision
from flask import Flask
from flask_babel import format_currency
from flask_babel import format_date
from flask_babel import format_datetime
from flask_babel import format_decimal
from flask_babel import get_locale

from app import labels
from app.services import countries
from app.services.codes import format_code


def money(minor: int, currency: str) -> str:
    """Format an amount in minor units (340, "USD") as the reader writes it ("$3.40")."""
    amount = Decimal(minor).scaleb(-get_currency_precision(currency))
    return format_currency(amount, currency)


def country_name(code: str) -> str:
    """Name a country in the reader's language."""
    return countries.country_name(code, str(get_locale() or "en"))


def init_app(app: Flask) -> None:
    """Register the filters on *app*."""
    app.add_template_filter(lambda d: format_date(d, "medium"), "date_format")
    app.add_template_filter(lambda d: format_datetime(d, "medium"), "datetime_format")
    app.add_template_filter(money, "money")
    app.add_template_filter(country_name, "country_name")
    app.add_template_filter(format_code, "code_groups")
    app.add_template_filter(format_decimal, "number")
    app.add_template_global(partial(labels.label, labels.CHANNEL_LABELS), "channel_label")
    app.add_template_global(partial(labels.label, labels.KIND_LABELS), "kind_label")
    app.add_template_global(partial(labels.label, labels.STATUS_LABELS), "status_label")
    app.add_template_global(partial(labels.label, labels.CHAPTER_KIND_LABELS), "chapter_kind_label")
    app.context_processor(
        lambda: {
            "html_lang": str(get_locale() or "en"),
            "all_countries": lambda: countries.country_choices(str(get_locale() or "en")),
        }
    )
