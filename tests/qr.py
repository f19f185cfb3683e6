"""Read what Lettertrail prints with real decoders: zxing-cpp for QR codes, pdfium for PDFs."""

import io

import pypdfium2 as pdfium
import zxingcpp
from fpdf import FPDF
from PIL import Image


def render(pdf: bytes, *, dpi: int = 150) -> list[Image.Image]:
    """Render every page of a PDF to an image."""
    document = pdfium.PdfDocument(pdf)
    return [page.render(scale=dpi / 72).to_pil() for page in document]


def page_texts(pdf: bytes) -> list[str]:
    """Extract the text of every page of a PDF."""
    document = pdfium.PdfDocument(pdf)
    return [page.get_textpage().get_text_range() for page in document]


def decode(image: Image.Image) -> list[zxingcpp.Barcode]:
    """Find every QR code in *image*; each must be valid."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert all(code.valid for code in found)
    return found


def svg_through_fpdf2(svg: str) -> Image.Image:
    """Draw the SVG with an independent SVG renderer (fpdf2's) and rasterize it."""
    pdf = FPDF(unit="mm", format=(60, 60))
    pdf.add_page()
    pdf.image(io.BytesIO(svg.encode()), x=10, y=10, w=40)
    (image,) = render(bytes(pdf.output()), dpi=200)
    return image
