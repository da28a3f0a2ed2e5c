"""Local fake marketplaces: real HTTP servers on 127.0.0.1 that check signatures as Shopee and Lazada do.

Use the fixtures (they start a server, point the settings at it, and stop it afterwards):

    from tests.marketplace.fakes import shopee_fake, lazada_fake  # noqa: F401  (pytest fixtures)

    def test_something(shopee_fake):
        credentials = shopee_fake.credentials()          # an authorised shop, valid tokens
        shopee_fake.fail("/api/v2/product/add_item", "status", status=429, headers={"Retry-After": "7"})
        shopee_fake.fail("/api/v2/product/add_item", "error", error="error_param", message="Invalid price")
        shopee_fake.fail("/api/v2/product/add_item", "timeout")        # answers after the client gave up
        shopee_fake.fail("/api/v2/product/add_item", "lost_response")  # does the work, then times out
        shopee_fake.items    # what the shop now sells, by item id
        shopee_fake.calls    # every request received (method, path, query, body) after its check

Modes of `fail(path, mode, times=1, ...)`: "timeout", "lost_response", "status" (status, headers,
body) and "error" (the marketplace's own error code and message). A request whose signature,
timestamp or token is wrong is answered with the marketplace's documented error
(Shopee: error_sign / error_param "Invalid timestamp" / invalid_acceess_token; Lazada:
IncompleteSignature / InvalidTimestamp / IllegalAccessToken) and counted in `rejected`.
The fixtures set MARKETPLACE_HTTP_TIMEOUT to 0.5 s; "timeout" sleeps `slow_seconds` (1.5 s).
"""
from __future__ import annotations

import email.parser
import email.policy
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import deque
from copy import deepcopy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "marketplace"


def sample(name: str):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


class Request:
    def __init__(self, method, path, query, headers, raw):
        self.method, self.path, self.query, self.headers, self.raw = method, path, query, headers, raw
        self.json, self.form, self.files = None, {}, {}
        content_type = headers.get("Content-Type", "")
        if content_type.startswith("application/json") and raw:
            self.json = json.loads(raw)
        elif content_type.startswith("application/x-www-form-urlencoded"):
            self.form = dict(parse_qsl(raw.decode(), keep_blank_values=True))
        elif content_type.startswith("multipart/form-data"):
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if part.get_filename():
                    self.files[name] = (part.get_filename(), part.get_payload(decode=True))
                else:
                    self.form[name] = part.get_payload(decode=True).decode()


class FakeMarketplace:
    slow_seconds = 1.5

    def __init__(self):
        self.calls: list[Request] = []
        self.rejected: list[tuple[str, str]] = []
        self._failures: dict[str, deque] = {}
        self._lock = threading.Lock()
        self.server = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                request = Request(self.command, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)),
                                  self.headers, raw)
                status, headers, body = fake.dispatch(request)
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def url(self):
        host, port = self.server.server_address
        return f"http://{host}:{port}"

    # --- failure injection ----------------------------------------------------------------------

    def fail(self, path: str, mode: str, *, times: int = 1, **options):
        with self._lock:
            self._failures.setdefault(path, deque()).extend([(mode, options)] * times)

    def _next_failure(self, path):
        with self._lock:
            queue = self._failures.get(path)
            return queue.popleft() if queue else None

    def dispatch(self, request: Request):
        api_path = self.api_path(request)
        problem = self.check(request, api_path)
        if problem is not None:
            self.rejected.append((api_path, str(problem)))
            return problem
        failure = self._next_failure(api_path)
        if failure is not None:
            mode, options = failure
            if mode == "timeout":
                time.sleep(self.slow_seconds)
                return 504, {}, {"message": "too late"}
            if mode == "status":
                return options.get("status", 500), options.get("headers", {}), options.get("body", {"message": "fail"})
            if mode == "error":
                return self.error(options.get("error", "error_param"), options.get("message", "Invalid parameter"),
                                  status=options.get("status", 200))
        with self._lock:
            self.calls.append(request)
        status, headers, body = self.route(request, api_path)
        if failure is not None and failure[0] == "lost_response":
            time.sleep(self.slow_seconds)
        return status, headers, body

    def paths(self):
        return [c.path for c in self.calls]

    # --- to implement -------------------------------------------------------------------------

    def api_path(self, request) -> str:
        return request.path

    def check(self, request, api_path):
        return None

    def route(self, request, api_path):
        raise NotImplementedError

    def error(self, code, message, status=200):
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Shopee Open Platform v2
# ---------------------------------------------------------------------------------------------

