"""The officers' audit log reads as Vietnamese sentences: who (name and role), what, which object,
which fields with their Vietnamese names and human values, local time; never raw field names or
Python values; a list that fits a phone."""
import re
from datetime import UTC, date, datetime

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from listings.services import account_connect, listing_create
from payments.models import Bank, BankAccount
from producers import audit, services
from producers.models import Membership, OcopProduct, Producer
from tests.factories import OcopProductFactory, ProducerFactory, make_member

pytestmark = pytest.mark.django_db

RAW = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|[\[\]{}]|\b[a-z]+_[a-z_]+\b|\b(?:owner|staff|pending|verified)\b")


def _lines(model_or_obj, **filters):
    entries = LogEntry.objects.get_for_object(model_or_obj) if not isinstance(model_or_obj, type) else (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model_or_obj)))
    return audit.describe(entries.filter(**filters).order_by("pk"))


def _text(line):
    return " ".join([line.sentence, *line.changes, line.when])


def test_a_price_change_by_the_owner_reads_as_a_sentence(owner, producer):
    # given a product whose owner changes its price and stars
    product = OcopProductFactory(producer=producer, name="Chè Shan tuyết", price=120000, stars=3)
    with set_actor(owner):
        services.product_update(product=product, user=owner, price=150000, stars=4)
    # when the log entry is described
    line = _lines(product, action=LogEntry.Action.UPDATE)[-1]
    # then it says who, in which role, did what to which object, and how the fields changed
    assert line.sentence == "Nguyễn Văn An (chủ sở hữu) đã sửa sản phẩm OCOP “Chè Shan tuyết”"
    assert "giá bán: 120.000 ₫ → 150.000 ₫" in line.changes
    assert "hạng sao: 3 → 4" in line.changes
    assert not RAW.search(_text(line)), _text(line)


def test_a_new_product_lists_its_values_in_human_form(owner, producer):
    with set_actor(owner):
        product = services.product_create(
            producer=producer, user=owner, name="Miến dong Bát Xát", group=OcopProductFactory.build().group,
            stars=3, price=45000, certificate_date=date(2024, 5, 20), weight_grams=1500)
    line = _lines(product, action=LogEntry.Action.CREATE)[-1]
    assert line.sentence == "Nguyễn Văn An (chủ sở hữu) đã thêm sản phẩm OCOP “Miến dong Bát Xát”"
    text = _text(line)
    assert "ngày quyết định: 20/05/2024" in line.changes and "ngày hết hạn chứng nhận: 20/05/2027" in line.changes
    assert "nhóm sản phẩm: Đồ uống" in line.changes or "nhóm sản phẩm: Thực phẩm" in line.changes
    assert "giá bán: 45.000 ₫" in line.changes and "khối lượng (gam): 1.500" in line.changes
    assert f"chủ thể OCOP: {producer.name}" in line.changes
    assert not [change for change in line.changes if change.startswith("ID")]
    assert not RAW.search(text), text


def test_a_deleted_product_and_the_system_as_actor(producer):
    product = OcopProductFactory(producer=producer, name="Quế Văn Yên")
    OcopProduct.objects.filter(pk=product.pk).first().delete()
    line = _lines(OcopProduct, object_pk=str(product.pk), action=LogEntry.Action.DELETE)[-1]
    assert line.sentence == "Hệ thống đã xoá sản phẩm OCOP “Quế Văn Yên”"


def test_an_officer_verification_shows_choice_labels(officer):
    producer = ProducerFactory(status=Producer.Status.PENDING, name="HTX Quế Văn Yên")
    with set_actor(officer):
        services.producer_set_status(producer=producer, user=officer, status="verified", note="Đủ hồ sơ")
    line = _lines(producer, action=LogEntry.Action.UPDATE)[-1]
    assert line.sentence == "Trần Thị Bình (cán bộ Sở) đã sửa chủ thể OCOP “HTX Quế Văn Yên”"
    assert "trạng thái: Chờ xác minh → Đã xác minh" in line.changes
    assert "ghi chú xác minh: (trống) → Đủ hồ sơ" in line.changes
    assert not RAW.search(_text(line)), _text(line)


def test_a_bank_account_stays_masked_and_booleans_read_co_khong(owner, producer):
    with set_actor(owner):
        account = BankAccount.objects.create(producer=producer, bank=Bank.objects.get(bin="970436"),
                                             account_number="0071000123456", holder_name="NGUYEN VAN AN",
                                             is_default=True)
        account.is_active, account.is_default = False, False
        account.save()
    created, archived = _lines(account)
    everything = _text(created) + _text(archived)
    assert "0071000123456" not in everything and "0071000" not in everything
    assert created.sentence.startswith("Nguyễn Văn An (chủ sở hữu) đã thêm tài khoản ngân hàng “")
    assert "Vietcombank ******0123456 (NGUYEN VAN AN)" in created.sentence
    assert "số tài khoản / số thẻ: ******0123456" in created.changes
    assert "tài khoản mặc định: có" in created.changes
    assert "còn sử dụng: có → không" in archived.changes and "tài khoản mặc định: có → không" in archived.changes
    assert not RAW.search(everything), everything


