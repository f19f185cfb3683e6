"""Mailing codes: random, Crockford base32, forgiving when typed."""

import pytest

from app.services.codes import ALPHABET
from app.services.codes import format_code
from app.services.codes import new_code
from app.services.codes import normalize_code


def test_new_codes_are_ten_crockford_characters_and_differ():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 10 and set(c) <= set(ALPHABET) for c in codes)


def test_codes_use_the_whole_alphabet():
    seen = set("".join(new_code() for _ in range(500)))
    assert seen == set(ALPHABET)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7KQ2M9XA3P", "7KQ2M9XA3P"),
        ("7kq2-m9xa-3p", "7KQ2M9XA3P"),
        (" 7KQ2 M9XA 3P ", "7KQ2M9XA3P"),
        ("7KQ2-M9XA-OP", "7KQ2M9XA0P"),  # O read as zero
        ("IKQ2-M9XA-LP", "1KQ2M9XA1P"),  # I and L read as one
        ("7KQ2M9XA3", None),  # too short
        ("7KQ2M9XA3PP", None),  # too long
        ("7KQ2M9XA3U", None),  # U is not in the alphabet
        ("", None),
    ],
)
def test_normalize_code(typed, expected):
    assert normalize_code(typed) == expected


def test_format_code_groups_four_four_two():
    assert format_code("7KQ2M9XA3P") == "7KQ2-M9XA-3P"
    assert normalize_code(format_code("7KQ2M9XA3P")) == "7KQ2M9XA3P"
