"""Import of the province's OCOP list: the sample files under tests/data/ocop/ imitate real ones."""
import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from producers.importing import (
    ImportFileError,
    district_text,
    find_header,
    header_field,
    import_ocop_list,
    parse_date,
    parse_kind,
    parse_stars,
)
from producers.models import OcopProduct, Producer
from tests.factories import ProducerFactory, lao_cai_commune, make_member

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "ocop"
XLSX = SAMPLES / "lao_cai_ocop_2024.xlsx"
CSV = SAMPLES / "lao_cai_ocop_2024.csv"
CP1258 = SAMPLES / "van_yen_cp1258.csv"


def run_import(path, dry_run=False, user=None):
    with open(path, "rb") as stream:
        return import_ocop_list(file=stream, filename=path.name, dry_run=dry_run, user=user)


def import_text(text, filename="list.csv", encoding="utf-8-sig"):
    return import_ocop_list(file=io.BytesIO(text.encode(encoding)), filename=filename, dry_run=False)


def snapshot():
    return (
        sorted(Producer.objects.values_list("name", "kind", "commune__name", "status", "updated_at")),
        sorted(OcopProduct.objects.values_list(
            "producer__name", "name", "group_id", "stars", "certificate_number", "certificate_date",
            "certificate_expiry", "updated_at",
        )),
    )


# --- The sample spreadsheet ------------------------------------------------------------------

def test_sample_xlsx_imports_good_rows_and_rejects_bad_ones():
    report = run_import(XLSX)

    assert (report.created, report.updated, report.unchanged, report.rejected) == (7, 0, 0, 4)
    assert report.producers_created == 6
    assert report.sheets == ["DS OCOP 2024"]  # the notes sheet has no header and is skipped
    assert OcopProduct.objects.count() == 7
    assert Producer.objects.count() == 6
    assert set(Producer.objects.values_list("status", flat=True)) == {Producer.Status.VERIFIED}


def test_sample_values_are_read_from_every_format_in_the_file():
    run_import(XLSX)

    tea = OcopProduct.objects.get(name="Chè Shan tuyết Suối Giàng")
    assert (tea.group_id, tea.stars, tea.certificate_number) == ("do-uong", 4, "1234/QĐ-UBND")
    assert tea.certificate_date == date(2023, 6, 12)  # a spreadsheet date cell
    assert tea.certificate_expiry == date(2026, 6, 12)  # 36 months later
    suoi_giang = tea.producer
    assert suoi_giang.kind == Producer.Kind.COOPERATIVE
    assert suoi_giang.commune.name == "Xã Văn Chấn"
    assert suoi_giang.old_district == "huyện Văn Chấn"  # from the section row "HUYỆN VĂN CHẤN (CŨ)"
    assert (suoi_giang.tax_code, suoi_giang.phone) == ("5200123456", "+84912345678")
    # The producer's cells are merged over its two products: both rows reach the same producer.
    black_tea = OcopProduct.objects.get(name="Hồng trà Suối Giàng")
    assert black_tea.producer == suoi_giang
    assert (black_tea.stars, black_tea.subgroup, black_tea.certificate_date) == (4, "Chè", date(2023, 6, 12))

    rice = OcopProduct.objects.get(name="Gạo nếp Tú Lệ")
    assert (rice.stars, rice.group_id, rice.certificate_date) == (3, "thuc-pham", date(2022, 1, 5))
    assert rice.producer.kind == Producer.Kind.COOPERATIVE_GROUP
    assert rice.producer.old_district == "huyện Văn Chấn"
    cinnamon = OcopProduct.objects.get(name="Quế Văn Yên")
    assert cinnamon.certificate_date == date(2024, 3, 15)  # Excel serial number 45366
    assert cinnamon.producer.commune.name == "Xã Đông Cuông"  # from the address
    oil = OcopProduct.objects.get(name="Tinh dầu quế Mậu A")
    # "Thảo dược" is Decision 490's name for herbs.
    assert (oil.group_id, oil.stars, oil.certificate_date) == ("duoc-lieu", 5, date(2023, 8, 7))
    assert oil.producer.kind == Producer.Kind.ENTERPRISE
    assert oil.producer.tax_code == ""  # the file's "5200765432-001" has a wrong check digit
    brocade = OcopProduct.objects.get(name="Thổ cẩm Sa Pa")
    assert brocade.group_id == "thu-cong-my-nghe"
    assert brocade.producer.old_district == "thị xã Sa Pa"
    honey = OcopProduct.objects.get(name="Mật ong rừng Y Tý")
    assert honey.producer.kind == Producer.Kind.COOPERATIVE  # no kind given: read from "HTX ..."
    assert (honey.certificate_number, honey.certificate_date) == ("1502/QĐ-UBND", date(2023, 6, 15))


