"""Slips: QR codes, address blocks, printable PDF sheets of slips, and tally sheets.

Pure given their inputs: nothing here reads the database or imports Flask. The
views turn rows into :class:`SlipData` and call these functions.

One QR drawing serves every output. :func:`qr_matrix` asks ``qrcode`` for the
modules (error correction M, a quiet zone of 4 modules), and the HTML slip's SVG
(:func:`qr_svg`) and the PDF sheet (:func:`slips_pdf`) both paint the same dark
rectangles of it (``_dark_rects``), as vectors, so they print crisply at any size.
"""

import datetime as dt
import functools
import io
import math
import unicodedata
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from html import escape
from pathlib import Path
from typing import Literal

import qrcode
from babel import Locale
from babel import UnknownLocaleError
from babel.languages import get_official_languages
from fontTools.ttLib import TTFont  # fpdf2's own font library
from fpdf import FPDF
from fpdf.enums import PageOrientation
from qrcode.constants import ERROR_CORRECT_M

from app.services import countries
from app.services.codes import format_code

Paper = Literal["A4", "Letter"]
PAPERS: tuple[Paper, ...] = ("A4", "Letter")

# R10: error correction M restores up to ~15 % of a smudged or folded code; a quiet
# zone of 4 modules is what the QR standard requires for reliable scanning.
QR_ERROR_CORRECTION = ERROR_CORRECT_M
QR_BORDER = 4

# Between the country's name in the sender's language and in the destination's.
COUNTRY_SEPARATOR = " / "

# The printed size of a QR code, quiet zone included, on paper and on the HTML slip:
# about 0.75 mm a module for the URLs we print, which any phone camera reads.
QR_SIDE_MM = 30

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
_FONT_FAMILY = "DejaVu"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


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


# --- Slip data --------------------------------------------------------------------


@dataclass(frozen=True)
class PrintedWords:
    """The words printed on slips and tally sheets, in English unless the caller gives
    them in the reader's language. Fields with ``%(name)s`` are filled in here."""

    posted: str = "posted"
    from_town: str = "From %(town)s"
    postage: str = "Postage: %(amount)s"
    postage_unknown: str = "Postage: use the calculator at /postage"
    greeting: str = "Greeting: %(text)s"
    statuses: Mapping[str, str] = field(
        default_factory=lambda: {"logged": "logged", "posted": "posted", "void": "void"}
    )
    tally_title: str = "Tally sheet"
    tally_footer: str = "Lettertrail tally sheet · page %(page)s of %(pages)s"
    tally_intro: str = (
        "Tick one box for each piece sent, in the row of the recipient and the channel. "
        "Afterwards, log each row's total as one batch (Log mail, how many = the total)."
    )
    date: str = "Date"
    town: str = "Town"
    chapter: str = "Chapter"
    total: str = "Total"
    roles: Mapping[str, str] = field(
        default_factory=lambda: {"appeal": "appeal", "solidarity": "solidarity", "copy": "copy"}
    )


ENGLISH = PrintedWords()


@dataclass(frozen=True)
class SlipData:
    """What one printed slip shows; the views build it from a mailing and its rows."""

    code: str  # canonical, e.g. "7KQ2M9XA3P"
    url: str  # what the QR code holds: slip_url(base_url, code)
    campaign_title: str
    channel: str  # a label for people, e.g. "Letter", "Greeting card"
    address: tuple[str, ...]  # address_block(...) of the recipient
    sender_town: str
    sent_on: dt.date
    status: str = "logged"
    postage: str | None = None  # e.g. "US$1.70 (USPS First-Class Mail International)"
    stamps: str | None = None  # e.g. "1 Global Forever stamp"
    greeting: str | None = None  # a solidarity greeting in the prisoner's language
    greeting_meaning: str | None = None

    @property
    def code_display(self) -> str:
        """The code in readable groups: ``7KQ2-M9XA-3P``."""
        return format_code(self.code)

    def postage_text(self, words: PrintedWords = ENGLISH) -> str:
        """The postage and stamp advice, or where to work it out."""
        if self.postage is None:
            return words.postage_unknown
        line = words.postage % {"amount": self.postage}
        return f"{line}. {self.stamps}" if self.stamps else line

    def greeting_text(self, words: PrintedWords = ENGLISH) -> str | None:
        """The greeting to write and what it means, if the slip carries one."""
        if not self.greeting:
            return None
        meaning = f" ({self.greeting_meaning})" if self.greeting_meaning else ""
        return words.greeting % {"text": f"{self.greeting}{meaning}"}

    @property
    def postage_line(self) -> str:
        """The postage line in English."""
        return self.postage_text()

    @property
    def greeting_line(self) -> str | None:
        """The greeting line in English."""
        return self.greeting_text()


