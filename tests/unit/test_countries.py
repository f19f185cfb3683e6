"""Countries: ISO alpha-2 inside, names in the reader's language at the edges."""

import pytest

from app.services import countries


@pytest.mark.parametrize(
    ("code", "locale", "name"),
    [
        ("KG", "en", "Kyrgyzstan"),
        ("KG", "fr", "Kirghizstan"),
        ("KG", "es", "Kirguistán"),
        ("XK", "en", "Kosovo"),
        ("DE", "de", "Deutschland"),
    ],
)
def test_country_names_in_the_readers_language(code, locale, name):
    assert countries.country_name(code, locale) == name


def test_kosovo_is_accepted_although_iso_lacks_it():
    assert countries.is_country("XK")
    assert "XK" in countries.all_codes()


@pytest.mark.parametrize("bad", ["", "ZZ", "kg", "KGZ", None, "U S"])
def test_unknown_codes_are_refused(bad):
    assert not countries.is_country(bad)


def test_normalize_upper_cases_and_checks():
    assert countries.normalize(" kg ") == "KG"
    assert countries.normalize("zz") is None


def test_choices_are_sorted_by_name_in_locale():
    names = [name for _code, name in countries.country_choices("en")]
    assert names.index("Åland Islands") < names.index("Albania")
    assert len(names) == len(countries.all_codes())
