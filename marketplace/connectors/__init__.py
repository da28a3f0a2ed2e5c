"""Marketplace connectors: one module per marketplace, all following `base.Connector`."""
