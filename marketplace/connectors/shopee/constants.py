"""Shopee's numbers and codes: token lifetimes, limits, error codes by kind, order statuses, push kinds."""
from datetime import timedelta

ACCESS_LIFETIME = timedelta(hours=4)
REFRESH_LIFETIME = timedelta(days=30)
ORDER_WINDOW = timedelta(days=15)
ORDER_DETAIL_BATCH = 50
MAX_IMAGES = 9
MAX_IMAGE_BYTES = 10 * 1024 * 1024
PRODUCT_URL = "https://shopee.vn/product/{shop_id}/{item_id}"
LOGISTICS_CACHE_SECONDS = 600

AUTH_ERRORS = {"error_auth", "invalid_access_token", "invalid_acceess_token", "error_invalid_token",
               "invalid_refresh_token", "error_permission", "error_token", "invalid_code"}
TRANSIENT_ERRORS = {"error_server", "error_inner", "error_busy", "error_system_busy", "error_network",
                    "error_rate_limit", "error_too_many_request", "error_timeout"}
CONFIG_ERRORS = {"error_sign", "error_partner", "invalid_partner_id", "error_not_found"}

ORDER_STATUS = {
    "COMPLETED": "completed",
    "CANCELLED": "cancelled",
    "IN_CANCEL": "cancelled",
    "TO_RETURN": "refunded",
}
PUSH_KINDS = {3: "order", 4: "order", 15: "order", 6: "product", 8: "product", 13: "product"}
