"""Finding the header of an OCOP list: the row (or two rows) naming the columns, however spelt."""
from django.utils.translation import gettext as _

from common.tabular import HEADER_SCAN_ROWS, ImportFileError

from ..text import name_key
from .values import is_numbering_cell

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
                if isinstance(v, str) and not is_numbering_cell(v) and (c >= len(values) or v != values[c])
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
