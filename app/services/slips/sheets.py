"""Printable PDF sheets: eight slips a page, with cut marks, and tally sheets."""

import datetime as dt
import unicodedata
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from app.services.codes import format_code
from app.services.slips.pdf import Paper
from app.services.slips.pdf import Sheet
from app.services.slips.pdf import check_paper
from app.services.slips.pdf import printable_address
from app.services.slips.qr import QR_SIDE_MM

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


# --- Slip sheets ------------------------------------------------------------------

SLIPS_PER_PAGE = 8
_COLUMNS, _ROWS = 2, 4
_MARGIN = 10.0  # mm around the grid: outside most printers' unprintable edge
_PAD = 4.0  # mm inside a slip, so a slightly crooked cut spares the QR's quiet zone
_GAP = 3.0  # mm between the QR column and the text column
_LINE = 0.3528  # mm per point, times a leading of 1.0


def _cut_marks(pdf: Sheet, *, width: float, height: float) -> None:
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
    pdf: Sheet, slip: SlipData, *, x: float, y: float, w: float, h: float, words: PrintedWords
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
    address = printable_address(slip.address)
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
    paper = check_paper(paper)
    pdf = Sheet(paper=paper, title="Lettertrail slips")
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
    paper = check_paper(paper)
    if not recipients:
        raise ValueError("a tally sheet needs at least one recipient")
    if not channels:
        raise ValueError("a tally sheet needs at least one channel")
    pdf = Sheet(paper=paper, title=f"Tally sheet: {campaign_title}")
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
