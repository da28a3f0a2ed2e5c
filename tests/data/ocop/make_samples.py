"""Writes the sample provincial OCOP lists used by tests/producers/test_import.py.

Run from the repository root: `.venv/bin/python tests/data/ocop/make_samples.py`. The files it
writes are committed; this script says how they were made. They imitate what provinces publish:
a title above the header, a two-row header with merged cells, a numbering row, section rows per
old district, a producer merged over two products, mixed spellings and date formats, a landline
phone the portal does not accept, four bad rows, a total row and signatures.

Expected result of importing lao_cai_ocop_2024.xlsx (or the .csv) into an empty database:
7 products created, 4 rows rejected (rows 11: stars 6, 15: no name, 16: unknown commune
“Xã Suối Giàng” (merged into Xã Văn Chấn in 2025), 20: date 31/02/2024), 6 producers created.
"""
import csv
import unicodedata
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent

TITLE = "DANH SÁCH SẢN PHẨM OCOP TỈNH LÀO CAI NĂM 2024"
SUBTITLE = "(Kèm theo Quyết định số 2150/QĐ-UBND ngày 30/12/2024 của UBND tỉnh Lào Cai)"

# STT, product, producer, kind, address, commune, district, group, stars, decision no., date,
# tax code, phone, representative. A string starting with "§" is a section row.
ROWS = [
    "§I|HUYỆN VĂN CHẤN (CŨ)",
    (1, "Chè Shan tuyết Suối Giàng", "HTX Chè Suối Giàng", "HTX", "Thôn Pang Cáng", "Văn Chấn", None,
     "Đồ uống", "4 sao", "1234/QĐ-UBND", datetime(2023, 6, 12), "5200123456", "0912 345 678", "Sùng A Páo"),
    (2, "Hồng trà Suối Giàng", "HTX Chè Suối Giàng", "HTX", "Thôn Pang Cáng", "Văn Chấn", None,
     "Chè", "4★", "1234/QĐ-UBND", "12/06/2023", "5200123456", "0912 345 678", "Sùng A Páo"),
    (3, "Gạo nếp Tú Lệ", "Tổ hợp tác sản xuất gạo nếp Tú Lệ", "Tổ hợp tác", "Bản Lướt", "xã Tú Lệ",
     "H. Văn Chấn", "Nhóm thực phẩm", "Ba sao", "89/QĐ-UBND", "5/1/2022", None, "0216 3870 123",
     "Lò Văn Sinh"),
    (4, "Táo mèo Mù Cang Chải", "HTX Nông lâm sản Mù Cang Chải", "HTX", None, "Mù Cang Chải",
     "Mù Cang Chải", "Thực phẩm", 6, "90/QĐ-UBND", "5/1/2022", None, None, "Giàng A Dình"),
    "§II|HUYỆN VĂN YÊN",
    (5, "Quế Văn Yên", "Hợp tác xã Quế Văn Yên", "Hợp tác xã", "Thôn Khe Cỏ, xã Đông Cuông", None,
     "huyện Văn Yên", "Thực phẩm", 3, "456/QĐ-UBND", 45366, None, "0988.111.222", "Hoàng Văn Thái"),
    (6, "Tinh dầu quế Mậu A", "Công ty TNHH Tinh dầu Quế Mậu A", "Công ty TNHH", "Tổ dân phố 3",
     "Xã Mậu A", "Văn Yên", "Thảo dược", "5*", "2345/QĐ-BNN-KTHT", "7/8/2023", "5200765432-001",
     "+84 973 456 789", "Triệu Thị Mai"),
    (7, None, "HTX Măng tre Bát Độ", "HTX", None, "Xã Đông Cuông", "Văn Yên", "Thực phẩm", 3,
     "457/QĐ-UBND", "15/03/2024", None, None, None),
    (8, "Chè Suối Giàng búp khô", "HTX Chè Shan Tủa Chùa", "HTX", None, "Xã Suối Giàng", "Văn Chấn",
     "Đồ uống", 3, "458/QĐ-UBND", "15/03/2024", None, None, None),
    "§III|THỊ XÃ SA PA",
    (9, "Thổ cẩm Sa Pa", "Hộ kinh doanh Lý Thị Mẩy", "HKD", "Thôn Lý Lao Chải", "Phường Sa Pa",
     "TX. Sa Pa", "TCMN", 3, "77/QĐ-UBND", "30/11/2021", None, "0355123456", "Lý Thị Mẩy"),
    (10, "Mật ong rừng Y Tý", "HTX Dịch vụ Nông nghiệp Y Tý", None, None, "Y Tý", "huyện Bát Xát",
     "Mật ong", "4 sao", "1502/QĐ-UBND ngày 15/6/2023", None, None, None, None),
    (11, "Rượu ngô Bắc Hà", "HTX Rượu ngô Bản Phố", "HTX", None, "Xã Bắc Hà", "Bắc Hà",
     "Đồ uống - Rượu", 4, "1502/QĐ-UBND", "31/02/2024", None, None, None),
]
XLSX_HEADER = [
    "STT", "Tên sản phẩm", "Chủ thể", "Loại hình", "Địa chỉ", "Xã/Phường", "Huyện (cũ)",
    "Nhóm sản phẩm", "HẠNG SAO", "Quyết định công nhận", None, "Mã số thuế", "Điện thoại",
    "Người đại diện",
]
CSV_HEADER = [
    "TT", "Tên SP", "Tên chủ thể", "Loại hình chủ thể", "Địa chỉ", "Xã", "Huyện", "Nhóm",
    "Số sao", "Số QĐ", "Ngày cấp", "MST", "SĐT", "Người đại diện",
]
COLUMNS = len(XLSX_HEADER)


