"""Slips: QR codes (qr), address blocks (address), printable PDF sheets of slips and tally
sheets (pdf, sheets), and the slips of stored mailings (build).

Only ``build`` reads the database; the rest is pure given its inputs. One QR drawing
serves every output: :func:`~app.services.slips.qr.qr_matrix` asks ``qrcode`` for the
modules (error correction M, a quiet zone of 4 modules), and the HTML slip's SVG
(:func:`~app.services.slips.qr.qr_svg`) and the PDF sheet
(:func:`~app.services.slips.sheets.slips_pdf`) both paint the same dark rectangles of it
(``dark_rects``), as vectors, so they print crisply at any size.
"""
