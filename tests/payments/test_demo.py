"""payments.demo: a believable sales history, idempotent."""
import io

import pytest

from payments import demo
from payments.models import InboundEvent, PaymentCode, Transaction
from tests.factories import OcopProductFactory, ProducerFactory, make_officer

pytestmark = pytest.mark.django_db


def test_demo_sales_are_believable_and_a_second_run_adds_nothing(banks, owner, producer):
    officer = make_officer(username="canbo-demo")
    others = [ProducerFactory() for _ in range(2)]
    for p in [producer, *others]:
        for n in range(5):
            OcopProductFactory(producer=p, name=f"Sản phẩm {p.pk}-{n}", price=100000 + n * 10000)
    base = {"producers": [producer, *others], "officer": officer, "owner": owner}

    demo.seed(io.StringIO(), base=base)
    first = sorted(Transaction.objects.values_list("source", "external_id", "status", "amount"))
    assert len(first) >= 10
    assert {row[0] for row in first} == {"bank_transfer", "manual"}
    assert Transaction.objects.filter(source="manual", confirmed_at__isnull=False).exists()
    assert PaymentCode.objects.exists()
    assert InboundEvent.objects.filter(state="no_match", producer=producer).count() == 1

    out = io.StringIO()
    demo.seed(out, base=base)
    assert sorted(Transaction.objects.values_list("source", "external_id", "status", "amount")) == first
    assert "0 giao dịch mới" in out.getvalue()
    assert InboundEvent.objects.count() == 1
