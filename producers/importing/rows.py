"""One row of an OCOP list read into the values a product and its producer take, or the reasons it
cannot be (RowRejected); section rows, numbering rows and the total row told apart from data."""
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from common.phones import normalize_phone
from common.tabular import RowRejected

from ..models import Producer, Province
from ..text import name_key
from ..units import find_commune
from ..validators import validate_tax_code
from .values import (
    GroupResolver,
    address_parts,
    cell_text,
    commune_query,
    district_text,
    is_numbering_cell,
    parse_date,
    parse_kind,
    parse_stars,
    split_decision,
)


class Context:
    """What the rows of one import share: who imports, the province, and the groups, communes and
    repeated values looked up once."""

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
            found = find_commune(commune_query(text), self.province_code)
            if found is None and "," in text:
                for part in text.split(","):
                    found = find_commune(commune_query(part.strip()), self.province_code)
                    if found:
                        break
            self.communes[text] = found
        return self.communes[text]


def row_cells(values, columns):
    return {f: (values[c] if c < len(values) else None) for f, c in columns.items()}


def row_kind(values, cells):
    """'blank', 'numbering', 'total', 'section' or 'data'."""
    filled = [v for v in values if v is not None and (not isinstance(v, str) or v.strip())]
    if not filled:
        return "blank"
    if len(filled) >= 3 and all(is_numbering_cell(v) for v in filled):
        return "numbering"
    first = name_key(cell_text(filled[0])) if isinstance(filled[0], str) else ""
    if re.match(r"(tong|tong cong|tong so|cong)( \d|$)|tong cong|tong so", first):
        return "total"
    distinct = set()
    for value in filled:
        distinct.add(cell_text(value))
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


def parse_row(cells, context, section_district, result):
    reasons = []
    name = cell_text(cells.get("name"))
    producer_name = cell_text(cells.get("producer"))
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
        reasons.append(_("Không đọc được hạng sao “%(value)s”.") % {"value": cell_text(raw_stars)})
    else:
        if stars is None:
            reasons.append(_("Thiếu hạng sao."))
        elif stars not in (3, 4, 5):
            reasons.append(
                _("Hạng sao phải là 3, 4 hoặc 5 (ô ghi “%(value)s”).") % {"value": cell_text(raw_stars)}
            )

    group = subgroup = None
    raw_group = cells.get("group")
    if raw_group in (None, ""):
        reasons.append(_("Thiếu nhóm sản phẩm."))
    else:
        try:
            group, subgroup = context.groups.resolve(raw_group)
        except ValueError:
            reasons.append(_("Không nhận ra nhóm sản phẩm “%(value)s”.") % {"value": cell_text(raw_group)})
    if cell_text(cells.get("subgroup")):
        subgroup = cell_text(cells.get("subgroup"))

    address = cell_text(cells.get("address"))
    address_commune, address_district = address_parts(address)
    commune_text = cell_text(cells.get("commune")) or address_commune
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
    district_raw = cell_text(cells.get("district")) or address_district or section_district
    old_district = context.memo(district_text, district_raw) if district_raw else ""

    certificate_number, date_in_number = split_decision(cell_text(cells.get("certificate_number")))
    raw_date = cells.get("certificate_date")
    if raw_date in (None, ""):
        raw_date = date_in_number
    certificate_date = _date_or_reason(raw_date, _("Ngày quyết định"), reasons)
    if certificate_date and certificate_date > context.today:
        reasons.append(
            _("Ngày quyết định %(date)s ở tương lai.") % {"date": certificate_date.strftime("%d/%m/%Y")}
        )
    certificate_expiry = _date_or_reason(cells.get("certificate_expiry"), _("Ngày hết hạn"), reasons)

    kind = context.memo(parse_kind, cell_text(cells.get("kind")), producer_name)

    tax_code = _tax_code(cells.get("tax_code"), kind, result)
    phone = _phone(cell_text(cells.get("phone")), result)

    if reasons:
        raise RowRejected(reasons)
    return {
        "name": name, "producer_name": producer_name, "stars": stars, "group": group,
        "subgroup": subgroup or "", "commune": commune, "old_district": old_district,
        "address": address, "certificate_number": certificate_number,
        "certificate_date": certificate_date, "certificate_expiry": certificate_expiry,
        "kind": kind, "tax_code": tax_code, "phone": phone,
        "representative": cell_text(cells.get("representative")), "unit": cell_text(cells.get("unit")),
        "key": name_key(name), "producer_key": context.memo(name_key, producer_name),
    }


def _date_or_reason(raw, label, reasons):
    try:
        return parse_date(raw)
    except (ValueError, OverflowError):
        reasons.append(
            _("%(label)s không hợp lệ: “%(value)s” (cần dạng dd/mm/yyyy).")
            % {"label": label, "value": cell_text(raw)}
        )
        return None


def _tax_code(raw, kind, result):
    """The tax code, or "" with a warning saying why it was left out. A household business's may be its
    owner's 12-digit personal number; a row whose kind is not known keeps one too (it may name a known
    household business; the store gives it to no organisation)."""
    tax_code = re.sub(r"\s", "", cell_text(raw))
    if not tax_code:
        return ""
    household = None if kind is None else kind == Producer.Kind.HOUSEHOLD
    readings = [tax_code]
    if isinstance(raw, (int, float)):
        # A number cell drops leading zeros: the 0 of Hà Nội's tax codes (01...), the one or two of a
        # personal number (province 001-096), ten digits from 001-009 that may also read as a tax code.
        readings = {9: [tax_code.zfill(10)], 10: [tax_code, tax_code.zfill(12)],
                    11: [tax_code.zfill(12)]}.get(len(tax_code), readings)
    refusal = None
    for reading in readings:
        try:
            validate_tax_code(reading, household=household)
            return reading
        except ValidationError as exc:
            refusal = refusal or (reading, exc)
    reading, exc = refusal
    result.warnings.append(_("Bỏ qua mã số thuế “%(value)s”: %(reason)s") % {
        "value": reading, "reason": " ".join(exc.messages)})
    return ""


def _phone(text, result):
    """The first number of the cell ("0912 345 678 / 0214 3840 888") in its stored form, or "" with
    a warning saying why it was left out."""
    if not text:
        return ""
    try:
        return normalize_phone(re.split(r"[/;]", text)[0])
    except ValidationError as exc:
        result.warnings.append(_("Bỏ qua số điện thoại “%(value)s”: %(reason)s") % {
            "value": text, "reason": " ".join(exc.messages)})
        return ""
