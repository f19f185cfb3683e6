"""The slip engine: QR codes that decode, address blocks, PDF sheets, the tally sheet.

Every QR code is read back with a real decoder (zxing-cpp) from the real output: the
PNG bytes, the SVG the HTML slip embeds (drawn by fpdf2's SVG renderer and, where a
Chromium is installed, by the browser on screen and in print), and the PDF sheets
rendered to images by pdfium.
"""

import datetime as dt
import io
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pypdfium2 as pdfium
import pytest
from PIL import Image

from app.services import countries
from app.services.codes import new_code
from app.services.slips import address as addresses
from app.services.slips import pdf as slip_pdf
from app.services.slips import qr
from app.services.slips import sheets
from tests.qr import decode
from tests.qr import page_texts
from tests.qr import render
from tests.qr import svg_through_fpdf2

BASE_URL = "http://localhost:5000"
URL = "http://localhost:5000/m/7KQ2M9XA3P"
# At least level M (QUALITY.md, R10).
EC_LEVELS = {"M", "Q", "H"}

PRESIDENT = {
    "name": "President Almazbek Atambaev",
    "address_lines": "Government House\nProspekt Chuy 205",
    "city": "Bishkek",
    "postcode": "720003",
    "country": "KG",
}
PRISONER = {
    "name": "Azimjan Askarov",
    "address_lines": "Koloniya No. 47",
    "city": "Bishkek",
    "postcode": "",
    "country": "KG",
}
# CLDR names Kyrgyzstan "Кыргызстан" in Kyrgyz, its first official language
# (Russian, the second, says "Киргизия").
KYRGYZSTAN = "KYRGYZSTAN / КЫРГЫЗСТАН"


def make_slip(code: str | None = None, **overrides) -> sheets.SlipData:
    code = code or new_code()
    fields = {
        "code": code,
        "url": qr.slip_url(BASE_URL, code),
        "campaign_title": "Free Azimjan Askarov",
        "channel": "Letter",
        "address": tuple(addresses.address_block(**PRESIDENT)),
        "sender_town": "Zürich",
        "sent_on": dt.date(2025, 11, 20),
    }
    fields.update(overrides)
    return sheets.SlipData(**fields)


# --- URL and QR -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("http://localhost:5000", URL),
        ("http://localhost:5000/", URL),
        ("https://lettertrail.example.org/campaigns", None),
    ],
)
def test_slip_url(base, expected):
    url = qr.slip_url(base, "7KQ2M9XA3P")
    assert url == (expected or f"{base}/m/7KQ2M9XA3P")


def test_matrix_has_a_quiet_zone_of_four_modules():
    matrix = qr.qr_matrix(URL)
    size = len(matrix)
    assert all(len(row) == size for row in matrix)
    assert (size - 2 * 4 - 17) % 4 == 0  # a QR version's 17 + 4v modules, plus the zone
    for i in range(4):
        assert not any(matrix[i]) and not any(matrix[size - 1 - i])
        assert not any(row[i] or row[size - 1 - i] for row in matrix)
    assert any(matrix[4]) and any(row[4] for row in matrix)


@pytest.mark.parametrize(
    "url",
    [URL, "https://lettertrail.example.org/m/0123456789", f"{BASE_URL}/m/ZZZZZZZZZZ"],
)
def test_png_decodes_to_the_exact_url(url):
    (found,) = decode(Image.open(io.BytesIO(qr.qr_png(url))))
    assert found.text == url
    assert found.ec_level in EC_LEVELS


def test_png_has_the_asked_pixels_per_module():
    image = Image.open(io.BytesIO(qr.qr_png(URL, box_size=3)))
    assert image.size == (3 * len(qr.qr_matrix(URL)),) * 2
    with pytest.raises(ValueError, match="box_size"):
        qr.qr_png(URL, box_size=0)


@pytest.mark.parametrize("url", [URL, "https://lettertrail.example.org/m/0123456789"])
def test_svg_decodes_to_the_exact_url(url):
    (found,) = decode(svg_through_fpdf2(qr.qr_svg(url)))
    assert found.text == url
    assert found.ec_level in EC_LEVELS


