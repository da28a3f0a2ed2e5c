import pytest

from common.exceptions import DomainError, PermissionDenied
from payments.models import REFERENCE_ALPHABET, Bank, BankAccount, PaymentCode
from payments.services import (
    bank_account_archive,
    bank_account_create,
    banks_load,
    payment_code_create,
    payment_code_for_product,
)
from payments.vietqr import parse_payload
from tests.factories import OcopProductFactory

pytestmark = pytest.mark.django_db


def test_shipped_bank_list_is_loaded_with_the_big_four(banks):
    assert Bank.objects.count() >= 50
    by_bin = dict(Bank.objects.values_list("bin", "short_name"))
    assert by_bin["970436"] == "Vietcombank"
    assert by_bin["970415"] == "VietinBank"
    assert by_bin["970418"] == "BIDV"
    assert by_bin["970405"] == "Agribank"
    assert by_bin["970422"] == "MB"


def test_loading_again_keeps_what_an_administrator_edited(banks):
    Bank.objects.filter(bin="970436").update(short_name="VCB")
    assert banks_load() == 0
    assert Bank.objects.get(bin="970436").short_name == "VCB"


def test_holder_name_is_stored_upper_case_without_diacritics(owner, producer, vietcombank):
    producer.representative = "Đặng Thị Hoà"  # the holder must fit the producer (issue 12)
    producer.save()
    account = bank_account_create(
        user=owner, producer=producer, bank=vietcombank, account_number="0071 0012 34567",
        holder_name="  Đặng   thị Hoà ",
    )
    assert account.holder_name == "DANG THI HOA"
    assert account.account_number == "00710012345 67".replace(" ", "")
    assert account.is_default  # the first account becomes the default


def test_second_account_does_not_steal_the_default_unless_asked(owner, producer, account, banks):
    bidv = Bank.objects.get(bin="970418")
    second = bank_account_create(
        user=owner, producer=producer, bank=bidv, account_number="21510001234567", holder_name="Sung A Pao"
    )
    assert not second.is_default
    third = bank_account_create(
        user=owner, producer=producer, bank=bidv, account_number="9704181234567890", holder_name="Sung A Pao",
        is_card=True, is_default=True,
    )
    account.refresh_from_db()
    assert third.is_default and not account.is_default


def test_duplicate_account_is_refused_and_archived_one_revived(owner, producer, account, vietcombank):
    with pytest.raises(DomainError) as caught:
        bank_account_create(
            user=owner, producer=producer, bank=vietcombank, account_number=account.account_number, holder_name="X"
        )
    assert "account_number" in caught.value.fields
    bank_account_archive(user=owner, account=account)
    revived = bank_account_create(
        user=owner, producer=producer, bank=vietcombank, account_number=account.account_number, holder_name="Sùng A Páo"
    )
    assert revived.pk == account.pk and revived.is_active and revived.is_default


@pytest.mark.parametrize("number, is_card", [("12/34", False), ("1" * 20, False), ("9704ABC", True)])
def test_bad_account_numbers_are_refused(owner, producer, vietcombank, number, is_card):
    with pytest.raises(DomainError) as caught:
        bank_account_create(
            user=owner, producer=producer, bank=vietcombank, account_number=number, holder_name="A", is_card=is_card
        )
    assert "account_number" in caught.value.fields


def test_holder_name_with_digits_is_refused(owner, producer, vietcombank):
    with pytest.raises(DomainError) as caught:
        bank_account_create(
            user=owner, producer=producer, bank=vietcombank, account_number="123", holder_name="HTX 123"
        )
    assert "holder_name" in caught.value.fields


def test_another_producer_cannot_add_an_account(other_owner_and_producer, producer, vietcombank):
    stranger, _ = other_owner_and_producer
    with pytest.raises(PermissionDenied):
        bank_account_create(user=stranger, producer=producer, bank=vietcombank, account_number="1", holder_name="A")


def test_payment_code_carries_its_reference_in_the_purpose(owner, product, account):
    code = payment_code_create(user=owner, product=product)
    assert len(code.reference) == 6 and set(code.reference) <= set(REFERENCE_ALPHABET)
    assert code.purpose == f"OCOP {code.reference}"
    parsed = parse_payload(code.payload)
    assert (parsed.bank_bin, parsed.account, parsed.purpose) == ("970436", "1234567890123", code.purpose)
    assert parsed.amount is None and parsed.initiation == "static"
    assert code.created_by == owner


def test_payment_code_with_amount_is_dynamic(owner, product, account):
    code = payment_code_create(user=owner, product=product, amount=300000)
    parsed = parse_payload(code.payload)
    assert parsed.amount == 300000 and parsed.initiation == "dynamic"


def test_references_are_unique(owner, product, account):
    references = {payment_code_create(user=owner, product=product).reference for _ in range(40)}
    assert len(references) == 40
    assert PaymentCode.objects.values("reference").distinct().count() == 40


def test_code_needs_a_bank_account(owner, product):
    with pytest.raises(DomainError) as caught:
        payment_code_create(user=owner, product=product)
    assert caught.value.code == "no_bank_account"


def test_code_refuses_another_producers_account(owner, product, other_owner_and_producer, vietcombank):
    _, other = other_owner_and_producer
    foreign = BankAccount.objects.create(producer=other, bank=vietcombank, account_number="999", holder_name="B")
    with pytest.raises(DomainError) as caught:
        payment_code_create(user=owner, product=product, bank_account=foreign)
    assert "bank_account" in caught.value.fields


def test_code_refuses_an_amount_of_zero(owner, product, account):
    with pytest.raises(DomainError) as caught:
        payment_code_create(user=owner, product=product, amount=0)
    assert "amount" in caught.value.fields


def test_stranger_cannot_make_a_code(other_owner_and_producer, product, account):
    stranger, _ = other_owner_and_producer
    with pytest.raises(PermissionDenied):
        payment_code_create(user=stranger, product=product)


def test_printing_again_reuses_the_code(owner, product, account):
    first = payment_code_for_product(user=owner, product=product)
    again = payment_code_for_product(user=owner, product=product)
    priced = payment_code_for_product(user=owner, product=product, amount=product.price)
    assert first.pk == again.pk and priced.pk != first.pk and priced.amount == 150000


def test_archiving_the_default_account_promotes_the_next(owner, producer, account, banks):
    other = BankAccount.objects.create(
        producer=producer, bank=Bank.objects.get(bin="970405"), account_number="1500", holder_name="A"
    )
    bank_account_archive(user=owner, account=account)
    other.refresh_from_db()
    assert other.is_default and not BankAccount.objects.get(pk=account.pk).is_active


def test_code_of_archived_account_still_has_its_payload(owner, product, account):
    code = payment_code_create(user=owner, product=product)
    bank_account_archive(user=owner, account=account)
    code.refresh_from_db()
    assert parse_payload(code.payload).account == "1234567890123"


def test_product_of_another_producer_is_not_reachable_through_factory_defaults(owner, account):
    foreign_product = OcopProductFactory()
    with pytest.raises(PermissionDenied):
        payment_code_for_product(user=owner, product=foreign_product)
