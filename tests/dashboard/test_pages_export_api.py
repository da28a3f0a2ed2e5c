"""The page, the xlsx export and the API show the same numbers, scoped the same way."""
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from dashboard import selectors
from dashboard.periods import quarter_period
from tests.factories import ProducerFactory, lao_cai_commune

from .conftest import at, make_listing, make_product, sale

pytestmark = pytest.mark.django_db

Q3 = {"period": "quarter", "year": "2026", "quarter": "3"}


@pytest.fixture
def province(owner, producer):
    """Two producers in two communes; the owner's has a listed, selling product and a laggard."""
    selling = make_product(producer, name="Chè Shan tuyết")
    make_listing(selling, live_at=at(1, 6))
    sale(selling, when=at(5, 8), amount=150_000, quantity=3)
    sale(selling, when=at(6, 8), source="bank_transfer", amount=200_000)
    make_product(producer, name="Mật ong bạc hà", expiry=dt.date(2027, 1, 15))
    other = ProducerFactory(commune=lao_cai_commune("Xã Trạm Tấu"), status="pending", representative="Lò Văn Minh",
                            phone="+84987654321")
    theirs = make_product(other, name="Táo mèo Trạm Tấu", stars=3)
    make_listing(theirs, live_at=at(1, 7), marketplace="lazada")
    sale(theirs, when=at(10, 9), marketplace="lazada", amount=90_000)
    return {"selling": selling, "other": other, "theirs": theirs}


def test_officer_page_shows_province_figures_charts_and_follow_ups(client, officer, province):
    client.force_login(officer)
    response = client.get(reverse("dashboard:index"), Q3)
    assert response.status_code == 200
    totals = response.context["summary"]["totals"]
    assert (totals["products"], totals["listed"], totals["listed_with_sales"]) == (3, 2, 2)
    html = response.content.decode()
    assert "<svg" in html and "<script>" not in html and "onclick" not in html
    assert "Quý 3/2026" in html and "440.000 ₫" in html  # revenue of all channels, VND formatted
    # every laggard is one click away, with a number to call
    not_listed = response.context["follow_ups"]["not_listed"]
    assert [p.name for p in not_listed["items"]] == ["Mật ong bạc hà"]
    assert reverse("portal:product", args=[not_listed["items"][0].pk]) in html
    assert [p.name for p in response.context["follow_ups"]["expiring"]["items"]] == ["Mật ong bạc hà"]
    unverified = response.context["follow_ups"]["not_verified"]["items"]
    assert [p.pk for p in unverified] == [province["other"].pk]
    assert 'href="tel:+84987654321"' in html and reverse("portal:producer", args=[province["other"].pk]) in html


def test_producer_sees_only_its_own_products(client, owner, province):
    client.force_login(owner)
    response = client.get(reverse("dashboard:index"), Q3)
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary["scope"] == "producer"
    assert summary["totals"]["products"] == 2 and summary["totals"]["listed_with_sales"] == 1
    assert [c["marketplace"] for c in summary["channels"] if c["kind"] == "marketplace"] == ["shopee"]
    html = response.content.decode()
    assert "Táo mèo Trạm Tấu" not in html and "Lò Văn Minh" not in html
    assert response.context["follow_ups"]["not_verified"]["count"] == 0


def test_filter_by_commune_narrows_the_page_and_the_export_link(client, officer, province):
    client.force_login(officer)
    commune = lao_cai_commune("Xã Trạm Tấu").code
    response = client.get(reverse("dashboard:index"), {**Q3, "commune": commune})
    assert response.context["summary"]["totals"]["products"] == 1
    assert f"commune={commune}" in response.content.decode().split('data-testid="dashboard-export"')[0].rsplit(
        "href=", 1)[1]


