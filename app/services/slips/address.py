"""Address blocks as each destination country's post expects them."""

import functools
import unicodedata
from collections.abc import Sequence

from babel import Locale
from babel import UnknownLocaleError
from babel.languages import get_official_languages

from app.services import countries

# Between the country's name in the sender's language and in the destination's.
COUNTRY_SEPARATOR = " / "


# --- Address block ------------------------------------------------------------------

# What follows the name, line by line, as each destination's post expects it (after
# Google's libaddressinput data and the UPU's addressing guides). ``{street}`` stands
# for the street lines; ``{CITY}`` is the city in capitals where the post asks for it.
# Lettertrail keeps a region or state inside the city field ("Washington DC").
_CITY_POSTCODE = ("{street}", "{city} {postcode}")
_POSTCODE_CITY = ("{street}", "{postcode} {city}")
_POSTCODE_CAPS = ("{street}", "{postcode} {CITY}")
_CAPS_POSTCODE = ("{street}", "{CITY} {postcode}")
_CITY_THEN_POSTCODE = ("{street}", "{city}", "{postcode}")
_CAPS_THEN_POSTCODE = ("{street}", "{CITY}", "{postcode}")
_POSTCODE_THEN_CITY = ("{street}", "{postcode}", "{city}")


def _layouts() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    groups = {
        _POSTCODE_CITY: "AD AT AX AZ BA BE BG BY CH CL CV CY CZ DE DK DO DZ EE ET FI FO GE GL GR"
        " GW HR HT IS KW LA LI LR LT LU MA MC MD ME MG MK MZ NE NL NO PL PT PY RS SE SI SJ SK"
        " SM SN TJ TM TN TR UY",
        _POSTCODE_CAPS: "AR BL ES FR GF GP IT MF MQ MX MY NC PM RE RO YT",
        _CAPS_POSTCODE: "AS AU CC CX FM GU HM MH MP NF PR PW US VI",
        _CAPS_THEN_POSTCODE: "FK GB GG GS IM IO JE PN RU SH TC",
        _CITY_THEN_POSTCODE: "AF AI BR CU EG IE JP KE LK NA SD TT",
        _POSTCODE_THEN_CITY: "AL EC MU NI OM",
    }
    for layout, codes in groups.items():
        table.update(dict.fromkeys(codes.split(), layout))
    # Canada Post puts two spaces between the province and the postal code.
    table["CA"] = ("{street}", "{CITY}  {postcode}")
    # Magyar Posta: the town comes first, above the street.
    table["HU"] = ("{CITY}", "{street}", "{postcode}")
    # KG keeps the default "Bishkek 720003", the order of the campaign's published
    # addresses; libaddressinput lists the postcode first there.
    return table


_LAYOUTS = _layouts()


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _upper(text: str, language: str) -> str:
    language = language.split("_")[0]
    if language == "ka":
        # Georgian writes addresses in Mkhedruli, which has no capitals in daily use.
        return text
    if language in ("tr", "az"):
        # Turkish and Azerbaijani dotted i capitalises to İ, not I ("TÜRKİYE").
        text = text.replace("i", "İ")
    text = text.upper()
    if language == "el":
        # Greek drops the accents in capitals ("ΕΛΛΆΔΑ" is written "ΕΛΛΑΔΑ").
        decomposed = unicodedata.normalize("NFD", text)
        text = unicodedata.normalize("NFC", decomposed.replace("\u0301", ""))
    return text


@functools.cache
def _local_country_name(code: str) -> tuple[str, str] | None:
    """Return ``(language, name)``: the country's name in its first official language."""
    languages = get_official_languages(code) or get_official_languages(code, de_facto=True)
    for language in languages:
        try:
            name = Locale.parse(language).territories.get(code)
        except (UnknownLocaleError, ValueError):
            continue
        if name:
            return language, name
    return None


@functools.cache
def country_line(code: str, *, locale: str = "en") -> str:
    """Return an address's last line: the country in capitals, in *locale* and locally.

    The first name is in *locale*, the language of the sending post office (English,
    which every post reads, by default); the destination's own name follows when it
    differs by more than accents, e.g. ``"KYRGYZSTAN / КЫРГЫЗСТАН"``, ``"FRANCE"``.

    :raises ValueError: if *code* is not a known country code.
    """
    if not countries.is_country(code):
        raise ValueError(f"unknown country code: {code!r}")
    names = [_upper(countries.country_name(code, locale), locale)]
    local = _local_country_name(code)
    if local is not None:
        language, name = local
        local_name = _upper(name, language)
        if _fold(local_name) != _fold(names[0]):
            names.append(local_name)
    return COUNTRY_SEPARATOR.join(names)


def address_block(
    *,
    name: str,
    address_lines: str | Sequence[str],
    city: str,
    postcode: str,
    country: str,
    locale: str = "en",
) -> list[str]:
    """Lay out a recipient's address the way the destination's post expects it.

    The name comes first, then the street lines and the city and postcode in the
    destination's order ("Bishkek 720003", "75008 PARIS", "WASHINGTON DC 20500", a UK
    postcode on its own line; "City Postcode" where no convention is listed), and
    last the country (:func:`country_line`). Blank parts are left out.

    :param address_lines: street lines, as a sequence or one newline-separated string.
    :param country: ISO 3166-1 alpha-2 code of the destination.
    :param locale: language of the country's first name on the last line.
    :raises ValueError: if *country* is not a known country code.
    """
    country = (country or "").strip().upper()
    last = country_line(country, locale=locale)
    if isinstance(address_lines, str):
        address_lines = address_lines.splitlines()
    street = [line.strip() for line in address_lines if line.strip()]
    city, postcode = city.strip(), postcode.strip().upper()
    lines = [name.strip()]
    for template in _LAYOUTS.get(country, _CITY_POSTCODE):
        if template == "{street}":
            lines.extend(street)
        else:
            lines.append(template.format(city=city, CITY=city.upper(), postcode=postcode).strip())
    lines.append(last)
    return [line for line in lines if line]
