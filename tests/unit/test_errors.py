"""Service errors: English templates, filled in English for the CLI and stored notes."""

from app.services.errors import FieldError
from app.services.errors import ValidationFailed
from app.services.errors import english


def test_text_fills_the_template():
    error = FieldError("password", "Use at least %(n)s characters.", {"n": 8})

    assert error.text == "Use at least 8 characters."


def test_text_without_params_is_the_message_as_written():
    assert FieldError("email", "Enter an email address.").text == "Enter an email address."


def test_a_country_param_is_named_in_english():
    error = FieldError("to", "USPS has no service to %(to_country)s", {"to_country": "SO"})

    assert error.text == "USPS has no service to Somalia"
    assert str(ValidationFailed([error])) == "to: USPS has no service to Somalia"


def test_only_params_named_country_are_looked_up():
    filled = english(
        "%(country)s, %(from_country)s, %(code)s",
        {"country": "FR", "from_country": "XK", "code": "FR"},
    )

    assert filled == "France, Kosovo, FR"
