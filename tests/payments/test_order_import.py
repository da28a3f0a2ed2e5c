"""Seller-centre order exports (Shopee, Lazada): the row report, good rows in, re-import a no-op,
cancellations update the status. Samples made by tests/data/payments/make_order_exports.py."""
import io

import pytest
from django.urls import reverse

from common.exceptions import PermissionDenied
from listings.models import Listing, MarketplaceAccount
from marketplace.connectors.base import Order, OrderExport, OrderLine
from marketplace.connectors.sandbox import SandboxConnector
from payments.models import Transaction
from payments.orders_import import ImportFileError, find_header, import_order_export, map_status, parse_vnd
from payments.services import record_marketplace_order
from tests.factories import OcopProductFactory

from .conftest import DATA

pytestmark = pytest.mark.django_db


@pytest.fixture
def tea(producer):
    return (OcopProductFactory(pk=910001, producer=producer, name="Chè Shan tuyết Suối Giàng", price=150000),
            OcopProductFactory(pk=910002, producer=producer, name="Bạch trà Suối Giàng", price=450000))


def run(owner, producer, name, **kwargs):
    data = (DATA / name).read_bytes()
    return import_order_export(user=owner, producer=producer, file=io.BytesIO(data), filename=name, **kwargs)


def test_shopee_export_rows_are_reported_and_good_rows_recorded(owner, producer, tea):
    report = run(owner, producer, "shopee_orders.xlsx")
    statuses = {r.row: r.status for r in report.rows}
    assert statuses == {2: "created", 3: "created", 4: "created", 5: "created", 6: "rejected", 7: "rejected",
                        8: "created"}
    assert "KHAC-01" in report.row(6).reasons[0]
    assert "Số lượng" in report.row(7).reasons[0]
    sales = {t.external_id: t for t in Transaction.objects.all()}
    assert set(sales) == {"240725ABCD01:OCOP-910001", "240725ABCD01:OCOP-910002", "240726EFGH02:OCOP-910001",
                          "240727JKLM03:OCOP-910002", "240730WXYZ06:OCOP-910001"}
    first = sales["240725ABCD01:OCOP-910001"]
    assert (first.quantity, first.amount, first.status, first.source, first.marketplace) == (
        2, 300000, "completed", "import", "shopee")
    assert first.occurred_at.isoformat() == "2024-07-25T03:15:00+00:00"  # 10:15 Vietnam time
    assert sales["240726EFGH02:OCOP-910001"].status == "cancelled"
    assert sales["240727JKLM03:OCOP-910002"].status == "pending"
    assert sales["240730WXYZ06:OCOP-910001"].status == "refunded"


def test_reimport_is_a_noop_and_a_later_export_updates_cancellations(owner, producer, tea):
    run(owner, producer, "shopee_orders.xlsx")
    again = run(owner, producer, "shopee_orders.xlsx")
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 5, 2)
    later = run(owner, producer, "shopee_orders_later.xlsx")
    assert (later.created, later.updated) == (0, 1)
    assert Transaction.objects.get(external_id="240727JKLM03:OCOP-910002").status == "cancelled"
    assert Transaction.objects.count() == 5


def test_dry_run_writes_nothing(owner, producer, tea):
    report = run(owner, producer, "shopee_orders.xlsx", dry_run=True)
    assert report.created == 5 and Transaction.objects.count() == 0


def test_lazada_items_are_summed_per_order_and_sku(owner, producer, tea):
    account = MarketplaceAccount.objects.create(producer=producer, marketplace="lazada", shop_id="VN1001")
    Listing.objects.create(product=tea[1], account=account, external_id="777888")
    report = run(owner, producer, "lazada_orders.xlsx")
    assert {r.row: r.status for r in report.rows} == {2: "created", 4: "created", 5: "created", 6: "rejected"}
    summed = Transaction.objects.get(external_id="500000005001:OCOP-910001")
    assert (summed.quantity, summed.amount, summed.status) == (2, 300000, "completed")
    by_item = Transaction.objects.get(external_id="500000005002:777888")
    assert by_item.product == tea[1] and by_item.listing is not None
    assert Transaction.objects.get(external_id="500000005003:OCOP-910002").status == "cancelled"


