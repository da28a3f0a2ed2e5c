"""A signed push whose `timestamp` is not a time (NaN, infinity, a number past year 9999, a huge
string) is stale like a missing one: 401 and nothing written, never a 500 (hostile review, item 9)."""
import pytest

from tests.marketplace.order_fixtures import push_sample
from tests.payments.test_marketplace_pushes import _public_url, nothing_written, post_lazada, post_shopee  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("stamp", ["NaN", "nan", "Infinity", "-inf", 1e300, 10**30, "1" * 400, True, [1], {"a": 1}])
def test_a_push_whose_timestamp_is_not_a_time_is_refused_as_stale(client, shopee_fake, lazada_fake, shopee_account,
                                                                  lazada_account, stamp):
    shopee_payload = push_sample("shopee_push_order_status.json")
    lazada_payload = push_sample("lazada_push_order.json")
    shopee_payload["timestamp"] = lazada_payload["timestamp"] = stamp
    assert post_shopee(client, shopee_fake, shopee_payload).status_code == 401
    assert post_lazada(client, lazada_fake, lazada_payload).status_code == 401
    assert nothing_written()