def test_anonymous_is_sent_to_login(client):
    for name in ("dashboard:index", "dashboard:export"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_bad_period_shows_a_message_not_an_error(client, officer):
    client.force_login(officer)
    response = client.get(reverse("dashboard:index"), {"from": "31/02/2026", "to": "01/03/2026"})
    assert response.status_code == 200
    assert "dd/mm/yyyy" in response.content.decode()
    assert client.get(reverse("dashboard:export"), {"from": "x", "to": "y"}).status_code == 400


def _sheet_rows(sheet):
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_export_matches_the_selectors(client, officer, province):
    client.force_login(officer)
    response = client.get(reverse("dashboard:export"), Q3)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('bao-cao-ocop-20260701-20260930.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content))
    summary = selectors.summary(user=officer, period=quarter_period(2026, 3))
    assert workbook.sheetnames[:7] == ["Tổng hợp", "Theo xã", "Theo huyện cũ", "Theo nhóm", "Theo hạng sao",
                                       "Theo loại hình", "Theo sàn"]
    overview = workbook["Tổng hợp"]
    values = {row[0]: row[1] for row in overview.iter_rows(values_only=True) if row and row[0]}
    assert values["Số sản phẩm OCOP còn hiệu lực"] == summary["totals"]["products"] == 3
    assert values["Lên sàn và có giao dịch trên sàn"] == summary["totals"]["listed_with_sales"]
    assert values["Tỷ lệ có giao dịch (%)"] == summary["totals"]["sales_rate"]
    assert values["Từ ngày"] == dt.datetime(2026, 7, 1)
    assert overview["B3"].number_format == "dd/mm/yyyy"
    for dimension, title in (("commune", "Theo xã"), ("group", "Theo nhóm"), ("stars", "Theo hạng sao"),
                             ("kind", "Theo loại hình"), ("marketplace", "Theo sàn")):
        rows = _sheet_rows(workbook[title])
        expected = summary["breakdowns"][dimension]
        assert [(r[0], r[1], r[2], r[4]) for r in rows] == [
            (e["label"], e["products"], e["listed"], e["listed_with_sales"]) for e in expected], dimension
    assert workbook["Theo xã"].cell(row=1, column=2).value == "Số sản phẩm OCOP còn hiệu lực"
    channels = workbook["Doanh thu theo kênh"]
    rows = _sheet_rows(channels)
    assert rows[-1] == ["Tổng cộng", 3, 5, 440_000]
    assert channels.cell(row=2, column=4).number_format == '#,##0 "₫"'
    not_listed = _sheet_rows(workbook["Chưa lên sàn"])
    assert [(r[1], r[4]) for r in not_listed] == [("Mật ong bạc hà", dt.datetime(2027, 1, 15))]
    assert workbook["Chưa lên sàn"].cell(row=2, column=5).number_format == "dd/mm/yyyy"
    trend = _sheet_rows(workbook["Xu hướng theo tháng"])
    assert [row[0] for row in trend][::11] == ["10/2025", "09/2026"]  # twelve months ending with the period
    assert trend[-1][1:4] == [3, 2, 66.7] and trend[-1][-1] == 100


def test_export_of_a_producer_holds_only_its_products(client, owner, province):
    client.force_login(owner)
    workbook = load_workbook(io.BytesIO(client.get(reverse("dashboard:export"), Q3).content))
    names = [row[1] for name in ("Chưa lên sàn", "Sắp hết hạn chứng nhận") for row in _sheet_rows(workbook[name])]
    assert "Táo mèo Trạm Tấu" not in names and "Mật ong bạc hà" in names
    assert _sheet_rows(workbook["Chủ thể chưa xác minh"]) == []


def test_api_numbers_equal_the_page(client, officer, province):
    client.force_login(officer)
    page = client.get(reverse("dashboard:index"), Q3).context
    api = APIClient()
    api.force_authenticate(officer)
    response = api.get("/api/dashboard/summary/", {"period": "quarter", "year": 2026, "quarter": 3})
    assert response.status_code == 200
    data = response.json()
    assert data["totals"] == page["summary"]["totals"]
    assert data["breakdowns"] == page["summary"]["breakdowns"]
    assert data["channels"] == page["summary"]["channels"]
    assert data["trend"] == page["trend"]
    assert data["period"]["start"] == "2026-07-01" and data["scope"] == "province"


def test_api_custom_period_month_and_scope(officer, owner, province):
    api = APIClient()
    api.force_authenticate(owner)
    month = api.get("/api/dashboard/summary/", {"period": "month", "year": 2026, "month": 9}).json()
    assert month["totals"]["products"] == 2 and month["scope"] == "producer"
    custom = api.get("/api/dashboard/summary/", {"from": "01/08/2026", "to": "31/08/2026"}).json()
    assert custom["period"]["kind"] == "custom" and custom["totals"]["listed_with_sales"] == 1
    bad = api.get("/api/dashboard/summary/", {"period": "week"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid" and "period" in bad.json()["fields"]


def test_api_refuses_anonymous():
    response = APIClient().get("/api/dashboard/summary/")
    assert response.status_code in (401, 403)
    assert response.json()["error"] == "not_authenticated"


def test_api_is_documented(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/dashboard/summary/" in schema and "listed_with_sales_or_transfer" in schema


def test_a_member_of_no_producer_sees_empty_figures(client, db):
    from tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("dashboard:index"), Q3)
    assert response.status_code == 200 and response.context["summary"]["totals"]["products"] == 0


def test_summary_api_refuses_malformed_parameters(client, django_user_model):
    from tests.factories import make_officer

    client.force_login(make_officer(username="canbo-api"))
    for query in ("month=null", "month=13", "quarter=0", "stars=2", "kind=XYZ", "year=abc"):
        response = client.get(f"/api/dashboard/summary/?{query}")
        assert response.status_code == 400, query
        assert response.json()["error"] == "invalid"
    assert client.get("/api/dashboard/summary/?month=&stars=").status_code == 200