# --- Paper ------------------------------------------------------------------------

# Where US Letter, not A4, is what the printers hold.
_LETTER_COUNTRIES = frozenset("US CA MX PR GU VI AS MP UM BZ CL CO CR DO GT NI PA PH SV VE".split())


def default_paper(country_code: str | None) -> Paper:
    """Return the usual paper size in a chapter's country: Letter in the Americas' Letter
    countries and the Philippines, A4 everywhere else (and when unknown)."""
    return "Letter" if (country_code or "").strip().upper() in _LETTER_COUNTRIES else "A4"


def _check_paper(paper: str) -> Paper:
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, not {paper!r}")
    return paper  # type: ignore[return-value]


# --- PDF plumbing -----------------------------------------------------------------


@functools.cache
def _font_cmap() -> frozenset[int]:
    """The code points the vendored font draws (read once per process)."""
    with TTFont(FONT_DIR / _FONT_FILES[""], lazy=True) as font:
        return frozenset(font.getBestCmap())


def _printable(text: str) -> bool:
    """Tell whether the PDFs can draw *text*: every character in the font, left to right.

    The PDF engine does no bidirectional layout or shaping, so Hebrew and Arabic would
    come out backwards; the browser slip has no such limit.
    """
    cmap = _font_cmap()
    return all(
        ord(ch) in cmap and unicodedata.bidirectional(ch) not in ("R", "AL")
        for ch in unicodedata.normalize("NFC", text)
    )


def _printable_address(address: Sequence[str]) -> list[str]:
    # The destination's own country name is a courtesy beside the one the sending post
    # reads; leave it out rather than print a script the font lacks.
    lines = [unicodedata.normalize("NFC", line) for line in address]
    if lines and not _printable(lines[-1]) and COUNTRY_SEPARATOR in lines[-1]:
        names = lines[-1].split(COUNTRY_SEPARATOR)
        lines[-1] = COUNTRY_SEPARATOR.join(n for n in names if _printable(n)) or names[0]
    return lines