SHOPEE_PUBLIC = {
    "/api/v2/auth/token/get", "/api/v2/auth/access_token/get", "/api/v2/media_space/upload_image",
    "/api/v2/push/get_lost_push_message", "/api/v2/push/confirm_consumed_lost_push_message",
}


class ShopeeFake(FakeMarketplace):
    def __init__(self, partner_id=2001887, partner_key="fake-partner-key-0123456789abcdef"):
        super().__init__()
        self.partner_id, self.partner_key = partner_id, partner_key
        self.codes: dict[str, int] = {}
        self.access_tokens: dict[str, tuple[int, float]] = {}  # token -> (shop_id, expires at)
        self.refresh_tokens: dict[str, int] = {}
        self.images: dict[str, int] = {}
        self.items: dict[int, dict] = {}
        self.orders: dict[str, dict] = {}
        self.lost_pushes: list[dict] = []
        self.channels = [{"logistics_channel_id": 50011, "logistics_channel_name": "Giao Hàng Nhanh", "enabled": True},
                         {"logistics_channel_id": 50012, "logistics_channel_name": "Viettel Post", "enabled": False}]
        self.authorization_expires = int(time.time()) + 365 * 86400
        self._next_item = 800182459

    def sign(self, path, timestamp, access_token="", shop_id=""):
        base = f"{self.partner_id}{path}{timestamp}{access_token}{shop_id}"
        return hmac.new(self.partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()

    # --- helpers for tests ---------------------------------------------------------------------

    def authorize_shop(self, shop_id=14701711) -> str:
        code = secrets.token_hex(16)
        self.codes[code] = shop_id
        return code

    def issue_tokens(self, shop_id, lifetime=4 * 3600):
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        self.access_tokens[access] = (shop_id, time.time() + lifetime)
        self.refresh_tokens[refresh] = shop_id
        return access, refresh

    def credentials(self, shop_id=14701711):
        from marketplace.connectors.base import ShopCredentials

        access, refresh = self.issue_tokens(shop_id)
        return ShopCredentials(shop_id=str(shop_id), access_token=access, refresh_token=refresh)

    def add_order(self, order_sn, *, update_time, sku="OCOP-HG-0001", item_id=800182459, quantity=2,
                  price=150000, status="COMPLETED"):
        order = sample("shopee_order_detail.json")
        order.update(order_sn=order_sn, order_status=status, create_time=update_time - 3600, update_time=update_time,
                     total_amount=price * quantity)
        order["item_list"][0].update(item_id=item_id, item_sku=sku, model_quantity_purchased=quantity,
                                     model_original_price=price, model_discounted_price=price)
        self.orders[order_sn] = order
        return order

    # --- protocol ------------------------------------------------------------------------------

    def error(self, code, message, status=200):
        return status, {}, {"error": code, "message": message, "warning": "", "request_id": secrets.token_hex(8),
                            "response": {}}

    def ok(self, response=None, **top):
        return 200, {}, {"error": "", "message": "", "warning": "", "request_id": secrets.token_hex(8),
                         "response": response or {}, **top}

    def check(self, request, path):
        q = request.query
        try:
            partner_id, timestamp = int(q.get("partner_id", "")), int(q.get("timestamp", ""))
        except ValueError:
            return self.error("error_param", "Missing partner_id or timestamp.")
        if partner_id != self.partner_id:
            return self.error("error_auth", "Invalid partner_id.")
        if abs(time.time() - timestamp) > 300:
            return self.error("error_param", "Invalid timestamp")
        if path in SHOPEE_PUBLIC:
            expected = self.sign(path, timestamp)
        else:
            expected = self.sign(path, timestamp, q.get("access_token", ""), q.get("shop_id", ""))
        if not hmac.compare_digest(expected, q.get("sign", "")):
            return self.error("error_sign", "Wrong sign.")
        if path not in SHOPEE_PUBLIC:
            shop_id, expires = self.access_tokens.get(q.get("access_token", ""), (None, 0))
            if shop_id is None or str(shop_id) != q.get("shop_id") or expires < time.time():
                return self.error("invalid_acceess_token", "Invalid access_token.", status=403)
        return None

    def route(self, request, path):
        handler = getattr(self, "do_" + path.removeprefix("/api/v2/").replace("/", "_"), None)
        if handler is None:
            return 404, {}, {"error": "error_not_found", "message": "Wrong path."}
        return handler(request)

    def _shop(self, request):
        return int(request.query["shop_id"])

    def do_auth_token_get(self, request):
        body = request.json or {}
        shop_id = self.codes.pop(body.get("code"), None)
        if shop_id is None or body.get("partner_id") != self.partner_id or body.get("shop_id") != shop_id:
            return self.error("error_auth", "Invalid code.")
        access, refresh = self.issue_tokens(shop_id)
        return 200, {}, {"error": "", "message": "", "request_id": secrets.token_hex(8), "access_token": access,
                         "refresh_token": refresh, "expire_in": 14400}

    def do_auth_access_token_get(self, request):
        body = request.json or {}
        shop_id = self.refresh_tokens.pop(body.get("refresh_token"), None)
        if shop_id is None or body.get("shop_id") != shop_id:
            return self.error("error_param", "Invalid refresh_token.")
        access, refresh = self.issue_tokens(shop_id)
        return 200, {}, {"error": "", "message": "", "request_id": secrets.token_hex(8), "access_token": access,
                         "refresh_token": refresh, "expire_in": 14400, "partner_id": self.partner_id,
                         "shop_id": shop_id}

    def do_shop_get_shop_info(self, request):
        return 200, {}, {"error": "", "message": "", "request_id": secrets.token_hex(8),
                         "shop_name": "HTX Mật ong Hà Giang", "region": "VN", "status": "NORMAL",
                         "auth_time": int(time.time()), "expire_time": self.authorization_expires}

    def do_media_space_upload_image(self, request):
        if "image" not in request.files:
            return self.error("error_param", "image is required.")
        image_id = "vn-" + secrets.token_hex(12)
        self.images[image_id] = len(request.files["image"][1])
        return self.ok({"image_info": {"image_id": image_id, "image_url_list": [
            {"image_url_region": "VN", "image_url": f"https://cf.shopee.vn/file/{image_id}"}]}})

    def do_logistics_get_channel_list(self, request):
        return self.ok({"logistics_channel_list": self.channels})

    def do_product_add_item(self, request):
        body = request.json or {}
        for field in ("original_price", "description", "weight", "item_name", "category_id", "image",
                      "logistic_info"):
            if field not in body:
                return self.error("error_param", f"{field} is required.")
        image_ids = body["image"].get("image_id_list") or []
        if not image_ids or any(i not in self.images for i in image_ids):
            return self.error("error_param", "Invalid image_id_list.")
        if body["original_price"] <= 0:
            return self.error("error_param", "original_price must be greater than 0.")
        item = sample("shopee_add_item_response.json")["response"]
        item.update({k: deepcopy(v) for k, v in body.items()}, item_status="NORMAL",
                    shop_id=self._shop(request), stock=(body.get("seller_stock") or [{"stock": 0}])[0]["stock"])
        with self._lock:  # the server is threaded: two calls at once must not get the same item id
            self._next_item += 1
            item["item_id"] = self._next_item
            self.items[item["item_id"]] = item
        return self.ok(item)

    def do_product_search_item(self, request):
        sku = request.query.get("item_sku", "")
        shop_id = self._shop(request)
        ids = [i for i, item in self.items.items()
               if item["shop_id"] == shop_id and sku and sku in item.get("item_sku", "")
               and item["item_status"] != "DELETED"]
        return self.ok({"item_id_list": ids, "total_count": len(ids), "next_offset": len(ids)})

    def do_product_get_item_base_info(self, request):
        ids = [int(i) for i in request.query.get("item_id_list", "").split(",") if i]
        if not ids or len(ids) > 50:
            return self.error("error_param", "item_id_list must have 1 to 50 items.")
        shop_id = self._shop(request)
        items = [self.items[i] for i in ids if i in self.items and self.items[i]["shop_id"] == shop_id]
        return self.ok({"item_list": items})

    def _item(self, request, item_id):
        item = self.items.get(item_id)
        return item if item and item["shop_id"] == self._shop(request) else None

    def do_product_update_price(self, request):
        body = request.json or {}
        item = self._item(request, body.get("item_id"))
        if item is None:
            return self.error("error_item_not_found", "Item not found.")
        price = body["price_list"][0]["original_price"]
        if price <= 0:
            return self.ok({"success_list": [], "failure_list": [{"model_id": 0, "failed_reason": "Invalid price."}]})
        item["original_price"] = price
        return self.ok({"success_list": [{"model_id": 0, "original_price": price}], "failure_list": []})

    def do_product_update_stock(self, request):
        body = request.json or {}
        item = self._item(request, body.get("item_id"))
        if item is None:
            return self.error("error_item_not_found", "Item not found.")
        item["stock"] = body["stock_list"][0]["seller_stock"][0]["stock"]
        return self.ok({"success_list": [{"model_id": 0, "stock": item["stock"]}], "failure_list": []})

    def do_product_unlist_item(self, request):
        success, failure = [], []
        for entry in (request.json or {}).get("item_list", []):
            item = self._item(request, entry["item_id"])
            if item is None:
                failure.append({"item_id": entry["item_id"], "failed_reason": "Item not found."})
                continue
            item["item_status"] = "UNLIST" if entry["unlist"] else "NORMAL"
            success.append({"item_id": entry["item_id"], "unlist": entry["unlist"]})
        return self.ok({"success_list": success, "failure_list": failure})

    def do_order_get_order_list(self, request):
        q = request.query
        time_from, time_to = int(q["time_from"]), int(q["time_to"])
        if time_to - time_from > 15 * 86400:
            return self.error("error_param", "The time range should not exceed 15 days.")
        page_size = int(q.get("page_size", 20))
        if not 1 <= page_size <= 100:
            return self.error("error_param", "page_size should be between 1 and 100.")
        field = "update_time" if q.get("time_range_field") == "update_time" else "create_time"
        matching = sorted(sn for sn, o in self.orders.items() if time_from <= o[field] <= time_to)
        start = int(q.get("cursor") or 0)
        page = matching[start:start + page_size]
        more = start + page_size < len(matching)
        return self.ok({"more": more, "next_cursor": str(start + page_size) if more else "",
                        "order_list": [{"order_sn": sn} for sn in page]})

    def do_order_get_order_detail(self, request):
        sns = [s for s in request.query.get("order_sn_list", "").split(",") if s]
        if not 1 <= len(sns) <= 50:
            return self.error("error_param", "order_sn_list should contain 1 to 50 items.")
        return self.ok({"order_list": [self.orders[s] for s in sns if s in self.orders]})

    def do_push_get_lost_push_message(self, request):
        batch = self.lost_pushes[:100]
        return self.ok({"push_message_list": batch, "has_next_page": len(self.lost_pushes) > 100,
                        "last_message_id": batch[-1]["message_id"] if batch else 0})

    def do_push_confirm_consumed_lost_push_message(self, request):
        last = (request.json or {}).get("last_message_id")
        self.lost_pushes = [m for m in self.lost_pushes if m["message_id"] > last]
        return self.ok({})


# ---------------------------------------------------------------------------------------------
# Lazada Open Platform
# ---------------------------------------------------------------------------------------------


class LazadaFake(FakeMarketplace):
    """API gateway under /rest and the auth host under /auth/rest, on one local server."""

    def __init__(self, app_key="100101", app_secret="fake-lazada-app-secret"):
        super().__init__()
        self.app_key, self.app_secret = app_key, app_secret
        self.codes: dict[str, str] = {}
        self.access_tokens: dict[str, tuple[str, float]] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.images: set[str] = set()
        self.products: dict[int, dict] = {}
        self.orders: dict[int, dict] = {}
        self.order_items: dict[int, list] = {}
        self._next_item = 280958710

    @property
    def api_base(self):
        return self.url + "/rest"

    @property
    def auth_base(self):
        return self.url + "/auth/rest"

    def sign(self, api_path, params):
        text = api_path + "".join(f"{k}{params[k]}" for k in sorted(params))
        return hmac.new(self.app_secret.encode(), text.encode(), hashlib.sha256).hexdigest().upper()

    # --- helpers for tests ---------------------------------------------------------------------

    def authorize_seller(self, seller_id="1000001234") -> str:
        code = "0_100101_" + secrets.token_hex(12)
        self.codes[code] = seller_id
        return code

    def issue_tokens(self, seller_id, lifetime=7 * 86400):
        access, refresh = "50000" + secrets.token_hex(20), "50001" + secrets.token_hex(20)
        self.access_tokens[access] = (seller_id, time.time() + lifetime)
        self.refresh_tokens[refresh] = seller_id
        return access, refresh

    def credentials(self, seller_id="1000001234"):
        from marketplace.connectors.base import ShopCredentials

        access, refresh = self.issue_tokens(seller_id)
        return ShopCredentials(shop_id=seller_id, access_token=access, refresh_token=refresh)

    def add_order(self, order_id, *, updated_at, sku="OCOP-HG-0001", quantity=2, price=150000, status="delivered"):
        order = sample("lazada_orders_get_order.json")
        order.update(order_id=order_id, order_number=order_id + 300000, updated_at=updated_at, created_at=updated_at,
                     statuses=[status], items_count=quantity, price=f"{price * quantity:.2f}")
        item = sample("lazada_order_item.json")
        self.orders[order_id] = order
        self.order_items[order_id] = [
            {**item, "order_item_id": order_id * 100 + n, "order_id": order_id, "sku": sku, "item_price": price,
             "paid_price": price, "status": status} for n in range(quantity)]
        return order

    # --- protocol ------------------------------------------------------------------------------

    def api_path(self, request):
        for prefix in ("/auth/rest", "/rest"):
            if request.path.startswith(prefix + "/"):
                return request.path.removeprefix(prefix)
        return request.path

    def error(self, code, message, status=200, type_="ISV"):
        return status, {}, {"type": type_, "code": code, "message": message, "request_id": secrets.token_hex(8)}

    def ok(self, data=None, **top):
        return 200, {}, {"code": "0", "request_id": secrets.token_hex(8), **({"data": data} if data is not None else {}),
                         **top}

    def check(self, request, path):
        params = {**request.query, **request.form}
        given = params.pop("sign", "")
        if params.get("app_key") != self.app_key:
            return self.error("InvalidAppKey", "Specified app key is invalid")
        if params.get("sign_method") != "sha256":
            return self.error("InvalidSignMethod", "Specified sign method is not supported")
        try:
            timestamp = int(params.get("timestamp", ""))
        except ValueError:
            return self.error("MissingTimestamp", "Timestamp is missing")
        if abs(time.time() * 1000 - timestamp) > 7200 * 1000:
            return self.error("InvalidTimestamp", "Timestamp is out of range")
        if not hmac.compare_digest(self.sign(path, params), given):
            return self.error("IncompleteSignature", "The request signature does not conform to platform standards")
        if not path.startswith("/auth/"):
            seller, expires = self.access_tokens.get(params.get("access_token", ""), (None, 0))
            if seller is None or expires < time.time():
                return self.error("IllegalAccessToken", "The specified access token is invalid or expired")
            request.seller = seller
        return None

    def route(self, request, path):
        handler = getattr(self, "do_" + path.strip("/").replace("/", "_"), None)
        if handler is None:
            return self.error("InvalidApiPath", "The specified API path is invalid", status=404)
        return handler(request)

    def _params(self, request):
        return {**request.query, **request.form}

    def _token_body(self, seller_id, access, refresh):
        return {"access_token": access, "refresh_token": refresh, "expires_in": 604800,
                "refresh_expires_in": 2592000, "country": "vn", "account_platform": "seller_center",
                "account": "htx.matong@example.vn",
                "country_user_info": [{"country": "vn", "user_id": "200001", "seller_id": seller_id,
                                       "short_code": "VN1AB2CD"}],
                "code": "0", "request_id": secrets.token_hex(8)}

    def do_auth_token_create(self, request):
        seller = self.codes.pop(self._params(request).get("code"), None)
        if seller is None:
            return self.error("InvalidCode", "Invalid authorization code")
        return 200, {}, self._token_body(seller, *self.issue_tokens(seller))

    def do_auth_token_refresh(self, request):
        seller = self.refresh_tokens.pop(self._params(request).get("refresh_token"), None)
        if seller is None:
            return self.error("IllegalRefreshToken", "The specified refresh token is invalid or expired")
        return 200, {}, self._token_body(seller, *self.issue_tokens(seller))

    def do_image_upload(self, request):
        if "image" not in request.files:
            return self.error("MissingParameter", "image is mandatory")
        url = f"https://vn-live.slatic.net/p/{secrets.token_hex(16)}.jpg"
        self.images.add(url)
        return self.ok({"image": {"url": url, "hash_code": secrets.token_hex(16)}})

    def do_product_create(self, request):
        try:
            product = json.loads(self._params(request)["payload"])["Request"]["Product"]
        except (KeyError, ValueError, TypeError):
            return self.error("InvalidParameter", "payload is not a valid JSON document")
        images = (product.get("Images") or {}).get("Image") or []
        attributes = product.get("Attributes") or {}
        skus = (product.get("Skus") or {}).get("Sku") or []
        details = []
        if not product.get("PrimaryCategory"):
            details.append({"field": "PrimaryCategory", "message": "PrimaryCategory is required"})
        if not images or any(i not in self.images for i in images):
            details.append({"field": "Images", "message": "Images must be hosted by Lazada"})
        if not attributes.get("name"):
            details.append({"field": "name", "message": "name is required"})
        for sku in skus:
            for field in ("SellerSku", "quantity", "price", "package_weight", "package_length", "package_width",
                          "package_height"):
                if not sku.get(field):
                    details.append({"field": field, "message": f"{field} is required"})
        if not skus:
            details.append({"field": "Skus", "message": "Skus is required"})
        # The server is threaded: the duplicate-SKU check, the numbering and the store are one step,
        # as for ShopeeFake, so two calls at once never share an item id or both pass the check.
        with self._lock:
            for sku in skus:
                if any(s["SellerSku"] == sku.get("SellerSku") for p in self.products.values()
                       if p["seller"] == request.seller for s in p["skus"]):
                    details.append({"field": "SellerSku", "message": "SellerSku is already exists"})
            if details:
                return 200, {}, {"type": "ISP", "code": "500", "message": "E0501: Validation failed",
                                 "detail": details, "request_id": secrets.token_hex(8)}
            self._next_item += 1
            item_id = self._next_item
            stored_skus = [{"SellerSku": s["SellerSku"], "SkuId": item_id * 10 + n, "ShopSku": f"{item_id}_VNAMZ-{n}",
                            "price": float(s["price"]), "quantity": int(s["quantity"]), "Status": "active",
                            "Url": f"https://www.lazada.vn/products/i{item_id}.html"} for n, s in enumerate(skus)]
            self.products[item_id] = {"item_id": item_id, "seller": request.seller, "status": "active",
                                      "primary_category": int(product["PrimaryCategory"]), "attributes": attributes,
                                      "images": images, "skus": stored_skus}
        body = sample("lazada_product_create_response.json")
        body["data"] = {"item_id": item_id, "sku_list": [
            {"shop_sku": s["ShopSku"], "seller_sku": s["SellerSku"], "sku_id": s["SkuId"]} for s in stored_skus]}
        return 200, {}, body

    def _public(self, product):
        return {k: v for k, v in product.items() if k != "seller"}

    def do_products_get(self, request):
        params = self._params(request)
        wanted = set(json.loads(params.get("sku_seller_list", "[]")))
        found = [self._public(p) for p in self.products.values() if p["seller"] == request.seller
                 and p["status"] != "deleted" and (not wanted or wanted & {s["SellerSku"] for s in p["skus"]})]
        return self.ok({"total_products": len(found), "products": found})

    def _product(self, request, item_id):
        product = self.products.get(int(item_id))
        return product if product and product["seller"] == request.seller else None

    def do_product_item_get(self, request):
        product = self._product(request, self._params(request).get("item_id", 0))
        if product is None:
            return self.error("208", "E208: Item not found")
        return self.ok(self._public(product))

    def do_product_price_quantity_update(self, request):
        skus = json.loads(self._params(request)["payload"])["Request"]["Product"]["Skus"]["Sku"]
        skus = skus if isinstance(skus, list) else [skus]
        for entry in skus:
            product = self._product(request, entry["ItemId"])
            if product is None:
                return self.error("208", "E208: Item not found")
            for sku in product["skus"]:
                if sku["SellerSku"] == entry.get("SellerSku") or str(sku["SkuId"]) == str(entry.get("SkuId")):
                    sku["price"], sku["quantity"] = float(entry["Price"]), int(entry["Quantity"])
        return self.ok()

    def do_product_deactivate(self, request):
        item_id = json.loads(self._params(request)["apiRequestBody"])["Request"]["Product"]["ItemId"]
        product = self._product(request, item_id)
        if product is None:
            return self.error("208", "E208: Item not found")
        product["status"] = "inactive"
        return self.ok()

    def do_orders_get(self, request):
        from dateutil.parser import parse

        params = self._params(request)
        limit, offset = int(params.get("limit", 100)), int(params.get("offset", 0))
        if limit > 100:
            return self.error("InvalidParameter", "limit must not exceed 100")
        after = parse(params["update_after"])
        matching = sorted((o for o in self.orders.values() if parse(o["updated_at"]) >= after),
                          key=lambda o: o["order_id"])
        return self.ok({"count": len(matching[offset:offset + limit]), "countTotal": len(matching),
                        "orders": matching[offset:offset + limit]})

    def do_order_items_get(self, request):
        return self.ok(self.order_items.get(int(self._params(request)["order_id"]), []))


# ---------------------------------------------------------------------------------------------
# Tiki (as far as its public docs go: OAuth2 with HTTP Basic client auth, Bearer tokens)
# ---------------------------------------------------------------------------------------------


class TikiFake(FakeMarketplace):
    def __init__(self, client_id="tiki-client", client_secret="tiki-secret"):
        super().__init__()
        self.client_id, self.client_secret = client_id, client_secret
        self.seller = {"id": 90001, "name": "HTX Chè Shan tuyết"}
        self.codes: set[str] = set()
        self.access_tokens: dict[str, float] = {}
        self.refresh_tokens: set[str] = set()
        self.requests: dict[str, dict] = {}
        self.products: dict[int, dict] = {}
        self.orders: list[dict] = []

    def authorize(self) -> str:
        code = secrets.token_hex(8)
        self.codes.add(code)
        return code

    def credentials(self):
        from marketplace.connectors.base import ShopCredentials

        token = secrets.token_hex(16)
        self.access_tokens[token] = time.time() + 3600
        return ShopCredentials(shop_id=str(self.seller["id"]), access_token=token)

    def approve(self, track_id, product_id=123456789):
        request = self.requests[track_id]
        request.update(state="approved", product_id=product_id)
        self.products[product_id] = {"product_id": product_id, "original_sku": request["variants"][0]["sku"],
                                     "sku": str(product_id), "price": request["variants"][0]["price"],
                                     "quantity": request["variants"][0].get("quantity", 0), "active": 1}

    def reject(self, track_id, reason):
        self.requests[track_id].update(state="rejected", reason=reason)

    def error(self, code, message, status=400):
        return status, {}, {"error": code, "error_description": message}

    def check(self, request, path):
        if path == "/sc/oauth2/token":
            import base64

            expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            if request.headers.get("Authorization") != expected:
                return self.error("invalid_client", "Client authentication failed", status=401)
            return None
        token = (request.headers.get("Authorization") or "").removeprefix("Bearer ")
        if self.access_tokens.get(token, 0) < time.time():
            return self.error("invalid_token", "The access token is invalid or expired", status=401)
        return None

    def _token(self):
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        self.access_tokens[access] = time.time() + 3600
        self.refresh_tokens.add(refresh)
        return 200, {}, {"access_token": access, "expires_in": 3599, "refresh_token": refresh, "scope": "offline",
                         "token_type": "bearer"}

    def route(self, request, path):
        if path == "/sc/oauth2/token":
            grant = request.form.get("grant_type")
            if grant == "authorization_code" and request.form.get("code") in self.codes:
                self.codes.discard(request.form["code"])
                return self._token()
            if grant == "refresh_token" and request.form.get("refresh_token") in self.refresh_tokens:
                self.refresh_tokens.discard(request.form["refresh_token"])
                return self._token()
            if grant == "client_credentials":
                return self._token()
            return self.error("invalid_grant", "The provided authorization grant is invalid")
        if path == "/integration/v2/sellers/me":
            return 200, {}, self.seller
        if path == "/integration/v2.1/requests" and request.method == "POST":
            body = request.json or {}
            errors = [f"{f} is required" for f in ("category_id", "name", "image", "variants") if not body.get(f)]
            if errors:
                return 400, {}, {"errors": errors}
            track_id = secrets.token_hex(12)
            self.requests[track_id] = {**body, "track_id": track_id, "state": "queuing", "reason": None}
            return 200, {}, {"track_id": track_id, "state": "queuing", "reason": None}
        if path.startswith("/integration/v2/tracking/"):
            request_ = self.requests.get(path.rsplit("/", 1)[-1])
            if request_ is None:
                return 404, {}, {"errors": ["track_id not found"]}
            return 200, {}, {k: request_.get(k) for k in ("track_id", "state", "reason", "product_id")}
        if path == "/integration/v2/products":
            sku = request.query.get("original_sku")
            return 200, {}, {"data": [p for p in self.products.values() if p["original_sku"] == sku],
                             "paging": {"current_page": 1, "last_page": 1}}
        if path == "/integration/v2/products/updateSku" and request.method == "PUT":
            body = request.json or {}
            product = self.products.get(body.get("product_id"))
            if product is None:
                return 400, {}, {"errors": ["product not found"]}
            product.update({k: body[k] for k in ("price", "quantity", "active") if k in body})
            return 200, {}, {"state": "approved"}
        if path == "/integration/v2/orders":
            page, limit = int(request.query.get("page", 1)), int(request.query.get("limit", 50))
            last_page = max(1, -(-len(self.orders) // limit))
            return 200, {}, {"data": self.orders[(page - 1) * limit:page * limit],
                             "paging": {"current_page": page, "last_page": last_page, "total": len(self.orders)}}
        return 404, {}, {"errors": ["not found"]}


# ---------------------------------------------------------------------------------------------
# pytest fixtures (import them into a conftest or a test module)
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def shopee_fake(settings):
    fake = ShopeeFake().start()
    settings.SHOPEE_API_BASE = fake.url
    settings.SHOPEE_PARTNER_ID = fake.partner_id
    settings.SHOPEE_PARTNER_KEY = fake.partner_key
    settings.MARKETPLACE_HTTP_TIMEOUT = 0.5
    yield fake
    fake.stop()


@pytest.fixture
def lazada_fake(settings):
    fake = LazadaFake().start()
    settings.LAZADA_API_BASE = fake.api_base
    settings.LAZADA_AUTH_BASE = fake.auth_base
    settings.LAZADA_APP_KEY = fake.app_key
    settings.LAZADA_APP_SECRET = fake.app_secret
    settings.MARKETPLACE_HTTP_TIMEOUT = 0.5
    yield fake
    fake.stop()


@pytest.fixture
def tiki_fake(settings):
    fake = TikiFake().start()
    settings.TIKI_API_BASE = fake.url
    settings.TIKI_CLIENT_ID = fake.client_id
    settings.TIKI_CLIENT_SECRET = fake.client_secret
    settings.MARKETPLACE_HTTP_TIMEOUT = 0.5
    yield fake
    fake.stop()
