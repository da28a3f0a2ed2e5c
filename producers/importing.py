"""Import of the province's official OCOP list (a spreadsheet the department publishes every year).

Real lists are messy: title rows above the header, headers spelt many ways (sometimes on two rows,
"Quyết định công nhận" over "Số" and "Ngày"), merged cells (one producer over several products),
section rows per old district, a numbering row "(1) (2) ...", blank rows, a total row and signatures
at the end. This module reads such a file, finds the header, and imports row by row:

- a producer is matched by tax code, else by name (whatever its case, diacritics or spacing) and
  commune; a producer that is not there yet is created **verified**: it is on the province's
  official list, so the department has already checked it. An existing producer keeps its status
  (someone who registered under the same name in the portal is not verified by a name match);
- a product is matched by producer and name and created, updated or left unchanged, so importing
  the same file twice changes nothing;
- a bad row is reported with its spreadsheet row number and a reason, and nothing of it is
  written; a dry run rolls everything back.

Speed (a 10,000-row list in 2.7 times what openpyxl takes to read it on SQLite, 3.4 times on
PostgreSQL; docs/benchmarks.md):
the producers and products the file names are loaded once into dictionaries; rows are matched
and validated in memory and written 500 at a time with multi-row INSERTs in one savepoint; a
batch the database refuses is written again row by row, each row in its own savepoint. The
audit log gets one entry for the file instead of one per producer and product.
"""
import codecs
import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from auditlog.context import disable_auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.exceptions import DomainError, PermissionDenied
from common.memory import cyclic_gc_paused

from .models import OcopProduct, Producer, ProductGroup, Province
from .selectors import is_officer
from .text import name_key
from .units import find_commune
from .validators import normalize_phone, validate_tax_code

HEADER_SCAN_ROWS = 30
MAX_COLUMNS = 60
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024


def max_rows():
    return getattr(settings, "IMPORT_MAX_ROWS", 5000)


def max_bytes():
    return getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def batch_size():
    return getattr(settings, "IMPORT_BATCH_SIZE", 500)


class ImportFileError(DomainError):
    """The file as a whole cannot be imported (format, size, no header): nothing was read."""

    code = "import_file"


class RowRejected(Exception):
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


def _clean_cell(value):
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
                rows[number] = [_clean_cell(v) if isinstance(v, str) else v for v in values[:MAX_COLUMNS]]
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
            rows.append((number, [_clean_cell(v) for v in values[:MAX_COLUMNS]]))
    except csv.Error as exc:
        raise ImportFileError(_("Tệp CSV không hợp lệ: %(error)s") % {"error": exc}) from exc
    return Sheet("CSV", rows)


# --- Headers ---------------------------------------------------------------------------------

# Field -> header spellings, as name keys. A header matches a spelling exactly or starts with it.
HEADER_ALIASES = {
    "stt": ["stt", "tt", "so tt", "so thu tu"],
    "name": ["ten san pham", "ten sp", "san pham", "ten san pham ocop", "ten san pham dich vu"],
    "producer": [
        "chu the", "ten chu the", "chu the san xuat", "chu the ocop", "ten don vi", "don vi",
        "co so san xuat", "ten co so", "ten to chuc ca nhan", "to chuc ca nhan",
    ],
    "kind": ["loai hinh", "loai hinh chu the", "loai hinh to chuc", "hinh thuc to chuc"],
    "address": ["dia chi", "dia chi chu the", "dia chi san xuat"],
    "commune": ["xa", "xa phuong", "phuong xa", "xa phuong thi tran", "xa phuong dac khu", "xa moi"],
    "district": ["huyen", "huyen cu", "huyen thi xa thanh pho", "huyen tx tp", "huyen tp tx", "huyen thi"],
    "group": ["nhom san pham", "nhom", "nganh", "nganh hang", "nhom nganh", "bo san pham"],
    "subgroup": ["phan nhom", "phan nhom san pham"],
    "stars": [
        "hang sao", "so sao", "phan hang", "xep hang", "ket qua phan hang", "hang", "sao",
        "ket qua danh gia", "dat hang",
    ],
    "certificate_number": [
        "so quyet dinh", "so qd", "quyet dinh so", "so quyet dinh cong nhan", "quyet dinh cong nhan so",
        "quyet dinh", "quyet dinh cong nhan", "qd cong nhan",
    ],
    "certificate_date": [
        "ngay quyet dinh", "ngay qd", "ngay cap", "ngay cong nhan", "ngay ban hanh", "ngay ky",
        "quyet dinh cong nhan ngay", "quyet dinh ngay",
    ],
    "certificate_expiry": ["ngay het han", "hieu luc den", "het han", "thoi han"],
    "tax_code": ["ma so thue", "mst", "ma so doanh nghiep", "ma so dn"],
    "phone": ["dien thoai", "so dien thoai", "sdt", "dt", "dien thoai lien he"],
    "representative": ["nguoi dai dien", "dai dien", "nguoi dai dien phap luat", "chu ho", "giam doc"],
    "unit": ["quy cach", "quy cach dong goi", "don vi tinh", "dvt"],
}
HEADER_SPELLINGS = sorted(
    ((alias, field_name) for field_name, aliases in HEADER_ALIASES.items() for alias in aliases),
    key=lambda pair: -len(pair[0]),
)
REQUIRED_FIELDS = {
    "name": "Tên sản phẩm",
    "producer": "Chủ thể",
    "group": "Nhóm sản phẩm",
    "stars": "Hạng sao",
}