@pytest.mark.parametrize(
    "row, reason",
    [
        (11, "Hạng sao phải là 3, 4 hoặc 5 (ô ghi “6”)."),
        (15, "Thiếu tên sản phẩm."),
        (16, "Không tìm thấy xã/phường “Xã Suối Giàng” trong tỉnh Lào Cai"),
        (20, "Ngày quyết định không hợp lệ: “31/02/2024”"),
    ],
)
def test_each_bad_row_is_reported_with_its_spreadsheet_row_number_and_reason(row, reason):
    report = run_import(XLSX)

    rejected = report.row(row)
    assert rejected.status == "rejected"
    assert any(r.startswith(reason) for r in rejected.reasons), rejected.reasons
    assert [r.row for r in report.rejected_rows] == [11, 15, 16, 20]


def test_nothing_of_a_rejected_row_is_written():
    run_import(XLSX)

    assert not Producer.objects.filter(name="HTX Nông lâm sản Mù Cang Chải").exists()
    assert not Producer.objects.filter(name="HTX Rượu ngô Bản Phố").exists()
    assert not Producer.objects.filter(name="HTX Măng tre Bát Độ").exists()


def test_a_landline_is_kept_like_a_mobile():
    report = run_import(XLSX)

    row = report.row(10)
    assert row.status == "created" and row.warnings == []
    assert Producer.objects.get(name="Tổ hợp tác sản xuất gạo nếp Tú Lệ").phone == "+842163870123"


def test_a_tax_code_with_a_wrong_check_digit_is_left_out_with_a_warning_the_row_goes_in():
    report = run_import(XLSX)

    row = next(r for r in report.rows if r.product == "Tinh dầu quế Mậu A")
    assert row.status == "created"
    assert row.warnings == [
        "Bỏ qua mã số thuế “5200765432-001”: Mã số thuế sai chữ số kiểm tra (chữ số thứ 10)."
    ]


def test_reimporting_the_same_file_changes_nothing():
    run_import(XLSX)
    before = snapshot()

    report = run_import(XLSX)

    assert (report.created, report.updated, report.unchanged, report.rejected) == (0, 0, 7, 4)
    assert report.producers_created == 0
    assert snapshot() == before


def test_the_csv_variant_with_other_header_spellings_matches_the_xlsx():
    run_import(XLSX)
    before = snapshot()

    report = run_import(CSV)

    assert report.columns["stars"] == "Số sao" and report.columns["certificate_date"] == "Ngày cấp"
    assert (report.created, report.updated, report.unchanged, report.rejected) == (0, 0, 7, 4)
    assert snapshot() == before


def test_the_csv_variant_alone_gives_the_same_counts():
    report = run_import(CSV)

    assert (report.created, report.rejected, report.producers_created) == (7, 4, 6)
    assert [r.row for r in report.rejected_rows] == [8, 12, 13, 17]


def test_a_windows_1258_csv_is_decoded():
    report = run_import(CP1258)

    assert (report.created, report.rejected) == (2, 0)
    noodles = OcopProduct.objects.get(name="Miến dong Đông Cuông")
    assert noodles.producer.name == "Hộ kinh doanh Hoàng Thị Lụa"
    assert noodles.producer.kind == Producer.Kind.HOUSEHOLD
    assert noodles.producer.commune.name == "Xã Đông Cuông"
    assert noodles.producer.old_district == "huyện Văn Yên"


def test_dry_run_writes_nothing_but_reports_the_same():
    report = run_import(XLSX, dry_run=True)

    assert (report.created, report.rejected, report.producers_created) == (7, 4, 6)
    assert report.dry_run
    assert Producer.objects.count() == 0
    assert OcopProduct.objects.count() == 0


def test_a_changed_row_updates_the_product():
    run_import(XLSX)
    tea = OcopProduct.objects.get(name="Chè Shan tuyết Suối Giàng")
    tea.stars = 3
    tea.save()

    report = run_import(XLSX)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 6)
    assert report.row(8).changed_fields == ["hạng sao"]
    tea.refresh_from_db()
    assert tea.stars == 4


