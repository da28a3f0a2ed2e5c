"""Benchmarks of the hot paths, each stated as a ratio to a floor measured in the same run.

Every module exposes `add_arguments(parser)` and `run(options, emit)`; `emit(dict)` receives one
figure at a time (name, value, unit, floor, ratio, goal, met). `python -m benchmarks NAME` runs one
outside `manage.py bench`; docs/benchmarks.md has the figures of the last full run.
"""

BENCHMARKS = ("dashboard", "qr", "import", "publish", "webhooks", "portal", "uploads")
MODULES = {
    "dashboard": "dashboard", "qr": "qr", "import": "ocop_import", "publish": "publish", "webhooks": "webhooks",
    "portal": "portal", "uploads": "uploads",
}


def module(name):
    """The module of benchmark `name` (e.g. "import" -> benchmarks.ocop_import)."""
    import importlib

    return importlib.import_module(f"benchmarks.{MODULES[name]}")
