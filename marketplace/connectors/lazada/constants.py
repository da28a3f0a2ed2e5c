"""Lazada's numbers and codes: limits, product page, error codes by kind, order and product statuses."""

MAX_IMAGES = 8
MAX_IMAGE_BYTES = 3 * 1024 * 1024
ORDER_PAGE = 100
PRODUCT_URL = "https://www.lazada.vn/products/i{item_id}.html"
DEFAULT_PACKAGE_CM = "10"

AUTH_ERRORS = {"IllegalAccessToken", "MissingAccessToken", "IllegalRefreshToken", "InvalidCode",
               "AccessDenied", "InsufficientPermission"}
TRANSIENT_ERRORS = {"E901", "ApiCallLimit", "AppCallLimit", "ServiceTimeout", "ServiceUnavailable",
                    "InternalError", "SystemBusy"}
CONFIG_ERRORS = {"IncompleteSignature", "InvalidSignature", "MissingAppKey", "InvalidAppKey",
                 "InvalidApiPath", "InvalidTimestamp", "MissingTimestamp"}
ORDER_STATUS = {"delivered": "completed", "confirmed": "completed", "canceled": "cancelled",
                "cancelled": "cancelled", "returned": "refunded", "refunded": "refunded"}
PRODUCT_STATUS = {"active": "live", "pending": "pending_review", "pending qc": "pending_review",
                  "inactive": "delisted"}
