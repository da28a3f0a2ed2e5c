"""Marketplace connectors: one package per marketplace (its connector class exported by the
package's `__init__`), all following `base.Connector`; `registry` lists those enabled in settings."""