def test_an_existing_pending_producer_is_matched_not_verified():
    given = ProducerFactory(
        name="htx  che SUOI giang", commune=lao_cai_commune("Xã Văn Chấn"), tax_code="",
        status=Producer.Status.PENDING,
    )

    report = run_import(XLSX)

    assert report.row(8).status == "created" and not report.row(8).producer_created
    assert "cán bộ cần xác minh" in report.row(8).warnings[0]
    given.refresh_from_db()
    assert given.status == Producer.Status.PENDING
    assert given.tax_code == "5200123456"  # a blank field is filled in
    assert given.products.count() == 2


# --- Headers and values ----------------------------------------------------------------------

HEADER_VARIANTS = [
    "STT;Tên sản phẩm;Chủ thể;Loại hình;Xã;Nhóm sản phẩm;Hạng sao;Số quyết định;Ngày quyết định",
    "tt;TEN SAN PHAM;Tên chủ thể;Loại hình chủ thể;Xã/phường;Nhóm;Số sao;Số QĐ;Ngày cấp",
    (
        "Số TT;Tên  sản   phẩm OCOP;Chủ thể sản xuất;LOẠI HÌNH;Xã, phường;Ngành hàng;Phân hạng;"
        "Quyết định công nhận;Ngày công nhận"
    ),
    "STT;Tên SP;Đơn vị;Loại hình;Phường/Xã;Nhóm SP;Kết quả phân hạng;QĐ công nhận;Ngày ban hành",
]


@pytest.mark.parametrize("header", HEADER_VARIANTS)
def test_header_variants_are_recognised(header):
    text = (
        "DANH SÁCH SẢN PHẨM OCOP\n\n" + header + "\n"
        "1;Miến dong Bát Xát;HTX Miến dong Bát Xát;HTX;Bát Xát;Thực phẩm;4 sao;12/QĐ-UBND;01/02/2024\n"
    )

    report = import_text(text)

    assert (report.created, report.rejected) == (1, 0), report.rows[0].reasons if report.rows else report
    product = OcopProduct.objects.get()
    assert (product.name, product.stars, product.certificate_number) == ("Miến dong Bát Xát", 4, "12/QĐ-UBND")
    assert product.certificate_date == date(2024, 2, 1)
    assert product.producer.commune.name == "Xã Bát Xát"


def test_comma_delimited_csv_with_quoted_addresses():
    text = (
        "STT,Tên sản phẩm,Chủ thể,Loại hình,Địa chỉ,Nhóm sản phẩm,Số sao\n"
        '1,Thịt trâu gác bếp,Hộ kinh doanh Lò Thị Hoa,HKD,"Bản Mọ, xã Mường Khương",Thực phẩm,3\n'
    )

    report = import_text(text, encoding="utf-8")

    assert report.created == 1
    assert Producer.objects.get().commune.name == "Xã Mường Khương"


def test_missing_required_column_is_a_file_error():
    with pytest.raises(ImportFileError, match="Hạng sao"):
        import_text("STT;Tên sản phẩm;Chủ thể;Nhóm sản phẩm;Xã\n1;Chè;HTX Chè;Đồ uống;Tú Lệ\n")


def test_a_file_without_a_header_is_refused():
    with pytest.raises(ImportFileError, match="Không tìm thấy dòng tiêu đề"):
        import_text("a;b;c\n1;2;3\n")


@pytest.mark.parametrize(
    "content, filename, message",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "ds.xls", ".xls"),
        (b"PK\x03\x04garbage", "ds.xlsx", "Không đọc được tệp .xlsx"),
        (b"%PDF-1.4", "ds.pdf", "Chỉ nhận tệp .xlsx hoặc .csv."),
        (b"", "ds.csv", "Tệp rỗng."),
    ],
)
def test_unusable_files_are_refused_with_a_message(content, filename, message):
    with pytest.raises(ImportFileError, match=message.replace(".", r"\.")):
        import_ocop_list(file=io.BytesIO(content), filename=filename, dry_run=False)