def write_xlsx(path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "DS OCOP 2024"
    bold = Font(bold=True)
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=COLUMNS)
    sheet.append([SUBTITLE])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=COLUMNS)
    sheet.append([])
    sheet.append(XLSX_HEADER)  # row 4
    sheet.append([None] * 9 + ["Số", "Ngày"])  # row 5: sub-headers under the merged decision
    for column in range(1, COLUMNS + 1):
        sheet.cell(4, column).font = bold
        sheet.cell(4, column).alignment = Alignment(wrap_text=True, horizontal="center")
        if column not in (10, 11):
            sheet.merge_cells(start_row=4, start_column=column, end_row=5, end_column=column)
    sheet.merge_cells("J4:K4")
    sheet.append([f"({n})" for n in range(1, COLUMNS + 1)])  # row 6
    for item in ROWS:
        if isinstance(item, str):
            number, title = item[1:].split("|")
            sheet.append([number, title])
            row = sheet.max_row
            sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=COLUMNS)
            continue
        sheet.append(list(item))
        row = sheet.max_row
        if isinstance(item[10], datetime):
            sheet.cell(row, 11).number_format = "dd/mm/yyyy"
    # The first producer is merged over its two products, as officers lay these lists out.
    for column in (3, 4, 5, 6, 12, 13, 14):
        sheet.merge_cells(start_row=8, start_column=column, end_row=9, end_column=column)
    sheet.append([])
    sheet.append(["Tổng cộng: 11 sản phẩm"])
    sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=2)
    sheet.append([])
    sheet.append([None, None, "NGƯỜI LẬP BIỂU", None, None, None, None, None, None, None, None, "GIÁM ĐỐC"])
    notes = workbook.create_sheet("Ghi chú")
    notes.append(["Danh sách gồm các sản phẩm được công nhận năm 2021-2024, còn hiệu lực."])
    workbook.save(path)


def csv_rows():
    yield [TITLE] + [""] * (COLUMNS - 1)
    yield [""] * COLUMNS
    yield CSV_HEADER
    for item in ROWS:
        if isinstance(item, str):
            number, title = item[1:].split("|")
            yield [number, title] + [""] * (COLUMNS - 2)
            continue
        values = list(item)
        if isinstance(values[10], datetime):
            values[10] = values[10].strftime("%d/%m/%Y")
        if values[10] == 45366:
            values[10] = "15/03/2024"
        yield ["" if v is None else str(v) for v in values]
    yield [""] * COLUMNS
    yield ["Tổng cộng", "", "11 sản phẩm"] + [""] * (COLUMNS - 3)


def write_csv(path):
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, delimiter=";").writerows(csv_rows())


def to_cp1258(text):
    """Windows-1258 has base letters with circumflex, breve and horn but writes tones as combining
    marks: compose what it can, leave the rest combining (as Vietnamese Windows does)."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        try:
            out.append(char.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        for mark in list(marks):
            composed = unicodedata.normalize("NFC", base + mark)
            if len(composed) == 1:
                try:
                    composed.encode("cp1258")
                except UnicodeEncodeError:
                    continue
                base = composed
                marks.remove(mark)
        out.append((base + "".join(marks)).encode("cp1258"))
    return b"".join(out)


def write_cp1258_csv(path):
    rows = [
        ["Danh sách sản phẩm OCOP huyện Văn Yên (cũ)"],
        ["STT", "Tên sản phẩm", "Chủ thể", "Loại hình", "Địa chỉ", "Nhóm sản phẩm", "Phân hạng",
         "Số quyết định", "Ngày quyết định"],
        ["1", "Măng tre Bát Độ sấy khô", "HTX Măng tre Bát Độ", "HTX", "Thôn 4, xã Mậu A, huyện Văn Yên",
         "Thực phẩm", "3 sao", "501/QĐ-UBND", "20/10/2023"],
        ["2", "Miến dong Đông Cuông", "Hộ kinh doanh Hoàng Thị Lụa", "Hộ kinh doanh",
         "Thôn Khe Dứa, xã Đông Cuông, huyện Văn Yên", "Thực phẩm", "3 sao", "502/QĐ-UBND", "20/10/2023"],
    ]
    lines = []
    for row in rows:
        fields = [f'"{v}"' if "," in v else v for v in row]
        lines.append(",".join(fields))
    path.write_bytes(to_cp1258("\r\n".join(lines) + "\r\n"))


if __name__ == "__main__":
    write_xlsx(HERE / "lao_cai_ocop_2024.xlsx")
    write_csv(HERE / "lao_cai_ocop_2024.csv")
    write_cp1258_csv(HERE / "van_yen_cp1258.csv")
    print("Wrote", ", ".join(p.name for p in sorted(HERE.glob("*.*sv")) + sorted(HERE.glob("*.xlsx"))))
