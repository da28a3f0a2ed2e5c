"""Cell values of an OCOP list as they are written by hand: stars, dates, decision numbers, kinds of
producer, product groups (Decision 919 and the older 490 names), districts and addresses."""
import re
from datetime import date, datetime, timedelta

from ..models import Producer, ProductGroup
from ..text import name_key


def cell_text(value):
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
        raise ValueError  # noqa: TRY004 - a TRUE/FALSE cell is an unreadable value, as a word is
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
        raise ValueError  # noqa: TRY004 - a TRUE/FALSE cell is an unreadable value, as a word is
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


DATE_IN_TEXT = re.compile(r"(?:ngày|ngay|ngáy)\s*(\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4})", re.IGNORECASE)


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
        key = name_key(cell_text(value))
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
    text = cell_text(value)
    text = re.sub(r"\s*\((?:cũ|cu)\)\s*$", "", text, flags=re.IGNORECASE).strip(" ,.")
    if not text:
        return ""
    for pattern, prefix in DISTRICT_PREFIXES:
        match = re.match(rf"^(?:{pattern})(.+)$", text, flags=re.IGNORECASE)
        if match:
            return f"{prefix} {_title_if_shouting(match.group(1).strip())}"
    return f"huyện {_title_if_shouting(text)}"


def _title_if_shouting(text):
    return text.title() if text.isupper() else text


COMMUNE_PART = re.compile(r"^(?:xã|xa|phường|phuong|thị trấn|thi tran|đặc khu|dac khu|x\.|p\.|tt\.)\s*", re.IGNORECASE)
DISTRICT_PART = re.compile(r"^(?:huyện|huyen|thị xã|thi xa|thành phố|thanh pho|h\.|tx\.?|tp\.?)\s+", re.IGNORECASE)


def address_parts(address):
    """'Thôn Pang Cáng, xã Suối Giàng, huyện Văn Chấn' -> ('xã Suối Giàng', 'huyện Văn Chấn')."""
    commune = district = ""
    for part in re.split(r"[,;–]| - ", cell_text(address)):
        part = part.strip()
        if not commune and COMMUNE_PART.match(part):
            commune = part
        elif not district and DISTRICT_PART.match(part):
            district = part
    return commune, district


def commune_query(text):
    return re.sub(r"^(x|p|tt)\.\s*", "", text, flags=re.IGNORECASE)


NUMBERING_CELL = re.compile(r"\(?\d{1,2}\)?")


def is_numbering_cell(value):
    return bool(NUMBERING_CELL.fullmatch(cell_text(value)))