def header_field(label):
    """The field a header cell names, or None: 'Tên  SẢN PHẨM' and 'Ten san pham OCOP' -> 'name'."""
    key = name_key(label) if isinstance(label, str) else ""
    if not key:
        return None
    for alias, field_name in HEADER_SPELLINGS:
        if key == alias or key.startswith(alias + " "):
            return field_name
    return None


def _assign(columns_labels):
    """{column: [candidate labels, best first]} -> {field: column}; the first column to claim wins."""
    mapping = {}
    for column in sorted(columns_labels):
        for label in columns_labels[column]:
            field_name = header_field(label)
            if field_name and field_name not in mapping:
                mapping[field_name] = column
                break
    return mapping


def find_header(rows):
    """(index of the first data row, {field: column index}, {field: header text}) or an error.

    The header is the first row naming the product and at least two other known columns. When the
    next row holds sub-headers (merged "Quyết định công nhận" over "Số" and "Ngày"), both are read.
    """
    for index, (_number, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping = _assign({c: [v] for c, v in enumerate(values) if v is not None})
        if "name" not in mapping or len(mapping) < 3:
            continue
        start = index + 1
        labels = {c: [v] for c, v in enumerate(values) if v is not None}
        if start < len(rows):
            below = rows[start][1]
            name_col = mapping["name"]
            name_below = below[name_col] if name_col < len(below) else None
            differs = [
                c for c, v in enumerate(below)
                if isinstance(v, str) and not _is_numbering_cell(v) and (c >= len(values) or v != values[c])
            ]
            if differs and (name_below is None or name_below == values[name_col]):
                combined = dict(labels)
                for c in differs:
                    parent = values[c] if c < len(values) and values[c] is not None else ""
                    child = below[c]
                    combined[c] = [f"{child} {parent}".strip(), f"{parent} {child}".strip(), child]
                    if parent:
                        combined[c].append(parent)
                # Sub-headers name more columns; a first data row without a product name does not.
                if len(_assign(combined)) > len(mapping):
                    labels = combined
                    start += 1
        mapping = _assign(labels)
        missing = [label for key, label in REQUIRED_FIELDS.items() if key not in mapping]
        if missing:
            raise ImportFileError(
                _("Không tìm thấy cột: %(columns)s.") % {"columns": ", ".join(missing)}
            )
        found = {f: labels[c][0] for f, c in mapping.items()}
        return start, mapping, found
    raise ImportFileError(
        _(
            "Không tìm thấy dòng tiêu đề trong %(n)s dòng đầu: cần các cột như “Tên sản phẩm”, "
            "“Chủ thể”, “Nhóm sản phẩm”, “Hạng sao”."
        )
        % {"n": HEADER_SCAN_ROWS}
    )


# --- Values ----------------------------------------------------------------------------------

def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


STAR_WORDS = {"ba": 3, "bon": 4, "tu": 4, "nam": 5}


def parse_stars(value):
    """4, 4.0, '4', '4 sao', '4★', '4*', '★★★★', 'Bốn sao', 'Hạng 4 sao' -> 4 (range checked by caller)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return int(value)
        raise ValueError
    text = str(value).strip()
    symbols = text.replace(" ", "")
    if symbols and set(symbols) <= set("★☆*⭐"):
        return len(symbols)
    match = re.search(r"(\d+)(?:[.,](\d+))?", text)
    if match:
        if match.group(2) and int(match.group(2)) != 0:
            raise ValueError  # 4.5 stars does not exist
        return int(match.group(1))
    words = re.search(r"\b(ba|bon|tu|nam) sao\b", name_key(text))
    if words:
        return STAR_WORDS[words.group(1)]
    raise ValueError


EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value):
    """dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yy, yyyy-mm-dd, 'ngày 5 tháng 3 năm 2024', spreadsheet
    dates and Excel serial numbers -> date. Raises ValueError for anything else (31/02/2024 too)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        return _serial(value)
    text = str(value).strip()
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return _serial(float(text))
    match = re.fullmatch(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})", text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return date(year + 2000 if year < 100 else year, month, day)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day)
    match = re.search(r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})", name_key(text))
    if match:
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    raise ValueError


def _serial(number):
    if not 20000 <= number <= 80000:  # 1954 .. 2119: anything else is not a decision date
        raise ValueError
    return EXCEL_EPOCH + timedelta(days=int(number))


DATE_IN_TEXT = re.compile(r"(?:ngày|ngay|ngáy)\s*(\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4})", re.I)


def split_decision(text):
    """'1502/QĐ-UBND ngày 15/6/2023' -> ('1502/QĐ-UBND', '15/6/2023'); the date may be absent."""
    match = DATE_IN_TEXT.search(text)
    if not match:
        return text.strip(" ,;"), None
    return text[: match.start()].strip(" ,;"), match.group(1)


KIND_PREFIXES = [
    (Producer.Kind.COOPERATIVE, ["htx", "hop tac xa"]),
    (Producer.Kind.COOPERATIVE_GROUP, ["tht", "to hop tac", "to hop tac xa"]),
    (Producer.Kind.ENTERPRISE, [
        "dn", "dntn", "doanh nghiep", "cong ty", "cty", "ct tnhh", "tnhh", "cong ty co phan", "ctcp",
    ]),
    (Producer.Kind.HOUSEHOLD, [
        "hkd", "ho kinh doanh", "ho gia dinh", "ho san xuat", "ho sx", "ho", "co so", "ca nhan",
    ]),
]


