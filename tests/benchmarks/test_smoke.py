"""Each benchmark runs at a tiny size (`python -m benchmarks NAME ...` in a subprocess, on its own
throwaway SQLite database) and prints figures with the agreed keys; the table comes last."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.__main__ import table
from benchmarks.common import FIGURE_KEYS, percentile

ROOT = Path(__file__).resolve().parent.parent.parent
TINY = {
    "qr": ["--seconds", "0.2", "--labels", "30"],
    "import": ["--rows", "60"],
    "publish": ["--listings", "20", "--rate", "40"],
    "webhooks": ["--seconds", "0.4", "--connections", "2", "--processes", "1", "--gunicorn-workers", "1"],
    "portal": ["--seconds", "0.4", "--products", "10", "--connections", "2", "--processes", "1",
               "--gunicorn-workers", "1"],
    "uploads": [],
}


def run_benchmark(name):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "CACHE_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    done = subprocess.run([sys.executable, "-m", "benchmarks", name, *TINY[name]], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    figures = [json.loads(line) for line in lines if line.startswith("{")]
    return figures, done.stdout


def assert_figures(figures, names):
    assert [f["name"] for f in figures] == names
    for row in figures:
        assert set(FIGURE_KEYS) <= set(row), row
        assert row["met"] in (True, False, None)
        if not row.get("skipped"):
            assert row["value"] is not None and row["value"] >= 0, row


def test_qr_figures():
    figures, out = run_benchmark("qr")
    assert_figures(figures, ["qr.payloads_per_s", "qr.png_per_s", "qr.svg_per_s", "qr.labels_pdf_seconds"])
    png = figures[1]
    assert png["floor"] > 0 and png["ratio"] == pytest.approx(png["value"] / png["floor"], rel=0.02)
    assert isinstance(png["met"], bool)
    assert figures[3]["labels"] == 30 and figures[3]["pages"] == 2
    assert out.rstrip().splitlines()[-1].startswith("qr.labels_pdf_seconds")


def test_import_figures():
    figures, _ = run_benchmark("import")
    assert_figures(figures, ["import.first_seconds", "import.again_seconds"])
    first, again = figures
    assert first["rows"] == 60 and first["created"] == 60 and first["rejected"] == 0
    assert again["unchanged"] == 60 and again["created"] == 0


def test_publish_figures():
    figures, _ = run_benchmark("publish")
    assert_figures(figures, ["publish.rate", "publish.duplicates"])
    rate, duplicates = figures
    assert rate["floor"] == 40 and rate["live"] == 20 and not rate["errors"]
    assert duplicates["value"] == 0 and duplicates["met"] is True and duplicates["items_created"] == 20


def test_webhooks_figures():
    figures, _ = run_benchmark("webhooks")
    names = [f["name"] for f in figures]
    assert names[0] == "webhooks.floor_rps"
    assert_figures(figures, names)
    floor = figures[0]
    assert floor["value"] > 0 and floor["statuses"] == {"200": sum(floor["statuses"].values())}
    for kind in ("sepay", "casso", "shopee", "lazada"):
        measured = [f for f in figures if f["name"].startswith(f"webhooks.{kind}_")]
        assert measured, kind
        if measured[0].get("skipped"):
            assert "no " in measured[0]["reason"]
        else:  # signed correctly: the endpoint accepted every event
            assert set(measured[0]["statuses"]) == {"200"}, measured[0]


def test_portal_figures():
    figures, _ = run_benchmark("portal")
    assert_figures(figures, ["portal.floor_rps", "portal.products_rps", "portal.products_p99_ms",
                             "portal.listings_rps", "portal.listings_p99_ms"])
    assert figures[1]["statuses"] == {"200": sum(figures[1]["statuses"].values())}
    assert figures[1]["page_bytes"] > 1000


def test_uploads_figures():
    figures, _ = run_benchmark("uploads")
    assert_figures(figures, ["uploads.floor_decode_2048_mb", "uploads.jpeg_largest_mb", "uploads.jpeg_worst_mb",
                             "uploads.png_largest_mb", "uploads.receipt_png_mb", "uploads.png_6300_refused_mb",
                             "uploads.four_at_once_mb", "uploads.four_at_once_4_slots_mb"])
    by_name = {f["name"]: f for f in figures}
    assert by_name["uploads.floor_decode_2048_mb"]["value"] > 5  # a 2048 x 1536 image really was decoded
    for name in ("uploads.jpeg_largest_mb", "uploads.jpeg_worst_mb", "uploads.png_largest_mb",
                 "uploads.receipt_png_mb", "uploads.four_at_once_mb"):
        assert by_name[name]["outcome"] == "accepted", by_name[name]
    refused = by_name["uploads.png_6300_refused_mb"]
    assert refused["outcome"] == "photo_too_many_pixels" and refused["met"] is True
    # the bound holds: four at once cost about two, not four
    assert by_name["uploads.four_at_once_mb"]["met"] is True
    assert by_name["uploads.four_at_once_mb"]["value"] < by_name["uploads.four_at_once_4_slots_mb"]["value"]


def test_percentile_and_table():
    assert percentile([], 99) is None
    assert percentile(list(range(1, 101)), 99) == 99
    assert percentile([5.0], 50) == 5.0
    text = table([{"name": "x.rate", "value": 12.5, "unit": "req/s", "floor": 25.0, "ratio": 0.5,
                   "goal": ">= 50%", "met": True},
                  {"name": "y", "value": None, "unit": "", "floor": None, "ratio": None, "goal": None,
                   "met": None, "skipped": True, "reason": "no endpoint"}])
    lines = text.splitlines()
    assert lines[0].split() == ["figure", "value", "unit", "floor", "ratio", "goal", "met"]
    assert "yes" in lines[2] and "skipped" in lines[3] and "no endpoint" in lines[3]