class _Sheet(FPDF):
    """An FPDF in millimetres with the vendored fonts and no automatic page breaks."""

    def __init__(self, *, paper: Paper, title: str) -> None:
        super().__init__(orientation=PageOrientation.PORTRAIT, unit="mm", format=paper)
        self.set_margin(0)
        self.set_auto_page_break(False)
        self.set_title(title)
        self.set_creator("Lettertrail")
        for style, filename in _FONT_FILES.items():
            self.add_font(_FONT_FAMILY, style, FONT_DIR / filename)

    def text(self, x: float, y: float, text: str = "") -> None:
        # Composed characters: without text shaping, a separate combining accent
        # (e + U+0301) can land beside its letter instead of on it.
        super().text(x, y, unicodedata.normalize("NFC", text))

    def use(self, size: float, *, bold: bool = False, grey: int = 0) -> None:
        self.set_font(_FONT_FAMILY, "B" if bold else "", size)
        self.set_text_color(grey)

    def wrap(self, text: str, width: float, *, max_lines: int = 99) -> list[str]:
        """Break *text* into lines no wider than *width* in the current font.

        Words longer than a line are cut; beyond *max_lines* the last line ends in "…".
        """
        lines: list[str] = []
        line = ""
        for word in unicodedata.normalize("NFC", text).split():
            candidate = f"{line} {word}" if line else word
            if self.get_string_width(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while self.get_string_width(word) > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and self.get_string_width(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        if line:
            lines.append(line)
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            last = lines[-1]
            while last and self.get_string_width(last + "…") > width:
                last = last[:-1]
            lines[-1] = last.rstrip() + "…"
        return lines

    def fit(
        self, lines: Sequence[str], width: float, *, size: float, smallest: float, bold=False
    ) -> float:
        """Set the largest font size, from *size* down to *smallest*, at which every one
        of *lines* fits *width*; lines still too wide at *smallest* will need wrapping.
        """
        self.use(size, bold=bold)
        widest = max((self.get_string_width(line) for line in lines), default=0.0)
        if widest > width:
            # Round down to a tenth of a point so the rounded size still fits.
            size = max(smallest, math.floor(size * width / widest * 10) / 10)
            self.use(size, bold=bold)
        return size

    def qr(self, data: str, *, x: float, y: float, side: float) -> None:
        """Draw the QR code for *data* as vector squares, quiet zone included."""
        matrix = qr_matrix(data)
        module = side / len(matrix)
        self.set_fill_color(255)
        self.rect(x, y, side, side, style="F")
        self.set_fill_color(0)
        for mx, my, mw, mh in _dark_rects(matrix):
            self.rect(x + mx * module, y + my * module, mw * module, mh * module, style="F")

    def checkbox(self, *, x: float, y: float, side: float) -> None:
        self.set_draw_color(0)
        self.set_line_width(0.3)
        self.rect(x, y, side, side)

    def result(self) -> bytes:
        return bytes(self.output())


# --- Slip sheets ------------------------------------------------------------------

SLIPS_PER_PAGE = 8
_COLUMNS, _ROWS = 2, 4
_MARGIN = 10.0  # mm around the grid: outside most printers' unprintable edge
_PAD = 4.0  # mm inside a slip, so a slightly crooked cut spares the QR's quiet zone
_GAP = 3.0  # mm between the QR column and the text column
_LINE = 0.3528  # mm per point, times a leading of 1.0


def _cut_marks(pdf: _Sheet, *, width: float, height: float) -> None:
    """Ticks in the margins at every cut line, and light guides along them."""
    slip_w = (width - 2 * _MARGIN) / _COLUMNS
    slip_h = (height - 2 * _MARGIN) / _ROWS
    xs = [_MARGIN + i * slip_w for i in range(_COLUMNS + 1)]
    ys = [_MARGIN + j * slip_h for j in range(_ROWS + 1)]
    pdf.set_draw_color(0)
    pdf.set_line_width(0.2)
    for x in xs:
        pdf.line(x, 3, x, _MARGIN - 2)
        pdf.line(x, height - _MARGIN + 2, x, height - 3)
    for y in ys:
        pdf.line(3, y, _MARGIN - 2, y)
        pdf.line(width - _MARGIN + 2, y, width - 3, y)
    pdf.set_draw_color(190)
    pdf.set_line_width(0.1)
    with pdf.local_context():
        pdf.set_dash_pattern(dash=1, gap=1.5)
        for x in xs:
            pdf.line(x, _MARGIN, x, height - _MARGIN)
        for y in ys:
            pdf.line(_MARGIN, y, width - _MARGIN, y)


def _draw_slip(
    pdf: _Sheet, slip: SlipData, *, x: float, y: float, w: float, h: float, words: PrintedWords
) -> None:
    left, top = x + _PAD, y + _PAD
    bottom = y + h - _PAD
    pdf.qr(slip.url, x=left, y=top, side=QR_SIDE_MM)

    # Left column, under the QR: the code to type, where and when it was sent, the box.
    cy = top + QR_SIDE_MM + 4.2
    pdf.fit([slip.code_display], QR_SIDE_MM, size=11, smallest=7, bold=True)
    pdf.text(
        left + (QR_SIDE_MM - pdf.get_string_width(slip.code_display)) / 2, cy, slip.code_display
    )
    cy += 1.2
    pdf.use(6.5, grey=60)
    sent = f"{slip.sent_on.isoformat()} · {words.statuses.get(slip.status, slip.status)}"
    from_town = words.from_town % {"town": slip.sender_town}
    for line in [*pdf.wrap(from_town, QR_SIDE_MM, max_lines=2), sent]:
        cy += 6.5 * _LINE * 1.15
        pdf.text(left, cy, line)
    pdf.use(8, bold=True)
    pdf.checkbox(x=left, y=bottom - 4, side=4)
    pdf.text(left + 5.5, bottom - 1, words.posted)

    # Right column: campaign and channel, the address, postage, a greeting.
    rx = left + QR_SIDE_MM + _GAP
    rw = x + w - _PAD - rx
    ry = top + 2.6
    pdf.use(7.5, bold=True)
    for line in pdf.wrap(slip.campaign_title, rw, max_lines=2):
        pdf.text(rx, ry, line)
        ry += 7.5 * _LINE * 1.15
    pdf.use(7, grey=60)
    pdf.text(rx, ry, slip.channel)
    ry += 2.0
    # One size for the whole block, so the address reads as one piece.
    address = _printable_address(slip.address)
    step = pdf.fit(address, rw, size=10, smallest=7) * _LINE * 1.2
    for line in address:
        for part in pdf.wrap(line, rw):
            ry += step
            pdf.text(rx, ry, part)
    ry += 1.2
    notes = [slip.postage_text(words), slip.greeting_text(words)]
    pdf.use(6.5, grey=40)
    step = 6.5 * _LINE * 1.2
    for note in filter(None, notes):
        # The address never gives way; the notes after it take what room is left.
        room = int((bottom - ry) // step)
        if room < 1:
            break
        for line in pdf.wrap(note, rw, max_lines=room):
            ry += step
            pdf.text(rx, ry, line)


def slips_pdf(
    slips: Sequence[SlipData], *, paper: Paper = "A4", words: PrintedWords = ENGLISH
) -> bytes:
    """Lay *slips* out 8 to a page (2 columns, 4 rows) with cut marks; return the PDF.

    Each slip shows its QR code, the code in readable groups, the address block, the
    postage and stamp advice, the campaign title, the channel, a greeting if any, and
    a "posted" box to tick, in *words*. An empty sequence gives one blank page with cut
    marks.

    :raises ValueError: if *paper* is not "A4" or "Letter".
    """
    paper = _check_paper(paper)
    pdf = _Sheet(paper=paper, title="Lettertrail slips")
    width, height = pdf.w, pdf.h
    slip_w = (width - 2 * _MARGIN) / _COLUMNS
    slip_h = (height - 2 * _MARGIN) / _ROWS
    for index in range(max(len(slips), 1)):
        place = index % SLIPS_PER_PAGE
        if place == 0:
            pdf.add_page()
            _cut_marks(pdf, width=width, height=height)
        if not slips:
            break
        row, column = divmod(place, _COLUMNS)
        _draw_slip(
            pdf,
            slips[index],
            x=_MARGIN + column * slip_w,
            y=_MARGIN + row * slip_h,
            w=slip_w,
            h=slip_h,
            words=words,
        )
    return pdf.result()


# --- Tally sheet ------------------------------------------------------------------

TALLY_BOXES = 50  # per recipient and channel: two rows of 25, ticked one per piece
_TALLY_MARGIN = 15.0
_BOX = 4.2
_BOXES_PER_ROW = 25


def tally_sheet_pdf(
    *,
    campaign_title: str,
    recipients: Sequence[tuple[str, str]],
    channels: Sequence[str],
    paper: Paper = "A4",
    words: PrintedWords = ENGLISH,
) -> bytes:
    """Return a printable tally for an event without internet, in *words*.

    One block per recipient ``(name, role)`` with a row of tick boxes per channel,
    grouped in fives for counting, and a space for the total; the coordinator later
    logs each total as one batch.

    :raises ValueError: if *paper* is not "A4" or "Letter", or there are no recipients
        or no channels.
    """
    paper = _check_paper(paper)
    if not recipients:
        raise ValueError("a tally sheet needs at least one recipient")
    if not channels:
        raise ValueError("a tally sheet needs at least one channel")
    pdf = _Sheet(paper=paper, title=f"Tally sheet: {campaign_title}")
    width, height = pdf.w, pdf.h
    left, right = _TALLY_MARGIN, width - _TALLY_MARGIN
    label_w = 30.0
    groups = _BOXES_PER_ROW // 5
    rows_per_channel = TALLY_BOXES // _BOXES_PER_ROW
    row_h = _BOX + 1.6
    block_h = 9 + len(channels) * (rows_per_channel * row_h + 2.0) + 4

    def new_page() -> float:
        pdf.add_page()
        pdf.use(8, grey=90)
        # cell(), unlike text(), fills in the page count ("{nb}") when the PDF is done.
        pdf.set_xy(left, height - 11)
        pdf.cell(text=words.tally_footer % {"page": pdf.page_no(), "pages": "{nb}"})
        pdf.use(14, bold=True)
        y = _TALLY_MARGIN + 4
        pdf.text(left, y, words.tally_title)
        pdf.use(11, bold=True)
        for line in pdf.wrap(campaign_title, right - left, max_lines=2):
            y += 6
            pdf.text(left, y, line)
        return y + 4

    y = new_page()
    pdf.use(9)
    for line in pdf.wrap(words.tally_intro, right - left):
        y += 4.2
        pdf.text(left, y, line)
    y += 8
    pdf.use(9)
    third = (right - left) / 3
    for i, label in enumerate((words.date, words.town, words.chapter)):
        pdf.text(left + i * third, y, f"{label}:")
        pdf.set_draw_color(0)
        pdf.set_line_width(0.2)
        start = left + i * third + pdf.get_string_width(f"{label}: ")
        pdf.line(start, y + 0.8, left + (i + 1) * third - 4, y + 0.8)
    y += 6

    for name, role in recipients:
        if y + block_h > height - _TALLY_MARGIN:
            y = new_page()
        y += 6
        heading = unicodedata.normalize("NFC", name)
        pdf.fit([heading], right - left - 30, size=10.5, smallest=7, bold=True)
        pdf.text(left, y, heading)
        role_x = left + pdf.get_string_width(heading) + 2
        pdf.use(8.5, grey=80)
        pdf.text(role_x, y, f"({words.roles.get(role, role)})")
        y += 3
        for channel in channels:
            pdf.fit([channel], label_w - 2, size=9, smallest=6)
            pdf.text(left, y + _BOX - 0.6, channel)
            box_x0 = left + label_w
            for r in range(rows_per_channel):
                for b in range(_BOXES_PER_ROW):
                    bx = box_x0 + b * (_BOX + 0.6) + (b // 5) * 2.0
                    pdf.checkbox(x=bx, y=y + r * row_h, side=_BOX)
            total_x = box_x0 + _BOXES_PER_ROW * (_BOX + 0.6) + groups * 2.0 + 2
            pdf.use(9)
            pdf.text(total_x, y + _BOX - 0.6, f"{words.total}:")
            pdf.set_line_width(0.2)
            pdf.line(total_x + 11, y + _BOX, right, y + _BOX)
            y += rows_per_channel * row_h + 2.0
        pdf.set_draw_color(170)
        pdf.set_line_width(0.1)
        pdf.line(left, y + 1, right, y + 1)
    return pdf.result()
