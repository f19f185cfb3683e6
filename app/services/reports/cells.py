"""Spreadsheet cells: the one guard against text read as a formula, and the workbook setup."""

import xlsxwriter

# --- safe cells ------------------------------------------------------------------------

# A spreadsheet may run a cell that starts with one of these as a formula or command.
DANGEROUS_FIRST = frozenset("=+-@\t\r\0|%{")


def safe_cell(text: str) -> str:
    """Return *text* with a leading ``'`` if, after leading spaces, it starts like a formula."""
    if text and (
        text[0] in DANGEROUS_FIRST or (text[0] == " " and text.lstrip(" ")[:1] in DANGEROUS_FIRST)
    ):
        return "'" + text
    return text


BOM = "\ufeff"


class SafeCells:
    """:func:`safe_cell` with a bounded memory of the values already seen (towns and
    names repeat on nearly every row). ``None`` stays ``None`` (an empty CSV cell).
    """

    LIMIT = 50_000

    def __init__(self):
        self.seen: dict[str, str] = {}

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        done = self.seen.get(text)
        if done is None:
            done = safe_cell(text)
            if len(self.seen) < self.LIMIT:
                self.seen[text] = done
        return done


XLSX_MAX_ROWS = 1_048_576  # a worksheet's limit, header included


def new_workbook(target) -> xlsxwriter.Workbook:
    # constant_memory writes each row out as soon as the next begins. The string
    # conversions are off so that text stays text, whatever it looks like.
    return xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
