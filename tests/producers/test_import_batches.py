"""The OCOP list import writes in batches (issue 8): same results as row by row, one audit entry for
the file, and a row the database refuses is rejected alone, with its row number."""
import io
import re
import zipfile
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.db import connection
from openpyxl import Workbook

from producers.importing import import_ocop_list
from producers.models import OcopProduct, Producer

pytestmark = pytest.mark.django_db

XLSX = Path(__file__).resolve().parent.parent / "data" / "ocop" / "lao_cai_ocop_2024.xlsx"


def run_import(path=XLSX, **kwargs):
    with open(path, "rb") as stream:
        return import_ocop_list(file=stream, filename=path.name, **kwargs)


def outcome(report):
    return [(r.row, r.status, r.producer_created, r.reasons, r.warnings) for r in report.rows]


def contents():
    return (
        sorted(Producer.objects.values_list("name", "kind", "tax_code", "phone", "commune__name", "old_district",
                                            "status", "status_note")),
        sorted(OcopProduct.objects.values_list("producer__name", "name", "name_key", "group_id", "stars", "subgroup",
                                               "certificate_number", "certificate_date", "certificate_expiry")),
    )


def refuse_inserting_product(name):
    """A database trigger refuses one product: the database says no where the checks in Python
    said yes (as when someone else wrote the same row meanwhile)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER refuse_product BEFORE INSERT ON producers_ocopproduct "
                f"WHEN NEW.name = '{name}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_product() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.name = '{name}' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ "
                "LANGUAGE plpgsql"
            )
            cursor.execute("CREATE TRIGGER refuse_product BEFORE INSERT ON producers_ocopproduct "
                           "FOR EACH ROW EXECUTE FUNCTION refuse_product()")


@pytest.mark.parametrize("size", [1, 2, 3])
def test_any_batch_size_gives_the_same_report_and_rows(settings, size):
    default = run_import(dry_run=False)
    expected_outcome, expected_contents = outcome(default), contents()
    OcopProduct.objects.all().delete()
    Producer.objects.all().delete()
    settings.IMPORT_BATCH_SIZE = size

    report = run_import()

    assert outcome(report) == expected_outcome
    assert contents() == expected_contents
    assert all(r.product_id for r in report.rows if r.status == "created")


def test_new_rows_get_timestamps_keys_and_expiry_like_a_save():
    report = run_import()

    tea = OcopProduct.objects.get(name="Chè Shan tuyết Suối Giàng")
    assert report.row(8).product_id == tea.pk
    assert tea.created_at is not None and tea.updated_at is not None
    assert tea.name_key == "che shan tuyet suoi giang"
    assert tea.producer.name_key == "htx che suoi giang"
    assert tea.producer.created_at is not None


def test_a_row_the_database_refuses_is_rejected_alone_and_the_rest_of_its_batch_is_written():
    refuse_inserting_product("Hồng trà Suối Giàng")  # row 9, in the same batch as every other row

    report = run_import()

    assert (report.created, report.rejected, report.producers_created) == (6, 5, 6)
    assert report.row(9).status == "rejected"
    assert report.row(9).reasons == ["Không ghi được dòng này vào cơ sở dữ liệu (trùng hoặc sai dữ liệu)."]
    assert [r.row for r in report.rejected_rows] == [9, 11, 15, 16, 20]
    assert not OcopProduct.objects.filter(name="Hồng trà Suối Giàng").exists()
    assert OcopProduct.objects.count() == 6
    assert OcopProduct.objects.get(name="Chè Shan tuyết Suối Giàng").pk == report.row(8).product_id


def test_when_the_row_that_created_a_producer_is_refused_the_next_row_creates_it():
    refuse_inserting_product("Chè Shan tuyết Suối Giàng")  # row 8 creates the producer of row 9

    report = run_import()

    assert report.row(8).status == "rejected" and not report.row(8).producer_created
    assert report.row(9).status == "created" and report.row(9).producer_created
    assert "Trùng" not in " ".join(report.row(9).warnings)
    producer = Producer.objects.get(name="HTX Chè Suối Giàng")
    assert list(producer.products.values_list("name", flat=True)) == ["Hồng trà Suối Giàng"]
    assert Producer.objects.count() == 6


def test_one_audit_entry_for_the_file_instead_of_one_per_row(officer):
    before = LogEntry.objects.count()

    report = run_import(user=officer)

    assert LogEntry.objects.count() == before + 1  # none for the 7 products and 6 producers
    entry = LogEntry.objects.order_by("-pk").first()
    assert entry.actor == officer
    assert entry.object_repr == "Nhập danh sách OCOP từ tệp “lao_cai_ocop_2024.xlsx”"
    assert entry.changes["Tạo mới"] == [None, "7"] and entry.changes["Bị từ chối"] == [None, "4"]
    summary = entry.additional_data["import"]
    assert (summary["created"], summary["rejected"], summary["producers_created"]) == (7, 4, 6)
    assert sorted(summary["products_created"]) == sorted(OcopProduct.objects.values_list("pk", flat=True))
    assert sorted(summary["producers_created_ids"]) == sorted(Producer.objects.values_list("pk", flat=True))
    assert summary["rejected_rows"] == [11, 15, 16, 20]
    assert report.created == 7


def test_a_reimport_is_recorded_too_and_a_dry_run_is_not():
    run_import()
    run_import(dry_run=True)
    run_import()

    entries = list(LogEntry.objects.order_by("pk"))
    assert len(entries) == 2
    assert entries[1].additional_data["import"]["unchanged"] == 7
    assert entries[1].action == LogEntry.Action.UPDATE


def test_a_sheet_whose_dimension_is_wrong_is_still_read_to_its_last_column(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["STT", "Tên sản phẩm", "Chủ thể", "Loại hình", "Xã", "Nhóm sản phẩm", "Hạng sao"])
    sheet.append([1, "Miến dong Bát Xát", "HTX Miến dong Bát Xát", "HTX", "Bát Xát", "Thực phẩm", "4 sao"])
    plain = io.BytesIO()
    workbook.save(plain)
    # Some generators write <dimension ref="A1"/> whatever the size of the sheet.
    path = tmp_path / "ds.xlsx"
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', data)
                assert b'<dimension ref="A1"/>' in data
            target.writestr(item, data)

    report = run_import(path)

    assert (report.created, report.rejected) == (1, 0)
    assert OcopProduct.objects.get().stars == 4
