"""QR codes of slips: the URL a slip encodes, and one drawing of it for SVG, PNG and PDF."""

import io
from html import escape

import qrcode
from qrcode.constants import ERROR_CORRECT_M

# R10: error correction M restores up to ~15 % of a smudged or folded code; a quiet
# zone of 4 modules is what the QR standard requires for reliable scanning.
QR_ERROR_CORRECTION = ERROR_CORRECT_M
QR_BORDER = 4


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


def dark_rects(matrix: list[list[bool]]) -> list[tuple[int, int, int, int]]:
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
    path = "".join(f"M{x} {y}h{w}v{h}h-{w}z" for x, y, w, h in dark_rects(matrix))
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
