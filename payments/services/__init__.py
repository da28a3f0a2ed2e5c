"""Writes for banks, bank accounts, payment codes, inbound events and sales (transactions), one
module per job. Views, the API, tasks and commands call these through this package."""
from .bank_accounts import (
    bank_account_approve,
    bank_account_archive,
    bank_account_create,
    bank_account_reject,
    bank_account_set_default,
    holder_fits,
)
from .bank_events import receiving_account, receiving_bank, unmatched_assign, unmatched_dismiss
from .banks import banks_load
from .codes import payment_code_create, payment_code_for_product
from .inbound import (
    DRAIN_QUEUED_KEY,
    inbound_event_process,
    inbound_event_process_eagerly,
    inbound_event_receive,
    inbound_events_drain,
    inbound_events_process_soon,
    inbound_events_sweep,
)
from .orders import order_line_external_id, product_for_marketplace_line, record_marketplace_order
from .polling import account_orders_sync, account_orders_sync_now, sandbox_order_simulate
from .sales import (
    MAX_SALE_AMOUNT,
    MAX_SALE_QUANTITY,
    manual_sale_confirm,
    manual_sale_create,
    manual_sale_reject,
)

__all__ = [
    "DRAIN_QUEUED_KEY",
    "MAX_SALE_AMOUNT",
    "MAX_SALE_QUANTITY",
    "account_orders_sync",
    "account_orders_sync_now",
    "bank_account_approve",
    "bank_account_archive",
    "bank_account_create",
    "bank_account_reject",
    "bank_account_set_default",
    "banks_load",
    "holder_fits",
    "inbound_event_process",
    "inbound_event_process_eagerly",
    "inbound_event_receive",
    "inbound_events_drain",
    "inbound_events_process_soon",
    "inbound_events_sweep",
    "manual_sale_confirm",
    "manual_sale_create",
    "manual_sale_reject",
    "order_line_external_id",
    "payment_code_create",
    "payment_code_for_product",
    "product_for_marketplace_line",
    "receiving_account",
    "receiving_bank",
    "record_marketplace_order",
    "sandbox_order_simulate",
    "unmatched_assign",
    "unmatched_dismiss",
]
