"""Reports: mailings out as CSV, XLSX, JSON and OSDI outreaches (rows, formats),
summaries (summary), and CSV import (imports).

Exports read the mailings in id order a chunk at a time (keyset paging, one short
read per chunk), so memory stays flat however many rows there are, and a web
response can start sending at once. Every text cell that a spreadsheet could take
for a formula is written with a leading ``'`` (:func:`~app.services.reports.cells.safe_cell`,
OWASP's advice on CSV injection); XLSX text goes through ``write_string``, so no cell
is ever a formula.

Imports go through :func:`app.services.mailings.log.log_batches`: all rows or none.
"""