def test_file_size_and_row_count_are_bounded(settings):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportFileError, match="Tệp quá lớn"):
        import_ocop_list(file=io.BytesIO(b"x" * 101), filename="ds.csv", dry_run=False)
    settings.IMPORT_MAX_BYTES = 10_000_000
    settings.IMPORT_MAX_ROWS = 5
    rows = "".join(f"{n};SP {n};HTX A;HTX;Tú Lệ;Thực phẩm;3\n" for n in range(1, 50))
    with pytest.raises(ImportFileError, match="quá nhiều dòng"):
        import_text("STT;Tên sản phẩm;Chủ thể;Loại hình;Xã;Nhóm sản phẩm;Hạng sao\n" + rows)
    assert OcopProduct.objects.count() == 0


@pytest.mark.parametrize(
    "value, stars",
    [(4, 4), (4.0, 4), ("4", 4), ("4 sao", 4), ("4★", 4), ("4*", 4), ("★★★", 3), ("Bốn sao", 4),
     ("Hạng 5 sao", 5), ("ba sao", 3), (None, None), ("6", 6)],
)
def test_stars_are_read_in_their_usual_spellings(value, stars):
    assert parse_stars(value) == stars


@pytest.mark.parametrize("value", ["nhiều sao", "4.5", True])
def test_unreadable_stars_raise(value):
    with pytest.raises(ValueError):
        parse_stars(value)


