"""Cells we write from people's data are text or numbers, never formulas (CSV/formula injection).

xlsx: openpyxl turns a str starting with "=" into a formula (and "#N/A" and the like into error
cells) when it is assigned; `append_row` and `set_cell` force every str back to a text cell and set
Excel's quote prefix on one that starts like a formula, so editing the cell later does not turn it
into one either. Characters a worksheet cannot hold (control characters) are dropped instead of
failing the whole file.

CSV: a spreadsheet program evaluates a field starting with `=`, `+`, `-`, `@`, a tab or a carriage
return; `csv_value` prefixes such text with an apostrophe (OWASP's "CSV injection" advice). Numbers
given as numbers stay numbers.
"""
from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBERS = (int, float, Decimal)


def _text(value):
    if value is None or isinstance(value, (bool, *_NUMBERS)) or hasattr(value, "isoformat"):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def set_cell(cell, value):
    """Put `value` into an openpyxl cell: a str is always a text cell, never a formula."""
    value = _text(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    return cell


def append_row(sheet, values):
    """`sheet.append(values)` with every str as text; returns the row's cells."""
    cells = [set_cell(Cell(sheet), value) for value in values]
    sheet.append(cells)
    return cells


def csv_value(value):
    """One CSV field: text that a spreadsheet would evaluate gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, _NUMBERS):
        text = str(value)
        return "'" + text if text.startswith(FORMULA_STARTS) else text
    return value


def csv_row(values):
    return [csv_value(value) for value in values]
