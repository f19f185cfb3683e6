"""The catalogs: every string of the interface is translated into French and Spanish,
the compiled catalogs match their sources, and placeholders survive translation."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "app" / "translations"
LANGUAGES = ["fr", "es"]
METHODS = [("app/**.py", "python"), ("models/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "Nn_": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def source_strings() -> set[str]:
    """Extract what the code and templates mark for translation, as pybabel does."""
    found = extract_from_dir(
        str(ROOT),
        METHODS,
        keywords=KEYWORDS,
        # Babel skips "_"-folders by default; templates/_partials holds strings.
        directory_filter=lambda path: (
            not any(
                part.startswith(".") or part in ("__pycache__", "node_modules")
                for part in Path(path).relative_to(ROOT).parts
            )
        ),
    )
    return {msgid if isinstance(msgid, str) else msgid[0] for _f, _l, msgid, *_ in found}


def catalog(language: str):
    with open(CATALOGS / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=language)


def test_the_source_has_strings_to_translate():
    strings = source_strings()
    assert "Log what your group sent" in strings
    assert "There is nothing to undo." in strings  # marked with N_ in a service
    assert len(strings) > 250


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(language):
    po = catalog(language)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in po if m.id and m.string}
    fuzzy = [m.id for m in po if m.id and "fuzzy" in m.flags]
    missing = sorted(source_strings() - translated)
    assert missing == [], f"{language} lacks {len(missing)}: run `python3 dev.py translations`"
    assert fuzzy == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    for message in catalog(language):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == wanted, (message.id, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_its_source(language):
    def key(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    with open(CATALOGS / language / "LC_MESSAGES" / "messages.mo", "rb") as f:
        compiled = {key(m.id): key(m.string) for m in read_mo(f) if m.id}
    source = {key(m.id): key(m.string) for m in catalog(language) if m.id and m.string}
    assert compiled == source, "run `python3 dev.py translations` to compile"