def test_svg_draws_the_matrix_with_its_quiet_zone_on_white():
    svg = ET.fromstring(qr.qr_svg(URL))
    ns = {"s": "http://www.w3.org/2000/svg"}
    size = len(qr.qr_matrix(URL))
    assert svg.get("viewBox") == f"0 0 {size} {size}"
    assert svg.get("width") == svg.get("height") == f"{qr.QR_SIDE_MM}mm"
    assert svg.get("shape-rendering") == "crispEdges"
    background = svg.find("s:rect", ns)
    assert (background.get("width"), background.get("fill")) == (str(size), "#fff")
    assert svg.find("s:path", ns).get("fill") == "#000"


def test_svg_size_can_be_left_to_the_stylesheet():
    svg = ET.fromstring(qr.qr_svg(URL, size=None))
    assert svg.get("width") is None and svg.get("height") is None


def test_svg_escapes_what_it_labels():
    svg = qr.qr_svg('http://x/m/"<b>')
    assert "<b>" not in svg and "&quot;&lt;b&gt;" in svg


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.e2e
@pytest.mark.skipif(_chromium() is None, reason="needs a Chromium on PATH")
def test_svg_decodes_in_the_browser_on_screen_and_in_print(tmp_path):
    page = tmp_path / "slip.html"
    page.write_text(
        f'<!doctype html><meta charset="utf-8"><body style="margin:10mm">{qr.qr_svg(URL)}</body>',
        encoding="utf-8",
    )
    flags = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu"]
    shot, printed = tmp_path / "shot.png", tmp_path / "printed.pdf"
    subprocess.run(
        [*flags, f"--screenshot={shot}", "--window-size=400,400", page.as_uri()],
        check=True,
        capture_output=True,
        timeout=60,
    )
    subprocess.run(
        [*flags, "--no-pdf-header-footer", f"--print-to-pdf={printed}", page.as_uri()],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert [code.text for code in decode(Image.open(shot))] == [URL]
    (printed_page,) = render(printed.read_bytes(), dpi=300)
    assert [code.text for code in decode(printed_page)] == [URL]


# --- Address blocks ---------------------------------------------------------------


def test_the_presidents_address_block():
    assert addresses.address_block(**PRESIDENT) == [
        "President Almazbek Atambaev",
        "Government House",
        "Prospekt Chuy 205",
        "Bishkek 720003",
        KYRGYZSTAN,
    ]


def test_the_prisoners_address_block():
    assert addresses.address_block(**PRISONER) == [
        "Azimjan Askarov",
        "Koloniya No. 47",
        "Bishkek",
        KYRGYZSTAN,
    ]


@pytest.mark.parametrize(
    ("country", "city", "postcode", "expected"),
    [
        ("FR", "Paris", "75008", ["75008 PARIS", "FRANCE"]),
        ("DE", "Berlin", "10117", ["10117 Berlin", "GERMANY / DEUTSCHLAND"]),
        ("US", "Washington DC", "20500", ["WASHINGTON DC 20500", "UNITED STATES"]),
        ("GB", "London", "sw1a 2aa", ["LONDON", "SW1A 2AA", "UNITED KINGDOM"]),
        ("CA", "Ottawa ON", "K1A 0A2", ["OTTAWA ON  K1A 0A2", "CANADA"]),
        ("RU", "Moskva", "125009", ["MOSKVA", "125009", "RUSSIA / РОССИЯ"]),
        ("BY", "Minsk", "220030", ["220030 Minsk", "BELARUS / БЕЛАРУСЬ"]),
        ("MX", "Ciudad de México", "06000", ["06000 CIUDAD DE MÉXICO", "MEXICO"]),
        ("IN", "New Delhi", "110001", ["New Delhi 110001", "INDIA / भारत"]),
        ("XK", "Prishtinë", "10000", ["Prishtinë 10000", "KOSOVO / KOSOVË"]),
    ],
)
def test_city_and_postcode_in_the_destinations_order(country, city, postcode, expected):
    block = addresses.address_block(
        name="A. Recipient",
        address_lines=["1 Main Street"],
        city=city,
        postcode=postcode,
        country=country,
    )
    assert block == ["A. Recipient", "1 Main Street", *expected]


def test_hungary_puts_the_town_above_the_street():
    block = addresses.address_block(
        name="N", address_lines="Kossuth tér 1", city="Budapest", postcode="1055", country="HU"
    )
    assert block == ["N", "BUDAPEST", "Kossuth tér 1", "1055", "HUNGARY / MAGYARORSZÁG"]


def test_blank_parts_are_left_out_and_text_is_trimmed():
    block = addresses.address_block(
        name=" Azimjan Askarov ",
        address_lines=["", "  Koloniya No. 47 ", "   "],
        city=" ",
        postcode="",
        country="kg",
    )
    assert block == ["Azimjan Askarov", "Koloniya No. 47", KYRGYZSTAN]


@pytest.mark.parametrize("country", sorted(countries.all_codes()))
def test_every_country_gets_a_block_ending_in_its_name_in_capitals(country):
    block = addresses.address_block(
        name="N", address_lines="1 Road", city="Town", postcode="123", country=country
    )
    assert block[0] == "N" and "1 Road" in block
    middle = " ".join(block[1:-1])
    assert "123" in middle and "TOWN" in middle.upper()
    assert (
        block[-1].split(addresses.COUNTRY_SEPARATOR)[0] == countries.country_name(country).upper()
    )


def test_an_unknown_country_is_refused():
    with pytest.raises(ValueError, match="unknown country"):
        addresses.address_block(**{**PRESIDENT, "country": "QQ"})


@pytest.mark.parametrize(
    ("code", "locale", "expected"),
    [
        ("KG", "en", KYRGYZSTAN),
        ("KG", "de", "KIRGISISTAN / КЫРГЫЗСТАН"),
        ("FR", "en", "FRANCE"),
        ("CA", "en", "CANADA"),
        # The same name but for accents is not repeated.
        ("PE", "en", "PERU"),
        ("TR", "tr", "TÜRKİYE"),
        ("CH", "en", "SWITZERLAND / SCHWEIZ"),
        ("GR", "en", "GREECE / ΕΛΛΑΔΑ"),
        ("GE", "en", "GEORGIA / საქართველო"),
    ],
)
def test_country_line(code, locale, expected):
    assert addresses.country_line(code, locale=locale) == expected


# --- Slip data and paper --------------------------------------------------------


def test_slip_shows_the_code_in_groups_and_postage_advice():
    slip = make_slip("7KQ2M9XA3P")
    assert slip.code_display == "7KQ2-M9XA-3P"
    assert slip.postage_line == "Postage: use the calculator at /postage"
    assert slip.greeting_line is None
    priced = make_slip(postage="US$1.70", stamps="1 Global Forever stamp")
    assert priced.postage_line == "Postage: US$1.70. 1 Global Forever stamp"
    assert make_slip(postage="£2.80").postage_line == "Postage: £2.80"
    greeting = make_slip(greeting="Саламатсызбы!", greeting_meaning="Hello")
    assert greeting.greeting_line == "Greeting: Саламатсызбы! (Hello)"


@pytest.mark.parametrize(
    ("country", "paper"),
    [
        ("US", "Letter"),
        ("ca", "Letter"),
        ("MX", "Letter"),
        ("DE", "A4"),
        ("KG", "A4"),
        (None, "A4"),
    ],
)
def test_default_paper(country, paper):
    assert slip_pdf.default_paper(country) == paper


def test_an_unknown_paper_is_refused():
    with pytest.raises(ValueError, match="paper"):
        sheets.slips_pdf([], paper="A5")


# --- Slip sheets ----------------------------------------------------------------


def assert_sheet_decodes(pdf: bytes, batch: list[sheets.SlipData]) -> None:
    """Each slip's QR decodes to its own URL, in its own cell of the 2 × 4 grid."""
    pages = render(pdf)
    assert len(pages) == -(-len(batch) // sheets.SLIPS_PER_PAGE)
    seen = []
    for number, image in enumerate(pages):
        for found in decode(image):
            assert found.ec_level in EC_LEVELS
            corner = found.position.top_left
            column = int(corner.x / image.width * 2)
            row = int(corner.y / image.height * 4)
            index = number * sheets.SLIPS_PER_PAGE + row * 2 + column
            assert found.text == batch[index].url
            seen.append(found.text)
    assert sorted(seen) == sorted(slip.url for slip in batch)


def test_a_30_slip_sheet_has_4_pages_and_every_qr_decodes():
    batch = [make_slip() for _ in range(30)]
    assert_sheet_decodes(sheets.slips_pdf(batch, paper="A4"), batch)


def test_letter_paper():
    batch = [make_slip() for _ in range(9)]
    pdf = sheets.slips_pdf(batch, paper="Letter")
    document = pdfium.PdfDocument(pdf)
    assert [round(x) for x in document[0].get_size()] == [612, 792]
    assert_sheet_decodes(pdf, batch)


def test_a4_paper_size():
    document = pdfium.PdfDocument(sheets.slips_pdf([make_slip()], paper="A4"))
    assert [round(x) for x in document[0].get_size()] == [595, 842]


def test_production_urls_decode_too():
    batch = [
        make_slip(code, url=qr.slip_url("https://lettertrail.amnesty.example.org/", code))
        for code in (new_code() for _ in range(8))
    ]
    assert_sheet_decodes(sheets.slips_pdf(batch), batch)


def test_a_slip_prints_everything_it_carries():
    slip = make_slip(
        "7KQ2M9XA3P",
        address=tuple(addresses.address_block(**PRISONER)),
        sender_town="Бишкек",
        channel="Greeting card",
        postage="US$1.70 (USPS First-Class Mail International)",
        stamps="1 Global Forever stamp",
        greeting="Саламатсызбы!",
        greeting_meaning="Hello",
    )
    (text,) = page_texts(sheets.slips_pdf([slip]))
    for expected in [
        "7KQ2-M9XA-3P",
        "Azimjan Askarov",
        "Koloniya No. 47",
        KYRGYZSTAN,
        "Free Azimjan Askarov",
        "Greeting card",
        "From Бишкек",
        "2025-11-20",
        "US$1.70",
        "Global Forever stamp",
        "Саламатсызбы!",
        "posted",
    ]:
        assert expected in text


def test_without_postage_the_slip_points_to_the_calculator():
    (text,) = page_texts(sheets.slips_pdf([make_slip(sender_town="Genève")]))
    assert "Postage: use the calculator at /postage" in text
    assert "From Genève" in text


def test_a_country_name_the_font_cannot_draw_is_left_to_english():
    address = addresses.address_block(
        name="Embassy", address_lines="1 Road", city="Beijing", postcode="100600", country="CN"
    )
    assert address[-1] == "CHINA / 中国"
    (text,) = page_texts(sheets.slips_pdf([make_slip(address=tuple(address))]))
    assert "CHINA" in text and "中国" not in text


def test_long_text_stays_inside_the_slip():
    long = make_slip(
        campaign_title="A campaign title long enough to need more than two lines " * 3,
        address=tuple(
            addresses.address_block(
                name="Someone With A Very Long Name Indeed, Minister of Internal Affairs",
                address_lines=["Building 12, Corridor 7, Office 1234", "A Long Street Name 99"],
                city="Bishkek",
                postcode="720003",
                country="KG",
            )
        ),
        postage="US$1.70 (USPS First-Class Mail International, 1 oz, price group 6)",
        stamps="1 Global Forever stamp; add a 49¢ stamp if the envelope is square",
        greeting="Саламатсызбы! " * 6,
        greeting_meaning="Hello, with respect " * 4,
    )
    # Alone on the page, so anything that spills out of slip 1 lands where no slip is.
    page = pdfium.PdfDocument(sheets.slips_pdf([long]))[0]
    text_page = page.get_textpage()
    _, height = page.get_size()
    mm = 72 / 25.4
    inset = 3 * mm  # the slip keeps 4 mm clear inside its cut lines
    left_edge, top_edge = 10 * mm, height - 10 * mm
    right_edge, bottom_edge = left_edge + 95 * mm, top_edge - 69.25 * mm
    assert text_page.count_chars() > 300
    for i in range(text_page.count_chars()):
        left, bottom, right, top = text_page.get_charbox(i)
        if right - left <= 0:  # spaces and line breaks
            continue
        assert left_edge + inset <= left and right <= right_edge - inset
        assert bottom_edge + inset <= bottom and top <= top_edge - inset
    assert_sheet_decodes(sheets.slips_pdf([long] * 8), [long] * 8)


def test_an_empty_sheet_is_one_page_of_cut_marks():
    assert len(pdfium.PdfDocument(sheets.slips_pdf([]))) == 1


# --- Tally sheet ------------------------------------------------------------------


def test_the_tally_sheet_lists_recipients_and_channels():
    pdf = sheets.tally_sheet_pdf(
        campaign_title="Free Azimjan Askarov",
        recipients=[
            ("President Almazbek Atambaev", "appeal"),
            ("Azimjan Askarov", "solidarity"),
            ("Посольство Кыргызской Республики", "copy"),
        ],
        channels=["Letter", "Postcard", "Greeting card", "Drawing"],
        paper="Letter",
    )
    texts = page_texts(pdf)
    whole = "\n".join(texts)
    for expected in [
        "Tally sheet",
        "Free Azimjan Askarov",
        "President Almazbek Atambaev",
        "(appeal)",
        "Azimjan Askarov",
        "(solidarity)",
        "Посольство Кыргызской Республики",
        "Greeting card",
        "Total:",
        "Date:",
        "Town:",
        "Chapter:",
    ]:
        assert expected in whole
    assert whole.count("Drawing") == 3
    for number, text in enumerate(texts, start=1):
        assert f"page {number} of {len(texts)}" in text


def test_a_long_tally_sheet_breaks_pages_between_recipients():
    recipients = [(f"Recipient {i}", "appeal") for i in range(12)]
    pdf = sheets.tally_sheet_pdf(
        campaign_title="Many", recipients=recipients, channels=["Letter", "Fax"], paper="A4"
    )
    texts = page_texts(pdf)
    assert len(texts) > 1
    for i in range(12):
        holding = [t for t in texts if f"Recipient {i} (appeal)" in t]
        assert len(holding) == 1 and holding[0].count("Total:") >= 2


def test_the_tally_sheet_refuses_an_unknown_paper():
    with pytest.raises(ValueError, match="paper"):
        sheets.tally_sheet_pdf(
            campaign_title="T", recipients=[("N", "appeal")], channels=["Letter"], paper="A5"
        )


def test_long_names_and_channel_labels_stay_in_their_columns():
    name = "Ambassador Extraordinary and Plenipotentiary of the Kyrgyz Republic to Germany"
    pdf = sheets.tally_sheet_pdf(
        campaign_title="T",
        recipients=[(name, "copy")],
        channels=["Carte de vœux illustrée", "Letter"],
    )
    page = pdfium.PdfDocument(pdf)[0]
    text_page = page.get_textpage()
    width, _ = page.get_size()
    mm = 72 / 25.4
    whole = text_page.get_text_range()
    assert name in whole and "(copy)" in whole
    label = whole.index("Carte de vœux illustrée")
    for i in range(label, label + len("Carte de vœux illustrée")):
        assert text_page.get_charbox(i)[2] <= 15 * mm + 30 * mm  # left of the boxes
    role = whole.index("(copy)")
    assert text_page.get_charbox(role + len("(copy)") - 1)[2] <= width - 15 * mm


@pytest.mark.parametrize(
    ("recipients", "channels", "message"),
    [([], ["Letter"], "recipient"), ([("N", "appeal")], [], "channel")],
)
def test_a_tally_sheet_needs_recipients_and_channels(recipients, channels, message):
    with pytest.raises(ValueError, match=message):
        sheets.tally_sheet_pdf(campaign_title="T", recipients=recipients, channels=channels)