def test_a_membership_and_a_listing_read_without_codes(owner, producer):
    staff, _ = make_member(producer=producer, role=Membership.Role.STAFF, username="nv", full_name="Giàng A Sử")
    product = OcopProductFactory(producer=producer, name="Chè Shan tuyết")
    with set_actor(owner):
        Membership.objects.filter(user=staff).first().save()
        shop = account_connect(producer=producer, user=owner, marketplace="sandbox", shop_name="Gian hàng A")
        shop = shop[0] if isinstance(shop, tuple) else shop
        listing = listing_create(product=product, account=shop, user=owner, price_override=99000,
                                 attributes={"mau_sac": "xanh", "kich_thuoc": ["S", "M"]})
    member_lines = _lines(Membership, object_pk=str(Membership.objects.get(user=staff).pk))
    assert member_lines[0].sentence == ("Hệ thống đã thêm thành viên “Giàng A Sử @ "
                                        f"{producer.name} (Nhân viên)”")
    assert "vai trò: Nhân viên" in member_lines[0].changes and "tài khoản: Giàng A Sử" in member_lines[0].changes
    line = _lines(listing, action=LogEntry.Action.CREATE)[-1]
    assert line.sentence.startswith("Nguyễn Văn An (chủ sở hữu) đã thêm niêm yết “")
    assert "giá trên sàn: 99.000 ₫" in line.changes
    assert "thuộc tính riêng của sàn: kich_thuoc: S, M; mau_sac: xanh" in line.changes
    assert "trạng thái: Nháp" in line.changes


def test_the_time_is_local_and_written_dd_mm_yyyy(owner, producer):
    product = OcopProductFactory(producer=producer)
    entry = LogEntry.objects.get_for_object(product).latest("pk")
    LogEntry.objects.filter(pk=entry.pk).update(timestamp=datetime(2026, 1, 2, 17, 30, tzinfo=UTC))
    assert _lines(product)[-1].when == "03/01/2026 00:30"


def test_an_import_reads_as_one_sentence(officer):
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(OcopProduct), object_pk="",
        object_repr="Nhập danh sách OCOP từ tệp “lao-cai-2025.xlsx”", action=LogEntry.Action.CREATE,
        changes={"Tạo mới": [None, "3"], "Bị từ chối": [None, "1"]}, actor=officer,
        additional_data={"import": {"file": "lao-cai-2025.xlsx"}})
    line = _lines(OcopProduct)[-1]
    assert line.sentence == "Trần Thị Bình (cán bộ Sở) đã nhập danh sách OCOP từ tệp “lao-cai-2025.xlsx”"
    assert line.changes == ["Tạo mới: 3", "Bị từ chối: 1"]


def test_the_officers_page_is_a_list_of_sentences_that_fits_a_phone(client, officer, owner, producer):
    # given thirty changes
    with set_actor(owner):
        for number in range(30):
            OcopProductFactory(producer=producer, name=f"Chè số {number}", price=150000)
    client.force_login(officer)
    # when the officer opens the log
    body = client.get(reverse("portal:audit_log")).content.decode()
    # then it is a list of sentences with local times, 25 to a page, and no table
    assert "<table" not in body
    assert "Nguyễn Văn An (chủ sở hữu) đã thêm sản phẩm OCOP “Chè số 29”" in body
    assert "giá bán: 150.000 ₫" in body
    assert "Chè số 0”" not in body and "Trang 1/2" in body
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", body)
    main = body[body.index("<main"):]
    assert not re.search(r">\s*(?:None|True|False|price|ocopproduct)\s*<", main)
    # and the filter offers the kinds of data by their Vietnamese names
    assert ">sản phẩm OCOP<" in body
    page2 = client.get(reverse("portal:audit_log"), {"page": 2}).content.decode()
    assert "Chè số 0”" in page2


def test_a_page_of_the_log_costs_a_bounded_number_of_queries(client, officer, owner, producer,
                                                             django_assert_max_num_queries):
    with set_actor(owner):
        for number in range(30):
            OcopProductFactory(producer=producer, name=f"Chè số {number}")
    client.force_login(officer)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("portal:audit_log")).status_code == 200


def test_a_stored_moment_reads_in_local_time(owner, producer):
    with set_actor(owner):
        shop = account_connect(producer=producer, user=owner, marketplace="sandbox", shop_name="Gian hàng A")
        shop = shop[0] if isinstance(shop, tuple) else shop
        shop.connected_at = datetime(2026, 3, 4, 18, 5, tzinfo=UTC)
        shop.save()
    line = _lines(shop, action=LogEntry.Action.UPDATE)[-1]
    assert line.sentence.startswith("Nguyễn Văn An (chủ sở hữu) đã sửa gian hàng trên sàn “Sàn thử nghiệm (sandbox) · ")
    assert any(change.startswith("kết nối lúc: ") and change.endswith(" → 05/03/2026 01:05") for change in line.changes)
    assert not RAW.search(_text(line)), _text(line)
