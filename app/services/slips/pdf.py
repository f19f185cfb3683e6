"""PDF plumbing for slips and tally sheets: paper, the embedded font, fitting text, QR codes."""

import functools
import math
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from fontTools.ttLib import TTFont  # fpdf2's own font library
from fpdf import FPDF
from fpdf.enums import PageOrientation

from app.services.slips.address import COUNTRY_SEPARATOR
from app.services.slips.qr import dark_rects
from app.services.slips.qr import qr_matrix

Paper = Literal["A4", "Letter"]
PAPERS: tuple[Paper, ...] = ("A4", "Letter")


FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"
_FONT_FAMILY = "DejaVu"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


# --- Paper ------------------------------------------------------------------------

# Where US Letter, not A4, is what the printers hold.
_LETTER_COUNTRIES = frozenset("US CA MX PR GU VI AS MP UM BZ CL CO CR DO GT NI PA PH SV VE".split())


def default_paper(country_code: str | None) -> Paper:
    """Return the usual paper size in a chapter's country: Letter in the Americas' Letter
    countries and the Philippines, A4 everywhere else (and when unknown)."""
    return "Letter" if (country_code or "").strip().upper() in _LETTER_COUNTRIES else "A4"


def check_paper(paper: str) -> Paper:
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


def printable_address(address: Sequence[str]) -> list[str]:
    # The destination's own country name is a courtesy beside the one the sending post
    # reads; leave it out rather than print a script the font lacks.
    lines = [unicodedata.normalize("NFC", line) for line in address]
    if lines and not _printable(lines[-1]) and COUNTRY_SEPARATOR in lines[-1]:
        names = lines[-1].split(COUNTRY_SEPARATOR)
        lines[-1] = COUNTRY_SEPARATOR.join(n for n in names if _printable(n)) or names[0]
    return lines


class Sheet(FPDF):
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
        for mx, my, mw, mh in dark_rects(matrix):
            self.rect(x + mx * module, y + my * module, mw * module, mh * module, style="F")

    def checkbox(self, *, x: float, y: float, side: float) -> None:
        self.set_draw_color(0)
        self.set_line_width(0.3)
        self.rect(x, y, side, side)

    def result(self) -> bytes:
        return bytes(self.output())
