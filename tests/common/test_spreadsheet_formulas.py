"""Spreadsheets without formulas: text people typed (an unverified sign-up is enough) is written as
text in every xlsx we produce, never as a formula, an error cell or a DDE payload."""
import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from common.spreadsheet import append_row, csv_row, csv_value, set_cell
from listings import services as listing_services
from listings.models import Listing
from producers.models import Producer
from tests.factories import OcopProductFactory, ProducerFactory, make_member

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "=1+1",
    '=HYPERLINK("http://evil.example","x")',
    "+1",
    "-1+2",
    "@SUM(A1)",
    "\t=3+4",
    "\r=5+6",
    "#N/A",
]


def _formula_cells(content):
    """Every formula or error cell openpyxl reads back, and every <f> element in the sheets' XML."""
    workbook = load_workbook(io.BytesIO(content))
    found = [(sheet.title, cell.coordinate, cell.value) for sheet in workbook.worksheets
             for row in sheet.iter_rows() for cell in row if cell.data_type in ("f", "e")]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and re.search(rb"<(\w+:)?f[ >/]", archive.read(name)):
                found.append((name, "<f>", None))
    return found


def _texts(content):
    workbook = load_workbook(io.BytesIO(content))
    return {cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
            if isinstance(cell.value, str)}


def test_helper_writes_text_as_text_and_keeps_numbers_and_dates():
    workbook = Workbook()
    sheet = workbook.active
    append_row(sheet, [*PAYLOADS, 150000, 2.5, Decimal(3), dt.date(2026, 7, 1), None, "bình thường"])
    set_cell(sheet["A3"], "=2+2")
    append_row(sheet, ["tên có ký tự\x07điều khiển"])
    out = io.BytesIO()
    workbook.save(out)
    content = out.getvalue()
    assert _formula_cells(content) == []
    row = [cell.value for cell in load_workbook(io.BytesIO(content)).active[1]]
    # the values come back exactly as typed (CR is normalised to LF by the XML itself)
    assert row[:len(PAYLOADS)] == [p.replace("\r", "\n") for p in PAYLOADS]
    assert row[len(PAYLOADS):len(PAYLOADS) + 4] == [150000, 2.5, 3, dt.datetime(2026, 7, 1)]
    assert sheet["A1"].quotePrefix and not sheet[f"{sheet.cell(row=1, column=len(PAYLOADS) + 6).coordinate}"].quotePrefix
    assert load_workbook(io.BytesIO(content)).active["A4"].value == "tên có ký tựđiều khiển"


def test_csv_values_are_neutralised_and_numbers_stay_numbers():
    assert [csv_value(p) for p in PAYLOADS[:6]] == ["'" + p for p in PAYLOADS[:6]]
    assert csv_value("\r=1") == "'\r=1"
    assert csv_row([150000, -3, 2.5, Decimal("-1.5"), None, "Chè Shan tuyết", "a=b"]) == [
        150000, -3, 2.5, Decimal("-1.5"), "", "Chè Shan tuyết", "a=b"]
    buffer = io.StringIO()
    csv.writer(buffer).writerow(csv_row(["=1+1", -5, "@SUM(A1)"]))
    assert buffer.getvalue().startswith("'=1+1,-5,'@SUM(A1)")


@pytest.fixture
def planted():
    """An unverified sign-up and a verified producer whose every free-text field holds a formula."""
    producers = []
    for index, text in enumerate(PAYLOADS):
        status = Producer.Status.PENDING if index % 2 else Producer.Status.VERIFIED
        producer = ProducerFactory(name=text, representative=text, phone=text[:16], email=text, old_district=text,
                                   status=status)
        OcopProductFactory(producer=producer, name=text, certificate_number=text, unit=text, description=text,
                           certificate_date=dt.date.today() - dt.timedelta(days=3 * 365 - 30))
        producers.append(producer)
    return producers


def test_department_export_has_no_formula(client, officer, planted):
    client.force_login(officer)
    response = client.get(reverse("dashboard:export"), {"period": "quarter", "year": "2026", "quarter": "3"})
    assert response.status_code == 200
    assert _formula_cells(response.content) == []
    texts = _texts(response.content)
    assert {p.replace("\r", "\n") for p in PAYLOADS} <= texts  # written, as text


def test_feed_spreadsheet_has_no_formula():
    producer = ProducerFactory(name="=1+1")
    owner, _ = make_member(producer=producer)
    account = listing_services.account_connect(producer=producer, user=owner, marketplace="postmart")
    for text in PAYLOADS:
        product = OcopProductFactory(producer=producer, name=text, unit=text, description=text, gtin="")
        Listing.objects.create(product=product, account=account, status=Listing.Status.IN_REVIEW)
    content = listing_services.feed_spreadsheet(account=account)
    assert _formula_cells(content) == []
    assert {p.replace("\r", "\n") for p in PAYLOADS} <= _texts(content)
