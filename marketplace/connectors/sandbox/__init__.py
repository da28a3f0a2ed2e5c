"""The sandbox marketplace: `connector` (the class) and `orders` (its simulated buyers)."""
from .connector import SandboxConnector
from .orders import order_from_row, simulate_order

__all__ = ["SandboxConnector", "order_from_row", "simulate_order"]