def parse_kind(value, producer_name=""):
    """'HTX', 'Hợp tác xã', 'Công ty TNHH ...', 'Tổ hợp tác', 'Hộ kinh doanh'; else from the name."""
    for text in (value, producer_name):
        key = name_key(text) if text else ""
        if not key:
            continue
        for kind, prefixes in KIND_PREFIXES:
            if any(key == p or key.startswith(p + " ") for p in prefixes):
                return kind
    return None


GROUP_ALIASES = {
    # Decision 919 names, abbreviated or partial.
    "thuc pham": "thuc-pham",
    "do uong": "do-uong",
    "duoc lieu": "duoc-lieu",
    "duoc lieu va san pham tu duoc lieu": "duoc-lieu",
    "thu cong my nghe": "thu-cong-my-nghe",
    "tcmn": "thu-cong-my-nghe",
    "thu cong my nghe trang tri": "thu-cong-my-nghe",
    "sinh vat canh": "sinh-vat-canh",
    "svc": "sinh-vat-canh",
    "du lich": "du-lich",
    "dich vu du lich": "du-lich",
    "dich vu du lich cong dong": "du-lich",
    "du lich cong dong": "du-lich",
    # Decision 490 (2018-2020) names that older certificates still carry.
    "thao duoc": "duoc-lieu",
    "vai va may mac": "vai-may-mac",
    "vai may mac": "vai-may-mac",
    "luu niem noi that trang tri": "luu-niem-noi-that",
    "luu niem": "luu-niem-noi-that",
    "dich vu du lich nong thon": "du-lich",
    "dich vu du lich nong thon ban hang": "du-lich",
}
# Sub-groups some lists write in the group column: the group follows, the sub-group is kept.
SUBGROUP_HINTS = {
    "che": ("do-uong", "Chè"),
    "tra": ("do-uong", "Chè"),
    "ruou": ("do-uong", "Đồ uống có cồn"),
    "do uong co con": ("do-uong", "Đồ uống có cồn"),
    "do uong khong con": ("do-uong", "Đồ uống không cồn"),
    "ca phe": ("do-uong", "Cà phê"),
    "mat ong": ("thuc-pham", "Mật ong, sản phẩm từ mật ong"),
    "gao": ("thuc-pham", "Gạo, ngũ cốc"),
    "nong san": ("thuc-pham", "Nông sản"),
    "thuc pham tuoi song": ("thuc-pham", "Thực phẩm tươi sống"),
    "thuc pham che bien": ("thuc-pham", "Thực phẩm chế biến"),
    "gia vi": ("thuc-pham", "Gia vị"),
    "rau cu qua": ("thuc-pham", "Rau, củ, quả, hạt"),
    "tinh dau": ("duoc-lieu", "Tinh dầu"),
    "my pham": ("duoc-lieu", "Mỹ phẩm từ dược liệu"),
    "thuc pham chuc nang": ("duoc-lieu", "Thực phẩm chức năng"),
    "tho cam": ("thu-cong-my-nghe", "Dệt may, thổ cẩm"),
}


class GroupResolver:
    """Group names, abbreviations and old names -> ProductGroup, loaded once per import."""

    def __init__(self):
        self.groups = {g.code: g for g in ProductGroup.objects.all()}
        self._resolved = {}
        self.aliases = dict(GROUP_ALIASES)
        for group in self.groups.values():
            self.aliases.setdefault(name_key(group.name), group.code)
            self.aliases.setdefault(name_key(re.sub(r"\(.*\)", "", group.name)), group.code)

    def resolve(self, value):
        """(group, subgroup label or '') or raise ValueError."""
        if value not in self._resolved:  # a list names a handful of groups over thousands of rows
            try:
                self._resolved[value] = self._resolve(value)
            except ValueError:
                self._resolved[value] = None
        if self._resolved[value] is None:
            raise ValueError
        return self._resolved[value]

    def _resolve(self, value):
        key = name_key(_text(value))
        key = re.sub(r"^(\d+|[ivx]+)\s+", "", key)
        key = re.sub(r"^(nhom san pham|nhom|nganh)\s+", "", key)
        if not key:
            raise ValueError
        for table in (self.aliases, SUBGROUP_HINTS):
            found = table.get(key)
            if found is None:
                prefix = max((a for a in table if key.startswith(a + " ")), key=len, default=None)
                found = table.get(prefix) if prefix else None
            if found is not None:
                code, subgroup = (found, "") if isinstance(found, str) else found
                if code in self.groups:
                    return self.groups[code], subgroup
        raise ValueError


DISTRICT_PREFIXES = [
    (r"(?:huyện|huyen)\s+|h\.\s*", "huyện"),
    (r"(?:thị xã|thi xa)\s+|tx\.?\s*", "thị xã"),
    (r"(?:thành phố|thanh pho)\s+|tp\.?\s*", "thành phố"),
]


def district_text(value):
    """'Văn Yên', 'Huyện Văn Yên', 'H. Văn Yên' -> 'huyện Văn Yên'; 'TX Sa Pa' -> 'thị xã Sa Pa'."""
    text = _text(value)
    text = re.sub(r"\s*\((?:cũ|cu)\)\s*$", "", text, flags=re.I).strip(" ,.")
    if not text:
        return ""
    for pattern, prefix in DISTRICT_PREFIXES:
        match = re.match(rf"^(?:{pattern})(.+)$", text, flags=re.I)
        if match:
            return f"{prefix} {_title_if_shouting(match.group(1).strip())}"
    return f"huyện {_title_if_shouting(text)}"