@pytest.mark.parametrize(
    "value, expected",
    [("12/06/2023", date(2023, 6, 12)), ("5/1/2022", date(2022, 1, 5)), ("05-01-2022", date(2022, 1, 5)),
     ("5.1.22", date(2022, 1, 5)), ("2022-01-05", date(2022, 1, 5)),
     ("2022-01-05 00:00:00", date(2022, 1, 5)),
     (45366, date(2024, 3, 15)), ("45366", date(2024, 3, 15)),
     ("ngày 15 tháng 6 năm 2023", date(2023, 6, 15)), (None, None)],
)
def test_dates_are_read_day_first(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31/02/2024", "13/13/2024", "hôm qua", 12, "2024"])
def test_impossible_dates_raise(value):
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize(
    "kind, name, expected",
    [("HTX", "", "HTX"), ("Hợp tác xã", "", "HTX"), ("Doanh nghiệp", "", "DN"), ("Công ty TNHH", "", "DN"),
     ("Tổ hợp tác", "", "THT"), ("THT", "", "THT"), ("Hộ kinh doanh", "", "HKD"), ("HKD", "", "HKD"),
     ("", "Công ty cổ phần Chè Bát Đại Sơn", "DN"), ("", "Hộ kinh doanh Lý Thị Mẩy", "HKD"),
     ("", "Suối Giàng Tea", None)],
)
def test_producer_kinds_are_read_from_abbreviations_words_or_the_name(kind, name, expected):
    assert parse_kind(kind, name) == expected


@pytest.mark.parametrize(
    "value, expected",
    [("Văn Yên", "huyện Văn Yên"), ("Huyện Văn Yên", "huyện Văn Yên"), ("H. Văn Chấn", "huyện Văn Chấn"),
     ("TX Sa Pa", "thị xã Sa Pa"), ("TP. Lào Cai", "thành phố Lào Cai"),
     ("HUYỆN BẮC HÀ (CŨ)", "huyện Bắc Hà")],
)
def test_old_district_text_is_normalised(value, expected):
    assert district_text(value) == expected


def test_header_matching_ignores_case_diacritics_and_spacing():
    assert header_field("  TÊN   sản phẩm ") == "name"
    assert header_field("Ten san pham OCOP") == "name"
    assert header_field("Đơn vị tính") == "unit"
    assert header_field("Đơn vị") == "producer"
    assert header_field("Ghi chú") is None


def test_a_two_row_header_is_read():
    rows = [
        (1, ["STT", "Tên sản phẩm", "Chủ thể", "Hạng sao", "Nhóm", "Quyết định công nhận",
             "Quyết định công nhận"]),
        (2, ["STT", "Tên sản phẩm", "Chủ thể", "Hạng sao", "Nhóm", "Số", "Ngày"]),
        (3, [1, "Chè", "HTX Chè", 4, "Đồ uống", "1/QĐ", "01/01/2024"]),
    ]

    start, columns, _labels = find_header(rows)

    assert start == 2
    assert columns["certificate_number"] == 5 and columns["certificate_date"] == 6


# --- The command -----------------------------------------------------------------------------

def test_command_exits_1_and_prints_the_rejected_rows():
    out = io.StringIO()

    with pytest.raises(CommandError) as error:
        call_command("import_ocop", str(XLSX), stdout=out)

    assert error.value.returncode == 1
    assert "4 dòng bị từ chối" in str(error.value)
    printed = out.getvalue()
    assert "Tạo mới: 7 · Cập nhật: 0 · Không đổi: 0 · Bị từ chối: 4 · Chủ thể mới: 6" in printed
    assert "Dòng 11: Hạng sao phải là 3, 4 hoặc 5" in printed
    assert "Dòng 16: Không tìm thấy xã/phường “Xã Suối Giàng”" in printed
    assert OcopProduct.objects.count() == 7


def test_command_exits_0_when_every_row_is_imported():
    out = io.StringIO()

    call_command("import_ocop", str(CP1258), stdout=out)

    assert "Tạo mới: 2 · Cập nhật: 0 · Không đổi: 0 · Bị từ chối: 0" in out.getvalue()
    assert OcopProduct.objects.count() == 2


def test_command_dry_run_writes_nothing():
    out = io.StringIO()

    call_command("import_ocop", str(CP1258), "--dry-run", stdout=out)

    assert "Chạy thử: không ghi gì" in out.getvalue()
    assert OcopProduct.objects.count() == 0


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("import_ocop", str(tmp_path / "khong-co.xlsx"))


# --- The upload page -------------------------------------------------------------------------

def upload(path):
    return SimpleUploadedFile(path.name, path.read_bytes())


def test_officer_sees_the_upload_form(client, officer):
    client.force_login(officer)

    response = client.get(reverse("portal:import"))

    assert response.status_code == 200
    assert b'data-testid="import-form"' in response.content


def test_officer_imports_and_sees_the_row_report(client, officer):
    client.force_login(officer)

    response = client.post(reverse("portal:import"), {"file": upload(XLSX)})

    assert response.status_code == 200
    report = response.context["report"]
    assert (report.created, report.rejected) == (7, 4)
    assert OcopProduct.objects.count() == 7
    assert Producer.objects.get(name="HTX Chè Suối Giàng").status_changed_by == officer
    html = response.content.decode()
    assert 'data-testid="count-created">7<' in html
    assert "Hạng sao phải là 3, 4 hoặc 5 (ô ghi “6”)." in html


def test_officer_dry_run_from_the_page_writes_nothing(client, officer):
    client.force_login(officer)

    response = client.post(reverse("portal:import"), {"file": upload(XLSX), "dry_run": "on"})

    assert response.status_code == 200
    assert response.context["report"].created == 7
    assert "Kết quả chạy thử" in response.content.decode()
    assert OcopProduct.objects.count() == 0


def test_page_shows_a_file_error_on_the_form(client, officer):
    client.force_login(officer)

    response = client.post(
        reverse("portal:import"), {"file": SimpleUploadedFile("ds.csv", b"a;b\n1;2\n")}
    )

    assert response.status_code == 200
    assert response.context["report"] is None
    assert "Không tìm thấy dòng tiêu đề" in response.content.decode()


def test_producer_member_gets_403(client, owner):
    client.force_login(owner)

    assert client.get(reverse("portal:import")).status_code == 403
    assert client.post(reverse("portal:import"), {"file": upload(XLSX)}).status_code == 403
    assert OcopProduct.objects.count() == 0


def test_anonymous_is_sent_to_login(client):
    response = client.post(reverse("portal:import"), {"file": upload(XLSX)})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert OcopProduct.objects.count() == 0


def test_service_refuses_a_user_who_is_not_an_officer():
    user, _producer = make_member(username="htx-khac")

    with pytest.raises(Exception, match="Chỉ cán bộ"):
        run_import(XLSX, user=user)


def test_a_first_data_row_without_a_name_is_not_taken_for_a_sub_header():
    text = (
        "STT;Tên sản phẩm;Chủ thể;Loại hình;Xã;Nhóm sản phẩm;Hạng sao\n"
        ";;HTX Măng tre Bát Độ;HTX;Xuân Ái;Thực phẩm;3\n"
        "2;Măng tre Bát Độ sấy khô;HTX Măng tre Bát Độ;HTX;Xuân Ái;Thực phẩm;3\n"
    )

    report = import_text(text)

    assert [(r.row, r.status) for r in report.rows] == [(2, "rejected"), (3, "created")]
    assert report.row(2).reasons == ["Thiếu tên sản phẩm."]
