"""Writes the seller-centre order exports used by tests/payments/test_order_import.py.

    .venv/bin/python tests/data/payments/make_order_exports.py

Column names as Shopee's "Xuất đơn hàng" and Lazada Seller Center's order export write them (taken
from public parsers of real exports; a real file has more columns, kept here in part). Products
OCOP-910001 and OCOP-910002 are created with those ids by the tests; Lazada item 777888 is the
external id of a listing of OCOP-910002.
"""
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent

SHOPEE_HEADER = [
    "Mã đơn hàng", "Mã Kiện Hàng", "Ngày đặt hàng", "Trạng Thái Đơn Hàng", "Lý do hủy", "Nhận xét từ Người mua",
    "Mã vận đơn", "Đơn Vị Vận Chuyển", "Phương thức giao hàng", "Loại đơn hàng", "Ngày giao hàng dự kiến",
    "Ngày gửi hàng", "Thời gian giao hàng", "Trạng thái Trả hàng/Hoàn tiền", "SKU sản phẩm", "Tên sản phẩm",
    "Cân nặng sản phẩm", "Tổng cân nặng", "SKU phân loại hàng", "Tên phân loại hàng", "Giá gốc", "Người bán trợ giá",
    "Được Shopee trợ giá", "Tổng số tiền được người bán trợ giá", "Giá ưu đãi", "Số lượng",
    "Số lượng sản phẩm được hoàn trả", "Tổng giá bán (sản phẩm)", "Tổng giá trị đơn hàng (VND)",
    "Phí vận chuyển (dự kiến)", "Người Mua", "Tên Người nhận", "Tỉnh/Thành phố", "Thời gian hoàn thành đơn hàng",
]


def shopee_row(order, date, status, sku, name, price, quantity, total, cancel_reason=""):
    row = dict.fromkeys(SHOPEE_HEADER, "")
    row.update({
        "Mã đơn hàng": order, "Mã Kiện Hàng": f"OFG{order[-6:]}", "Ngày đặt hàng": date,
        "Trạng Thái Đơn Hàng": status, "Lý do hủy": cancel_reason, "Mã vận đơn": f"SPXVN0{order[-8:]}",
        "Đơn Vị Vận Chuyển": "SPX Express", "Phương thức giao hàng": "Nhanh", "Loại đơn hàng": "Đơn thường",
        "SKU sản phẩm": "", "Tên sản phẩm": name, "Cân nặng sản phẩm": "0.25 kg", "SKU phân loại hàng": sku,
        "Tên phân loại hàng": "", "Giá gốc": price, "Giá ưu đãi": price, "Số lượng": quantity,
        "Số lượng sản phẩm được hoàn trả": 0, "Tổng giá bán (sản phẩm)": total, "Tổng giá trị đơn hàng (VND)": total,
        "Phí vận chuyển (dự kiến)": 22000, "Người Mua": "nguyenvana_92", "Tên Người nhận": "Nguyễn Văn A",
        "Tỉnh/Thành phố": "TP. Hồ Chí Minh",
    })
    return [row[h] for h in SHOPEE_HEADER]


SHOPEE_ROWS = [
    ("240725ABCD01", "2024-07-25 10:15", "Hoàn thành", "OCOP-910001", "Chè Shan tuyết Suối Giàng hộp 200g", 150000, 2, 300000),
    ("240725ABCD01", "2024-07-25 10:15", "Hoàn thành", "OCOP-910002", "Bạch trà Suối Giàng hộp 100g", 450000, 1, 450000),
    ("240726EFGH02", "2024-07-26 08:01", "Đã hủy", "OCOP-910001", "Chè Shan tuyết Suối Giàng hộp 200g", 150000, 1, 150000,
     "Người mua: Thay đổi đơn hàng"),
    ("240727JKLM03", "2024-07-27 21:40", "Đang giao", "OCOP-910002", "Bạch trà Suối Giàng hộp 100g", 450000, 1, 450000),
    ("240728NPQR04", "2024-07-28 09:12", "Hoàn thành", "KHAC-01", "Sản phẩm không thuộc HTX", 99000, 1, 99000),
    ("240729STUV05", "2024-07-29 11:30", "Hoàn thành", "OCOP-910001", "Chè Shan tuyết Suối Giàng hộp 200g", 150000, "hai", 300000),
    ("240730WXYZ06", "2024-07-30 16:05", "Trả hàng/Hoàn tiền", "OCOP-910001", "Chè Shan tuyết Suối Giàng hộp 200g", 150000, 1, 150000),
]

LAZADA_HEADER = [
    "orderItemId", "orderType", "Guarantee", "deliveryType", "lazadaId", "sellerSku", "lazadaSku", "wareHouse",
    "createTime", "updateTime", "rtsSla", "ttsSla", "orderNumber", "invoiceRequired", "invoiceNumber",
    "deliveredDate", "customerName", "shippingName", "shippingAddress", "shippingCity", "paidPrice", "unitPrice",
    "sellerDiscountTotal", "shippingFee", "itemName", "variation", "shippingProvider", "trackingCode", "status",
    "buyerFailedDeliveryReason", "sellerNote",
]


def lazada_row(item, order, lazada_id, sku, created, price, status, name):
    row = dict.fromkeys(LAZADA_HEADER, "")
    row.update({
        "orderItemId": item, "orderType": "Normal", "deliveryType": "dropship", "lazadaId": lazada_id,
        "sellerSku": sku, "lazadaSku": f"{lazada_id}_VNAMZ-{item}", "wareHouse": "dropshipping", "createTime": created,
        "updateTime": created, "orderNumber": order, "invoiceRequired": "No", "customerName": "Trần Thị B",
        "shippingName": "Trần Thị B", "shippingAddress": "12 Lê Lợi", "shippingCity": "Hà Nội", "paidPrice": price,
        "unitPrice": price, "sellerDiscountTotal": 0, "shippingFee": 18000, "itemName": name, "variation": "",
        "shippingProvider": "LEX VN", "trackingCode": f"LEXVN{item}", "status": status,
    })
    return [row[h] for h in LAZADA_HEADER]


LAZADA_ROWS = [
    ("410000001001", "500000005001", "2410000111", "OCOP-910001", "25 Jul 2024 14:02", 150000, "delivered", "Chè Shan tuyết"),
    ("410000001002", "500000005001", "2410000111", "OCOP-910001", "25 Jul 2024 14:02", 150000, "delivered", "Chè Shan tuyết"),
    ("410000001003", "500000005002", "777888", "", "26 Jul 2024 09:30", 450000, "delivered", "Bạch trà"),
    ("410000001004", "500000005003", "777888", "OCOP-910002", "27 Jul 2024 19:45", 450000, "canceled", "Bạch trà"),
    ("410000001005", "500000005004", "999999", "SKU-LA", "28 Jul 2024 07:00", 120000, "delivered", "Hàng khác"),
]


def write(path, sheet, header, rows):
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet.append(header)
    for row in rows:
        worksheet.append(row)
    workbook.save(path)


def main():
    write(HERE / "shopee_orders.xlsx", "orders", SHOPEE_HEADER, [shopee_row(*r) for r in SHOPEE_ROWS])
    later = [list(r) for r in SHOPEE_ROWS]
    later[3][2] = "Đã hủy"  # 240727JKLM03 cancelled after the first export
    write(HERE / "shopee_orders_later.xlsx", "orders", SHOPEE_HEADER, [shopee_row(*r) for r in later])
    write(HERE / "lazada_orders.xlsx", "Sheet1", LAZADA_HEADER, [lazada_row(*r) for r in LAZADA_ROWS])


if __name__ == "__main__":
    main()
