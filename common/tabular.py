"""Reading an uploaded spreadsheet (.xlsx or .csv) and reporting on it row by row: the part every
import shares (the province's OCOP list, a seller centre's order export).

`read_upload` takes the file object within IMPORT_MAX_BYTES; `read_sheets` turns .xlsx (merged cells
filled in, which openpyxl's read-only mode drops) or .csv (UTF-8, UTF-16 or Windows-1258, the
delimiter guessed) into rows of cleaned values with their spreadsheet row numbers, within
IMPORT_MAX_ROWS. `ImportReport` holds one `RowResult` per row: created, updated, unchanged or
rejected with Vietnamese reasons, so a rejected row is told by its number in the file.
`ImportFileError` means the file as a whole cannot be used: nothing was read, nothing written.
"""
import codecs
import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.exceptions import DomainError

HEADER_SCAN_ROWS = 30  # rows read above the header: titles, notes, two-row headers
MAX_COLUMNS = 60
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024


def max_rows():
    return getattr(settings, "IMPORT_MAX_ROWS", 5000)


def max_bytes():
    return getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)


class ImportFileError(DomainError):
    """The file as a whole cannot be imported (format, size, no header): nothing was read."""

    code = "import_file"


class RowRejected(Exception):
    """One row cannot be imported, for these reasons (Vietnamese); the others go on."""

    def __init__(self, reasons):
        super().__init__("; ".join(str(r) for r in reasons))
        self.reasons = [str(r) for r in reasons]


# --- Reports ---------------------------------------------------------------------------------

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"
STATUS_LABELS = {
    CREATED: gettext_lazy("Tạo mới"),
    UPDATED: gettext_lazy("Cập nhật"),
    UNCHANGED: gettext_lazy("Không đổi"),
    REJECTED: gettext_lazy("Bị từ chối"),
}


@dataclass
class RowResult:
    row: int
    status: str
    sheet: str = ""
    product: str = ""
    producer: str = ""
    reasons: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    changed_fields: list = field(default_factory=list)
    producer_created: bool = False
    product_id: int | None = None

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]


@dataclass
class ImportReport:
    filename: str
    dry_run: bool
    sheets: list = field(default_factory=list)
    columns: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)

    def _with(self, status):
        return [r for r in self.rows if r.status == status]

    @property
    def created(self):
        return len(self._with(CREATED))

    @property
    def updated(self):
        return len(self._with(UPDATED))

    @property
    def unchanged(self):
        return len(self._with(UNCHANGED))

    @property
    def rejected(self):
        return len(self._with(REJECTED))

    @property
    def rejected_rows(self):
        return self._with(REJECTED)

    @property
    def producers_created(self):
        return sum(1 for r in self.rows if r.producer_created)

    @property
    def has_rejections(self):
        return self.rejected > 0

    def row(self, number):
        return next(r for r in self.rows if r.row == number)


# --- Reading the file ------------------------------------------------------------------------

@dataclass
class Sheet:
    name: str
    rows: list  # [(spreadsheet row number, [cell values])]


def clean_cell(value):
    if isinstance(value, str):
        if not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
        # str.split() splits on what r"\s" matches, the no-break space included.
        return " ".join(value.split()) or None
    return value