def _title_if_shouting(text):
    return text.title() if text.isupper() else text


COMMUNE_PART = re.compile(r"^(?:xã|xa|phường|phuong|thị trấn|thi tran|đặc khu|dac khu|x\.|p\.|tt\.)\s*", re.I)
DISTRICT_PART = re.compile(r"^(?:huyện|huyen|thị xã|thi xa|thành phố|thanh pho|h\.|tx\.?|tp\.?)\s+", re.I)


def address_parts(address):
    """'Thôn Pang Cáng, xã Suối Giàng, huyện Văn Chấn' -> ('xã Suối Giàng', 'huyện Văn Chấn')."""
    commune = district = ""
    for part in re.split(r"[,;–]| - ", _text(address)):
        part = part.strip()
        if not commune and COMMUNE_PART.match(part):
            commune = part
        elif not district and DISTRICT_PART.match(part):
            district = part
    return commune, district


def _commune_query(text):
    return re.sub(r"^(x|p|tt)\.\s*", "", text, flags=re.I)


# --- Importing -------------------------------------------------------------------------------

class _Context:
    def __init__(self, user):
        self.user = user
        self.user_id = user.pk if user is not None else None
        self.province_code = settings.OCOP_PROVINCE_CODE
        province = Province.objects.filter(code=self.province_code).first()
        name = province.name if province else str(self.province_code)
        self.province_name = name if name.lower().startswith("thành phố") else f"tỉnh {name}"
        self.groups = GroupResolver()
        self.communes = {}
        self.today = timezone.localdate()
        self.now = timezone.now()
        self._memo = {}

    def memo(self, function, *args):
        """function(*args), computed once per import: producers, kinds and districts repeat."""
        key = (function, *args)
        if key not in self._memo:
            self._memo[key] = function(*args)
        return self._memo[key]

    def commune(self, text):
        if text not in self.communes:
            found = find_commune(_commune_query(text), self.province_code)
            if found is None and "," in text:
                for part in text.split(","):
                    found = find_commune(_commune_query(part.strip()), self.province_code)
                    if found:
                        break
            self.communes[text] = found
        return self.communes[text]


def _cells(values, columns):
    return {f: (values[c] if c < len(values) else None) for f, c in columns.items()}


NUMBERING_CELL = re.compile(r"\(?\d{1,2}\)?")


def _is_numbering_cell(value):
    return bool(NUMBERING_CELL.fullmatch(_text(value)))


def _row_kind(values, cells):
    """'blank', 'numbering', 'total', 'section' or 'data'."""
    filled = [v for v in values if v is not None and (not isinstance(v, str) or v.strip())]
    if not filled:
        return "blank"
    if len(filled) >= 3 and all(_is_numbering_cell(v) for v in filled):
        return "numbering"
    first = name_key(_text(filled[0])) if isinstance(filled[0], str) else ""
    if re.match(r"(tong|tong cong|tong so|cong)( \d|$)|tong cong|tong so", first):
        return "total"
    distinct = set()
    for value in filled:
        distinct.add(_text(value))
        if len(distinct) > 2:
            break
    if len(distinct) <= 2:
        numbered = {v for v in distinct if re.fullmatch(r"[IVXLC]+|\d+|[IVXLC\d]+[.)]", v)}
        if len(distinct) == 1 or len(numbered) == 1:
            return "section"  # a title merged across the row: "I. HUYỆN VĂN CHẤN", "Nhóm: Thực phẩm"
    if not any(cells.get(f) not in (None, "") for f in
               ("producer", "stars", "group", "certificate_number", "commune", "kind")):
        return "section"
    return "data"


def import_ocop_list(*, file, filename, dry_run=False, user=None):
    """Import the province's OCOP list from a .xlsx or .csv file object; returns an ImportReport.

    Raises ImportFileError (nothing read, nothing written) when the file as a whole is unusable.
    """
    with cyclic_gc_paused():
        return _import_ocop_list(file=file, filename=filename, dry_run=dry_run, user=user)


