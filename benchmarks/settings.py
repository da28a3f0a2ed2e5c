"""Settings for the gunicorn the `webhooks` and `portal` benchmarks start: the settings named by
BENCH_BASE_SETTINGS (default config.settings.local) with the floor view's urlconf and DEBUG off
(a debug server keeps every query in memory and would be measured too)."""
import os
from importlib import import_module

_base = import_module(os.environ.get("BENCH_BASE_SETTINGS", "config.settings.local"))
globals().update({name: value for name, value in vars(_base).items() if name.isupper()})

ROOT_URLCONF = "benchmarks.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# `--conn-max-age N`: persistent database connections for the measured server (the configured
# settings open one per request unless CONN_MAX_AGE is set).
if os.environ.get("BENCH_CONN_MAX_AGE", "") != "":
    DATABASES = {**DATABASES, "default": {**DATABASES["default"],
                                          "CONN_MAX_AGE": int(os.environ["BENCH_CONN_MAX_AGE"]),
                                          "CONN_HEALTH_CHECKS": os.environ.get("BENCH_CONN_HEALTH_CHECKS", "1") == "1"}}