def read_sheets(data, filename):
    """The sheets of a .xlsx or .csv file as rows of cleaned values, merged cells filled in."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data.startswith(b"PK\x03\x04") and extension in ("xlsx", "xlsm", ""):
        return _read_xlsx(data)
    if extension in ("xlsx", "xlsm"):
        raise ImportFileError(_("Tệp .xlsx bị hỏng hoặc không phải bảng tính Excel."))
    if extension == "xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _(
                "Định dạng .xls (Excel 97-2003) chưa được hỗ trợ: hãy mở tệp và lưu lại dưới dạng "
                ".xlsx hoặc .csv."
            )
        )
    if extension in ("csv", "txt", ""):
        return [_read_csv(data)]
    raise ImportFileError(_("Chỉ nhận tệp .xlsx hoặc .csv."))


def _read_xlsx(data):
    import openpyxl
    from openpyxl.utils import range_boundaries

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
            raise ImportFileError(_("Tệp bảng tính quá lớn sau khi giải nén."))
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a corrupt file
        raise ImportFileError(_("Không đọc được tệp .xlsx: tệp bị hỏng hoặc không phải bảng tính.")) from exc
    limit = HEADER_SCAN_ROWS + max_rows()
    sheets = []
    try:
        for worksheet in workbook.worksheets:
            rows = {}
            # Rows as long as their last cell, not padded to the sheet's declared width: the
            # <dimension> element is often wrong in generated files, and padding costs time.
            worksheet.reset_dimensions()
            for number, values in enumerate(worksheet.iter_rows(values_only=True), 1):
                if number > limit:
                    if any(v is not None for v in values):
                        raise ImportFileError(
                            _("Tệp có quá nhiều dòng: tối đa %(n)s dòng dữ liệu.") % {"n": max_rows()}
                        )
                    continue
                rows[number] = [clean_cell(v) if isinstance(v, str) else v for v in values[:MAX_COLUMNS]]
            for ref in _merged_ranges(archive, getattr(worksheet, "_worksheet_path", None)):
                min_col, min_row, max_col, max_row = range_boundaries(ref)
                top_row = rows.get(min_row)
                if top_row is None or min_col > len(top_row):
                    continue
                value = top_row[min_col - 1]
                for r in range(min_row, min(max_row, limit) + 1):
                    row = rows.setdefault(r, [])
                    for c in range(min_col, min(max_col, MAX_COLUMNS) + 1):
                        while len(row) < c:
                            row.append(None)
                        row[c - 1] = value
            sheets.append(Sheet(worksheet.title, sorted(rows.items())))
    finally:
        workbook.close()
    return sheets


MERGE_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref\s*=\s*[\"']([^\"']+)[\"']")


def _merged_ranges(archive, path):
    """openpyxl's read-only mode drops merged cells; read them from the sheet's XML. <mergeCells>
    comes after <sheetData> (the schema's order), so only the end of the part is searched."""
    if not path:
        return []
    try:
        xml = archive.read(path.lstrip("/"))
    except KeyError:
        return []
    end_of_data = xml.rfind(b"sheetData")
    refs = [ref.decode("ascii", "replace") for ref in MERGE_CELL.findall(xml, max(end_of_data, 0))]
    return [ref for ref in refs if ":" in ref]


def _decode(data):
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1258: what Excel on a Vietnamese Windows writes as "CSV"; it composes tones
        # with combining marks, so NFC afterwards.
        return unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("Không nhận ra bảng mã của tệp CSV: hãy lưu lại với bảng mã UTF-8.")) from exc


def _delimiter(text):
    """The delimiter that gives most rows the same number of fields (addresses contain commas)."""
    sample = text[:20000].splitlines()[:50]
    best, best_score = ",", -1
    for candidate in (",", ";", "\t"):
        counts = {}
        for fields in csv.reader(sample, delimiter=candidate):
            if len(fields) > 1:
                counts[len(fields)] = counts.get(len(fields), 0) + 1
        score = max(counts.values()) if counts else 0
        if score > best_score:
            best, best_score = candidate, score
    return best


def _read_csv(data):
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    limit = HEADER_SCAN_ROWS + max_rows()
    rows = []
    try:
        for number, values in enumerate(reader, 1):
            if number > limit:
                if any(v.strip() for v in values):
                    raise ImportFileError(
                        _("Tệp có quá nhiều dòng: tối đa %(n)s dòng dữ liệu.") % {"n": max_rows()}
                    )
                continue
            rows.append((number, [clean_cell(v) for v in values[:MAX_COLUMNS]]))
    except csv.Error as exc:
        raise ImportFileError(_("Tệp CSV không hợp lệ: %(error)s") % {"error": exc}) from exc
    return Sheet("CSV", rows)


def read_upload(file):
    """The bytes of an uploaded file object, refused when larger than IMPORT_MAX_BYTES or empty."""
    too_big = _("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": max_bytes() // (1024 * 1024)}
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes():
        raise ImportFileError(too_big)
    data = file.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise ImportFileError(too_big)
    if not data:
        raise ImportFileError(_("Tệp rỗng."))
    return data