def test_an_imported_line_then_synced_from_the_api_is_not_counted_twice(owner, producer, tea):
    run(owner, producer, "shopee_orders.xlsx")
    account = MarketplaceAccount.objects.create(producer=producer, marketplace="shopee", shop_id="88001")
    imported = Transaction.objects.get(external_id="240725ABCD01:OCOP-910001")
    order = Order(external_id="240725ABCD01", status="refunded", created_at=imported.occurred_at,
                  updated_at=imported.occurred_at, lines=[OrderLine("1", "OCOP-910001", 2, 300000)], raw={})
    result = record_marketplace_order(account=account, order=order)
    assert result["updated"] == [imported] and not result["created"]
    assert Transaction.objects.get(pk=imported.pk).status == "refunded"


def test_unreadable_files_are_refused_whole(owner, producer):
    with pytest.raises(ImportFileError):
        import_order_export(user=owner, producer=producer, file=io.BytesIO(b"a,b\n1,2\n"), filename="x.csv")
    with pytest.raises(ImportFileError):
        import_order_export(user=owner, producer=producer, file=io.BytesIO(b"PK\x03\x04junk"), filename="x.xlsx")
    assert Transaction.objects.count() == 0


def test_csv_export_works_too(owner, producer, tea):
    text = ("Mã đơn hàng,Ngày đặt hàng,Trạng Thái Đơn Hàng,SKU phân loại hàng,Số lượng,Tổng giá bán (sản phẩm)\n"
            "2408CSV001,01/08/2024 09:00,Hoàn thành,OCOP-910001,1,\"150.000\"\n")
    report = import_order_export(user=owner, producer=producer, file=io.BytesIO(text.encode()), filename="don.csv")
    assert report.created == 1 and Transaction.objects.get().amount == 150000


def test_only_members_import_for_their_producer(producer, other_owner_and_producer, tea):
    with pytest.raises(PermissionDenied):
        run(other_owner_and_producer[0], producer, "shopee_orders.xlsx")


def test_portal_upload_shows_the_row_report(client, owner, producer, tea):
    client.force_login(owner)
    with open(DATA / "shopee_orders.xlsx", "rb") as handle:
        response = client.post(reverse("payments:order_import"), {"producer": producer.pk, "file": handle})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="import-report"' in page
    assert page.count('data-status="rejected"') == 2 and "KHAC-01" in page


@pytest.mark.parametrize("text, status", [
    ("Hoàn thành", "completed"), ("Đã giao", "completed"), ("Đã hủy", "cancelled"), ("Đang giao", "pending"),
    ("Chờ xác nhận", "pending"), ("Trả hàng/Hoàn tiền", "refunded"), ("delivered", "completed"),
    ("canceled", "cancelled"), ("returned", "refunded"), ("ready_to_ship", "pending"),
])
def test_status_words(text, status):
    assert map_status(text) == status


@pytest.mark.parametrize("value, amount", [
    (150000, 150000), (150000.0, 150000), ("150.000", 150000), ("150,000 ₫", 150000), ("1.250.000đ", 1250000),
    ("99000.5", 99001), ("", None), ("abc", None),
])
def test_vnd_amounts(value, amount):
    assert parse_vnd(value) == amount



class ChoMoiConnector(SandboxConnector):
    """A throw-away marketplace whose seller centre exports orders its own way."""

    code = "chomoi"
    order_export = OrderExport(
        columns={"order": ("so don",), "date": ("ngay",), "status": ("tinh trang",), "quantity": ("sl",),
                 "total": ("thanh tien",), "sku": ("ma sp",)},
        required=("order", "date", "status", "quantity"), source="Chợ Mới (cột “Số đơn”)")


def test_a_marketplace_declaring_its_order_export_is_read_with_no_change_here(settings):
    """The export's columns live on the connector: one added in settings is recognised, and a file
    matching no export names every enabled marketplace's in the refusal."""
    settings.MARKETPLACE_CONNECTORS = [*settings.MARKETPLACE_CONNECTORS,
                                       "tests.payments.test_order_import.ChoMoiConnector"]
    rows = [(1, ["Số đơn", "Ngày", "Tình trạng", "SL", "Thành tiền", "Mã SP"]),
            (2, ["A1", "01/07/2026", "Hoàn thành", 1, 1000, "X"])]
    assert find_header(rows) == ("chomoi", 1, {"order": 0, "date": 1, "status": 2, "quantity": 3, "total": 4,
                                               "sku": 5})
    with pytest.raises(ImportFileError) as refused:
        find_header([(1, ["a", "b"])])
    message = str(refused.value)
    assert "Kênh Người Bán Shopee" in message and "Lazada Seller Center" in message
    assert "Chợ Mới (cột “Số đơn”)" in message
