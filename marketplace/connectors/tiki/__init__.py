"""Tiki: `connector` (the class) and `api` (its calls)."""
from .connector import TikiConnector

__all__ = ["TikiConnector"]
