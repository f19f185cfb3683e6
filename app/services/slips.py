"""Slips: the QR code and the recipient's address block on a mailing's slip.

Pure given their inputs: nothing here reads the database or imports Flask.

One QR drawing serves every output. :func:`qr_matrix` asks ``qrcode`` for the
modules (error correction M, a quiet zone of 4 modules), and the HTML slip's SVG
(:func:`qr_svg`) paints its dark rectangles (``_dark_rects``) as vectors, so it
prints crisply at any size; the PDF sheets will draw the same rectangles.
"""

import functools
import io
import unicodedata
from collections.abc import Sequence
from html import escape

import qrcode
from babel import Locale
from babel import UnknownLocaleError
from babel.languages import get_official_languages
from qrcode.constants import ERROR_CORRECT_M

from app.services import countries

# R10: error correction M restores up to ~15 % of a smudged or folded code; a quiet
# zone of 4 modules is what the QR standard requires for reliable scanning.
QR_ERROR_CORRECTION = ERROR_CORRECT_M
QR_BORDER = 4

# Between the country's name in the sender's language and in the destination's.
COUNTRY_SEPARATOR = " / "

# The printed size of a QR code, quiet zone included, on paper and on the HTML slip:
# about 0.75 mm a module for the URLs we print, which any phone camera reads.
QR_SIDE_MM = 30


# --- URL and QR -------------------------------------------------------------------


def slip_url(base_url: str, code: str) -> str:
    """Return where a slip's QR code leads: ``{base_url}/m/{code}``."""
    return f"{base_url.rstrip('/')}/m/{code}"


def _qr(data: str) -> qrcode.QRCode:
    # fit=True picks the smallest version that holds the data at level M.
    qr = qrcode.QRCode(error_correction=QR_ERROR_CORRECTION, border=QR_BORDER)
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def qr_matrix(data: str) -> list[list[bool]]:
    """Return the QR modules for *data*, ``True`` for dark, quiet zone included.

    The matrix is square: the symbol's modules plus :data:`QR_BORDER` light modules on
    every side.
    """
    return _qr(data).get_matrix()


def _dark_rects(matrix: list[list[bool]]) -> list[tuple[int, int, int, int]]:
    """Cover the dark modules with ``(x, y, width, height)`` rectangles, in modules.

    Runs of dark modules in a row become one rectangle, and a run repeated in the rows
    below grows taller instead of adding another: about half as many shapes to draw
    as modules, which is most of the cost of a slip after the QR code itself.
    """
    rects: list[tuple[int, int, int, int]] = []
    # (x, width) of a run → index in rects of the rectangle that ended in the row above.
    open_runs: dict[tuple[int, int], int] = {}
    for y, row in enumerate(matrix):
        runs: dict[tuple[int, int], int] = {}
        x, size = 0, len(row)
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            run = (start, x - start)
            above = open_runs.get(run)
            if above is None:
                rects.append((start, y, x - start, 1))
                runs[run] = len(rects) - 1
            else:
                rx, ry, rw, rh = rects[above]
                rects[above] = (rx, ry, rw, rh + 1)
                runs[run] = above
        open_runs = runs
    return rects


def qr_svg(data: str, *, size: str | None = f"{QR_SIDE_MM}mm") -> str:
    """Return an inline ``<svg>`` element of the QR code for *data*.

    The drawing is in module units (``viewBox``) with a white background over the
    whole quiet zone, so it stays scannable on a tinted page or in dark mode, and
    ``shape-rendering="crispEdges"`` so screens and printers do not blur the edges.
    The only text in it is *data*, escaped, so a template may insert it unescaped
    (``Markup(qr_svg(url))``); it needs no ``img-src`` in the page's CSP.

    :param size: CSS length for ``width`` and ``height`` (the default is the size on
        the PDF slip); ``None`` leaves sizing to the stylesheet.
    """
    matrix = qr_matrix(data)
    n = len(matrix)
    path = "".join(f"M{x} {y}h{w}v{h}h-{w}z" for x, y, w, h in _dark_rects(matrix))
    dims = f' width="{size}" height="{size}"' if size else ""
    label = escape(f"QR code: {data}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}"{dims}'
        f' shape-rendering="crispEdges" role="img" aria-label="{label}">'
        f'<rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>'
    )


def qr_png(data: str, *, box_size: int = 10) -> bytes:
    """Return the QR code for *data* as a PNG, *box_size* pixels per module.

    :raises ValueError: if *box_size* is less than 1.
    """
    if box_size < 1:
        raise ValueError("box_size must be at least 1 pixel per module")
    qr = _qr(data)
    qr.box_size = box_size
    buffer = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


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
