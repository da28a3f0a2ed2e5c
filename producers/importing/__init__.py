"""Import of the province's official OCOP list (a spreadsheet the department publishes every year).

Real lists are messy: title rows above the header, headers spelt many ways (sometimes on two rows,
"Quyết định công nhận" over "Số" and "Ngày"), merged cells (one producer over several products),
section rows per old district, a numbering row "(1) (2) ...", blank rows, a total row and signatures
at the end. The file is read by common.tabular; this package finds the header (`headers`), reads
each row's values (`values`, `rows`) and imports row by row (`store`, `ocop_list`):

- a producer is matched by tax code, else by name (whatever its case, diacritics or spacing) and
  commune; a producer that is not there yet is created **verified**: it is on the province's
  official list, so the department has already checked it. An existing producer keeps its status
  (someone who registered under the same name in the portal is not verified by a name match);
- a product is matched by producer and name and created, updated or left unchanged, so importing
  the same file twice changes nothing;
- a bad row is reported with its spreadsheet row number and a reason, and nothing of it is
  written; a tax code or phone number that is not valid is left out of the row with a warning
  saying why (the product is on the official list all the same); a dry run rolls everything back.

Speed (docs/benchmarks.md, `manage.py bench import`): the producers and products the file names
are loaded once into dictionaries; rows are matched and validated in memory and written 500 at a
time with bulk_create in one savepoint; a batch the database refuses is written again row by row,
each row in its own savepoint. The audit log gets one entry for the file instead of one per
producer and product.
"""
from common.tabular import ImportFileError, ImportReport, RowResult

from .headers import find_header, header_field
from .ocop_list import import_ocop_list
from .values import district_text, parse_date, parse_kind, parse_stars

__all__ = [
    "ImportFileError", "ImportReport", "RowResult", "district_text", "find_header", "header_field",
    "import_ocop_list", "parse_date", "parse_kind", "parse_stars",
]