def _import_ocop_list(*, file, filename, dry_run, user):
    if user is not None and not is_officer(user):
        raise PermissionDenied(_("Chỉ cán bộ Sở Công Thương mới được nhập danh sách OCOP."))
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes():
        raise ImportFileError(_("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": max_bytes() // (1024 * 1024)})
    data = file.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise ImportFileError(_("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": max_bytes() // (1024 * 1024)})
    if not data:
        raise ImportFileError(_("Tệp rỗng."))
    sheets = read_sheets(data, filename)

    report = ImportReport(filename=filename, dry_run=dry_run)
    parsed = []
    first_error = None
    for sheet in sheets:
        try:
            start, columns, found = find_header(sheet.rows)
        except ImportFileError as exc:
            first_error = first_error or exc
            continue
        parsed.append((sheet, start, columns))
        report.sheets.append(sheet.name)
        report.columns = report.columns or found
    if not parsed:
        raise first_error

    context = _Context(user)
    label_sheets = len(parsed) > 1
    readable = []  # (RowResult, values) of the rows whose cells make sense, in file order
    for sheet, start, columns in parsed:
        section_district = ""
        for number, values in sheet.rows[start:]:
            cells = _cells(values, columns)
            kind = _row_kind(values, cells)
            if kind == "total":
                break
            if kind == "section":
                text = " ".join(_text(v) for v in dict.fromkeys(values) if v is not None)
                _c, district = address_parts(re.sub(r"^[IVXLC\d]+[.)]?\s+", "", text))
                section_district = district or section_district
                continue
            if kind != "data":
                continue
            result = RowResult(row=number, status=REJECTED, sheet=sheet.name if label_sheets else "")
            report.rows.append(result)
            try:
                readable.append((result, _parse_row(cells, context, section_district, result)))
            except RowRejected as exc:
                result.reasons = exc.reasons

    # The rows' own audit entries would be one per producer and product (most of the time of a
    # large import): one entry for the file says who imported what instead.
    with disable_auditlog(), transaction.atomic():
        store = _Store(context, readable)
        for offset in range(0, len(readable), batch_size()):
            store.write_batch(readable[offset: offset + batch_size()])
        if dry_run:
            transaction.set_rollback(True)
        else:
            _audit_entry(report, store, user)
    return report


def _validation_messages(exc):
    if hasattr(exc, "message_dict"):
        labels = {f.name: str(f.verbose_name) for m in (Producer, OcopProduct) for f in m._meta.fields}
        return [
            f"{labels.get(name, name).capitalize()}: {message}"
            for name, messages in exc.message_dict.items() for message in messages
        ]
    return [str(m) for m in exc.messages]


def _parse_row(cells, context, section_district, result):
    reasons = []
    name = _text(cells.get("name"))
    producer_name = _text(cells.get("producer"))
    result.product, result.producer = name, producer_name
    if not name:
        reasons.append(_("Thiếu tên sản phẩm."))
    if not producer_name:
        reasons.append(_("Thiếu tên chủ thể."))

    stars = None
    raw_stars = cells.get("stars")
    try:
        stars = parse_stars(raw_stars)
    except ValueError:
        reasons.append(_("Không đọc được hạng sao “%(value)s”.") % {"value": _text(raw_stars)})
    else:
        if stars is None:
            reasons.append(_("Thiếu hạng sao."))
        elif stars not in (3, 4, 5):
            reasons.append(
                _("Hạng sao phải là 3, 4 hoặc 5 (ô ghi “%(value)s”).") % {"value": _text(raw_stars)}
            )

    group = subgroup = None
    raw_group = cells.get("group")
    if raw_group in (None, ""):
        reasons.append(_("Thiếu nhóm sản phẩm."))
    else:
        try:
            group, subgroup = context.groups.resolve(raw_group)
        except ValueError:
            reasons.append(_("Không nhận ra nhóm sản phẩm “%(value)s”.") % {"value": _text(raw_group)})
    if _text(cells.get("subgroup")):
        subgroup = _text(cells.get("subgroup"))

    address = _text(cells.get("address"))
    address_commune, address_district = address_parts(address)
    commune_text = _text(cells.get("commune")) or address_commune
    commune = None
    if not commune_text:
        reasons.append(_("Thiếu xã/phường."))
    else:
        commune = context.commune(commune_text)
        if commune is None:
            reasons.append(
                _("Không tìm thấy xã/phường “%(commune)s” trong %(province)s (danh mục từ 01/07/2025).")
                % {"commune": commune_text, "province": context.province_name}
            )
    district_raw = _text(cells.get("district")) or address_district or section_district
    old_district = context.memo(district_text, district_raw) if district_raw else ""

    certificate_number, date_in_number = split_decision(_text(cells.get("certificate_number")))
    raw_date = cells.get("certificate_date")
    if raw_date in (None, ""):
        raw_date = date_in_number
    certificate_date = _date_or_reason(raw_date, _("Ngày quyết định"), reasons)
    if certificate_date and certificate_date > context.today:
        reasons.append(
            _("Ngày quyết định %(date)s ở tương lai.") % {"date": certificate_date.strftime("%d/%m/%Y")}
        )
    certificate_expiry = _date_or_reason(cells.get("certificate_expiry"), _("Ngày hết hạn"), reasons)

    kind = context.memo(parse_kind, _text(cells.get("kind")), producer_name)

    tax_code = re.sub(r"\s", "", _text(cells.get("tax_code")))
    if tax_code:
        try:
            validate_tax_code(tax_code)
        except ValidationError:
            result.warnings.append(_("Bỏ qua mã số thuế không hợp lệ “%(value)s”.") % {"value": tax_code})
            tax_code = ""
    phone = _text(cells.get("phone"))
    if phone:
        try:
            phone = normalize_phone(phone.split("/")[0].split(";")[0])
        except ValidationError:
            result.warnings.append(_("Bỏ qua số điện thoại không hợp lệ “%(value)s”.") % {"value": phone})
            phone = ""

    if reasons:
        raise RowRejected(reasons)
    return {
        "name": name, "producer_name": producer_name, "stars": stars, "group": group,
        "subgroup": subgroup or "", "commune": commune, "old_district": old_district,
        "address": address, "certificate_number": certificate_number,
        "certificate_date": certificate_date, "certificate_expiry": certificate_expiry,
        "kind": kind, "tax_code": tax_code, "phone": phone,
        "representative": _text(cells.get("representative")), "unit": _text(cells.get("unit")),
        "key": name_key(name), "producer_key": context.memo(name_key, producer_name),
    }


def _date_or_reason(raw, label, reasons):
    try:
        return parse_date(raw)
    except (ValueError, OverflowError):
        reasons.append(
            _("%(label)s không hợp lệ: “%(value)s” (cần dạng dd/mm/yyyy).")
            % {"label": label, "value": _text(raw)}
        )
        return None


# --- Writing ---------------------------------------------------------------------------------

# Text a row takes from the file, validated on the model (its length, mostly). The rest is
# checked when the row is read (stars 3 to 5, dates, kind, tax code, phone) or set by this module
# (status, foreign keys to objects just loaded), or by the database.
PRODUCER_FILE_FIELDS = ("name", "representative", "phone", "address", "old_district")
PRODUCT_FILE_FIELDS = ("name", "subgroup", "certificate_number", "unit")


_NOT_FROM_FILE = {}


def _clean(obj, checked):
    """clean_fields() on what came from the file: the unique constraints are known from the store
    (and still enforced by the database), and foreign keys point at rows just loaded."""
    model = type(obj)
    if model not in _NOT_FROM_FILE:
        _NOT_FROM_FILE[model] = {f.name for f in model._meta.fields if f.name not in checked}
    obj.clean_fields(exclude=_NOT_FROM_FILE[model])


def _chunks(items, size=500):
    items = list(items)
    for offset in range(0, len(items), size):
        yield items[offset: offset + size]


@dataclass
class _Plan:
    """What one row writes, and how to take it back out of the store if it cannot be written."""

    result: RowResult
    producer: Producer
    product: OcopProduct
    new_producer: bool = False
    producer_fields: list | tuple = ()  # blanks of an existing producer filled in
    new_product: bool = False
    product_fields: list | tuple = ()  # fields of an existing product changed
    undo: list | tuple = ()


class _Store:
    """The producers and products the file names, loaded once per import into dictionaries and
    kept current as rows are planned: matching a row costs no query.

    Rows are planned in memory (matched, validated) and written a batch at a time with
    bulk_create in one savepoint. When the database refuses a batch (a row written by someone
    else meanwhile, a constraint the checks here do not know), the batch is taken back out of the
    store and written again row by row, each row in its own savepoint, so that only the bad row
    is rejected, with its reason."""

    def __init__(self, context, readable):
        self.context = context
        self.by_tax = {}  # tax code -> producer
        self.by_name = {}  # (name key, commune id) -> producer
        self.products = {}  # (producer token, product name key) -> product
        self.seen = {}  # (producer token, product name key) -> first row number
        self._tokens = iter(range(-1, -(10**9), -1))  # for producers not written yet
        self.status_note = _("Có trong danh sách OCOP của tỉnh (nhập từ tệp).")
        self.created_producers, self.updated_producers = [], set()
        self._load(readable)

    def _load(self, readable):
        tax_codes = {values["tax_code"] for _r, values in readable if values["tax_code"]}
        names = {values["producer_key"] for _r, values in readable}
        communes = {values["commune"].pk for _r, values in readable}
        found = {}
        for chunk in _chunks(sorted(tax_codes)):
            found.update((p.pk, p) for p in Producer.objects.filter(tax_code__in=chunk))
        for chunk in _chunks(sorted(names)):
            found.update((p.pk, p) for p in Producer.objects.filter(name_key__in=chunk, commune_id__in=communes))
        # The first by name, as `.filter(...).first()` would give it.
        for producer in sorted(found.values(), key=lambda p: (p.name, p.pk)):
            producer.import_token = producer.pk
            if producer.tax_code:
                self.by_tax[producer.tax_code] = producer
            self.by_name.setdefault((producer.name_key, producer.commune_id), producer)
        for chunk in _chunks(sorted(found)):
            for product in OcopProduct.objects.filter(producer_id__in=chunk):
                self.products[(product.producer_id, product.name_key)] = product

    # Planning ------------------------------------------------------------------------------

    def plan(self, result, values):
        """Match and validate one row in memory; raises RowRejected or ValidationError, leaving
        the store as it was."""
        undo = []
        try:
            plan = self._plan(result, values, undo)
        except Exception:
            self._take_back(undo)
            raise
        plan.undo = undo
        return plan

    def _plan(self, result, values, undo):
        producer, new_producer, producer_fields = self._producer(values, result, undo)
        token = producer.import_token
        key = values["key"]
        first_row = self.seen.setdefault((token, key), result.row)
        if first_row == result.row:
            undo.append(lambda: self.seen.pop((token, key), None))
        else:
            result.warnings.append(_("Trùng với dòng %(row)s.") % {"row": first_row})

        wanted = {"group_id": values["group"].pk, "stars": values["stars"]}
        for name in ("subgroup", "certificate_number", "unit"):
            if values[name]:
                wanted[name] = values[name]
        if values["certificate_date"]:
            wanted["certificate_date"] = values["certificate_date"]
            wanted["certificate_expiry"] = values["certificate_expiry"] or OcopProduct.expiry_for(
                values["certificate_date"]
            )
        elif values["certificate_expiry"]:
            wanted["certificate_expiry"] = values["certificate_expiry"]

        plan = _Plan(result=result, producer=producer, product=None, new_producer=new_producer,
                     producer_fields=producer_fields)
        product = self.products.get((token, key))
        if product is None:
            product = OcopProduct(producer=producer, name=values["name"], name_key=key, **wanted)
            if product.certificate_expiry is None:  # as save() does; bulk_create does not call it
                product.certificate_expiry = OcopProduct.expiry_for(product.certificate_date)
            _clean(product, PRODUCT_FILE_FIELDS)
            self.products[(token, key)] = product
            undo.append(lambda: self.products.pop((token, key), None))
            plan.new_product = True
            result.status = CREATED
        else:
            changed = [f for f, v in wanted.items() if getattr(product, f) != v]
            if changed:
                old = {f: getattr(product, f) for f in changed}
                undo.append(lambda: [setattr(product, f, v) for f, v in old.items()])
                for f in changed:
                    setattr(product, f, wanted[f])
                _clean(product, PRODUCT_FILE_FIELDS)
                plan.product_fields = [_field_name(f) for f in changed]
                result.status = UPDATED
                result.changed_fields = [str(OcopProduct._meta.get_field(f).verbose_name) for f in plan.product_fields]
            else:
                result.status = UNCHANGED
        plan.product = product
        return plan

    def _producer(self, values, result, undo):
        """(producer, created, [blank fields filled in])."""
        producer = self.by_tax.get(values["tax_code"]) if values["tax_code"] else None
        if producer is None:
            producer = self.by_name.get((values["producer_key"], values["commune"].pk))
        if producer is None:
            if values["kind"] is None:
                raise RowRejected([_("Không rõ loại hình chủ thể (HTX, THT, DN hoặc HKD).")])
            producer = Producer(
                kind=values["kind"], name=values["producer_name"], name_key=values["producer_key"],
                tax_code=values["tax_code"], representative=values["representative"][:150],
                phone=values["phone"], address=values["address"][:255], commune_id=values["commune"].pk,
                old_district=values["old_district"][:100],
                status=Producer.Status.VERIFIED, status_changed_at=self.context.now,
                status_changed_by_id=self.context.user_id, status_note=self.status_note,
            )
            _clean(producer, PRODUCER_FILE_FIELDS)
            producer.import_token = next(self._tokens)
            name_entry = (values["producer_key"], values["commune"].pk)
            self.by_name[name_entry] = producer
            if producer.tax_code:
                self.by_tax[producer.tax_code] = producer

            def forget():
                self.by_name.pop(name_entry, None)
                if producer.tax_code:
                    self.by_tax.pop(producer.tax_code, None)

            undo.append(forget)
            result.producer_created = True
            return producer, True, []
        # Known producer: fill what it lacks, never overwrite what the cooperative keeps in the portal.
        changed = []
        for name in ("tax_code", "representative", "phone", "address", "old_district"):
            if values[name] and not getattr(producer, name):
                if name == "tax_code" and values[name] in self.by_tax:
                    continue
                changed.append(name)
        if changed:
            old = {name: getattr(producer, name) for name in changed}

            def restore():
                if "tax_code" in old and self.by_tax.get(producer.tax_code) is producer:
                    del self.by_tax[producer.tax_code]
                for name, value in old.items():
                    setattr(producer, name, value)

            undo.append(restore)
            for name in changed:
                setattr(producer, name, values[name])
            if "tax_code" in changed:
                self.by_tax[producer.tax_code] = producer
            _clean(producer, PRODUCER_FILE_FIELDS)
        if producer.status != Producer.Status.VERIFIED:
            result.warnings.append(
                _("Chủ thể đang ở trạng thái “%(status)s”: cán bộ cần xác minh trên cổng.")
                % {"status": producer.get_status_display()}
            )
        return producer, False, changed

    def _take_back(self, undo):
        for step in reversed(undo):
            step()

    # Writing -------------------------------------------------------------------------------

    def write_batch(self, rows):
        """Plan the rows, then write them in one savepoint; row by row if the database refuses."""
        parse_warnings = [list(result.warnings) for result, _values in rows]
        plans = []
        for result, values in rows:
            plan = self._plan_or_reject(result, values)
            if plan:
                plans.append(plan)
        try:
            with transaction.atomic():
                self._write(plans)
        except DatabaseError:
            for plan in reversed(plans):
                self._unwrite(plan)
            for (result, values), warnings in zip(rows, parse_warnings):
                _reset(result, warnings)
                self._write_row(result, values)
            return
        self._done(plans)

    def _write_row(self, result, values):
        plan = self._plan_or_reject(result, values)
        if plan is None:
            return
        try:
            with transaction.atomic():
                self._write([plan])
        except DatabaseError:
            self._unwrite(plan)
            _reject(result, [_("Không ghi được dòng này vào cơ sở dữ liệu (trùng hoặc sai dữ liệu).")])
            return
        self._done([plan])

    def _plan_or_reject(self, result, values):
        try:
            return self.plan(result, values)
        except RowRejected as exc:
            _reject(result, exc.reasons)
        except ValidationError as exc:
            _reject(result, _validation_messages(exc))
        return None

    def _write(self, plans):
        _insert(Producer, [p.producer for p in plans if p.new_producer])
        for producer, fields in self._updates(plans, "new_producer", "producer", "producer_fields"):
            producer.save(update_fields=[*fields, "updated_at"])
        _insert(OcopProduct, [p.product for p in plans if p.new_product])
        for product, fields in self._updates(plans, "new_product", "product", "product_fields"):
            product.save(update_fields=[*fields, "updated_at"])

    @staticmethod
    def _updates(plans, new_flag, attribute, fields_attribute):
        """Objects that were in the database before this batch, with every field the batch changed."""
        created = {id(getattr(p, attribute)) for p in plans if getattr(p, new_flag)}
        updates = {}
        for plan in plans:
            obj = getattr(plan, attribute)
            if getattr(plan, fields_attribute) and id(obj) not in created:
                updates.setdefault(id(obj), (obj, set()))[1].update(getattr(plan, fields_attribute))
        return [(obj, sorted(fields)) for obj, fields in updates.values()]

    def _unwrite(self, plan):
        """The savepoint was rolled back: forget the primary keys it gave, take the row back out."""
        for obj, new in ((plan.producer, plan.new_producer), (plan.product, plan.new_product)):
            if new:
                obj.pk = None
                obj._state.adding = True
        self._take_back(plan.undo)
        plan.result.status = REJECTED

    def _done(self, plans):
        for plan in plans:
            plan.result.product_id = plan.product.pk
            if plan.new_producer:
                self.created_producers.append(plan.producer.pk)
            elif plan.producer_fields:
                self.updated_producers.add(plan.producer.pk)


def _insert(model, objs):
    """Producer/OcopProduct.objects.bulk_create(objs) for plain rows, at a third of its cost: the
    same INSERT ... RETURNING (multi-row VALUES; UNNEST on PostgreSQL), without compiling every
    value of every row through the query compiler (most of the time of a large import went there).
    Values are the fields' own database values; created_at and updated_at are stamped as
    bulk_create does."""
    if not objs:
        return
    if not connection.features.can_return_rows_from_bulk_insert:  # SQLite before 3.35
        for obj in objs:
            obj.save(force_insert=True)
        return
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    stamped = [f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    now = timezone.now()
    prepared = {}  # database values of the same dates, groups and communes, adapted once

    def db_value(field, value):
        if value is None or type(value) in (str, int):
            return value
        key = (field.attname, value)
        if key not in prepared:
            prepared[key] = field.get_db_prep_save(value, connection)
        return prepared[key]

    rows = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # keys of producers just inserted
        for attname in stamped:
            setattr(obj, attname, now)
        rows.append([db_value(f, getattr(obj, f.attname)) for f in fields])
    quote = connection.ops.quote_name
    head = "INSERT INTO %s (%s) " % (quote(opts.db_table), ", ".join(quote(f.column) for f in fields))
    returning, returning_params = connection.ops.return_insert_columns([opts.pk])
    if connection.vendor == "postgresql":
        # One array a column, as bulk_create does there: a VALUES list of 500 rows costs PostgreSQL
        # more to plan than to run. Types without their length (varchar[]): the column checks it.
        types = [f.db_type(connection).split("(")[0] for f in fields]
        unnest = "SELECT * FROM UNNEST(%s)" % ", ".join("(%%s)::%s[]" % t for t in types)
        statements = [(f"{head}{unnest} {returning}", [list(column) for column in zip(*rows)], objs)]
    else:
        row_sql = "(%s)" % ", ".join(["%s"] * len(fields))
        size = max(1, connection.ops.bulk_batch_size(fields, objs))
        statements = [
            (f"{head}VALUES {', '.join([row_sql] * len(rows[i: i + size]))} {returning}",
             [value for row in rows[i: i + size] for value in row], objs[i: i + size])
            for i in range(0, len(rows), size)
        ]
    with connection.cursor() as cursor:
        for sql, params, chunk in statements:
            cursor.execute(sql, params + list(returning_params))
            for obj, (pk,) in zip(chunk, connection.ops.fetch_returned_insert_rows(cursor)):
                obj.pk = pk
                obj._state.adding, obj._state.db = False, connection.alias


def _field_name(attname):
    return "group" if attname == "group_id" else attname


def _reset(result, warnings):
    result.status, result.reasons, result.warnings = REJECTED, [], warnings
    result.changed_fields, result.producer_created, result.product_id = [], False, None


def _reject(result, reasons):
    result.status = REJECTED
    result.reasons = [str(r) for r in reasons]
    result.producer_created = False
    result.product_id = None
    result.changed_fields = []


def _audit_entry(report, store, user):
    """One audit entry for the file: who imported it, when, what it did (the rows' own entries
    are switched off during the import)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    counts = {
        _("Tạo mới"): report.created, _("Cập nhật"): report.updated, _("Không đổi"): report.unchanged,
        _("Bị từ chối"): report.rejected, _("Chủ thể mới"): report.producers_created,
    }
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(OcopProduct),
        object_pk="",
        object_repr=_("Nhập danh sách OCOP từ tệp “%(file)s”") % {"file": report.filename},
        action=LogEntry.Action.CREATE if report.created else LogEntry.Action.UPDATE,
        changes={str(label): [None, str(count)] for label, count in counts.items()},
        actor=user,
        actor_email=getattr(user, "email", None) or None,
        additional_data={
            "import": {
                "file": report.filename, "sheets": report.sheets,
                "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
                "rejected": report.rejected, "producers_created": report.producers_created,
                "products_created": [r.product_id for r in report.rows if r.status == CREATED],
                "products_updated": [r.product_id for r in report.rows if r.status == UPDATED],
                "producers_created_ids": store.created_producers,
                "producers_updated": sorted(store.updated_producers - set(store.created_producers)),
                "rejected_rows": [r.row for r in report.rejected_rows],
            }
        },
    )
