"""The fake Shopee numbers items under its lock: its HTTP server is threaded, and the publish benchmark
sends add_item calls at once (issue 8)."""
import json
import sys
import threading

from tests.marketplace.fakes import Request, ShopeeFake


def _add_item_request(image_id, n):
    body = {"original_price": 150000, "description": "Chè Shan tuyết", "weight": 0.25, "item_name": f"Chè {n}",
            "category_id": 100643, "image": {"image_id_list": [image_id]}, "logistic_info": [],
            "item_sku": f"OCOP-{n:06d}"}
    return Request("POST", "/api/v2/product/add_item", {"shop_id": "14701711"},
                   {"Content-Type": "application/json"}, json.dumps(body).encode())


def test_concurrent_add_item_calls_get_distinct_item_ids():
    fake = ShopeeFake()
    fake.images["vn-test-image"] = 1
    threads, per_thread = 8, 100
    answers = []
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: a race shows up if there is one
    try:
        def add(t):
            for n in range(per_thread):
                answers.append(fake.do_product_add_item(_add_item_request("vn-test-image", t * per_thread + n)))

        workers = [threading.Thread(target=add, args=(t,)) for t in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        sys.setswitchinterval(switch)

    ids = [body["response"]["item_id"] for _status, _headers, body in answers]
    assert len(ids) == threads * per_thread
    assert len(set(ids)) == len(ids)
    assert len(fake.items) == len(ids)
