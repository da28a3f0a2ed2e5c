"""What the benchmarks share: the figure format, a throwaway database, timing and percentiles."""
import contextlib
import math
import os
import shutil
import tempfile
import time
from urllib.parse import quote

FIGURE_KEYS = ("name", "value", "unit", "floor", "ratio", "goal", "met")


def figure(emit, name, value, unit, *, floor=None, ratio=None, goal=None, met=None, **extra):
    """Emit one figure. `ratio` is value/floor unless given; `met` is None for a figure with no goal
    (shown for information), else a bool."""
    if ratio is None and floor not in (None, 0) and value is not None:
        ratio = value / floor
    row = {"name": name, "value": _round(value), "unit": unit, "floor": _round(floor), "ratio": _round(ratio, 3),
           "goal": goal, "met": met}
    row.update(extra)
    emit(row)
    return row


def skipped(emit, name, reason, **extra):
    """A figure that could not be measured on this tree (e.g. an endpoint not written yet)."""
    return figure(emit, name, None, "", met=None, skipped=True, reason=reason, **extra)


def _round(value, digits=2):
    if isinstance(value, float):
        return round(value, digits)
    return value


def percentile(values, q):
    """The q-th percentile (0-100) by nearest rank; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


class Stopwatch:
    def __enter__(self):
        self.start = time.perf_counter()
        self.seconds = None
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        return False


def timed_rate(fn, *, seconds, min_calls=3):
    """Call fn() repeatedly for about `seconds`; returns calls per second."""
    calls = 0
    start = time.perf_counter()
    deadline = start + seconds
    while calls < min_calls or time.perf_counter() < deadline:
        fn()
        calls += 1
    return calls / (time.perf_counter() - start)


@contextlib.contextmanager
def no_debug():
    """DEBUG off (config.settings.local turns it on): no query log slowing the figures down."""
    from django.test.utils import override_settings

    with override_settings(DEBUG=False):
        yield


def database_url(settings_dict):
    """A DATABASE_URL (django-environ syntax) for the database `settings_dict` describes, so a
    subprocess (gunicorn) opens the same throwaway database."""
    engine = settings_dict["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    if "postgresql" in engine:
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or ""
        port = settings_dict.get("PORT") or ""
        return f"postgres://{auth}{host}{':' if port else ''}{port}/{settings_dict['NAME']}"
    raise ValueError(f"unsupported database engine {engine}")


@contextlib.contextmanager
def throwaway_database(*, name="", keep=False, reference_data=True):
    """Create and migrate a database of its own for the benchmark, point the default connection at
    it, and drop it afterwards. SQLite: a file in a temporary directory; PostgreSQL: a database on
    the configured server, named `name` or ocop_bench_<pid>. The configured database (the demo's
    var/ocop.sqlite3, production's) is never opened.

    Yields the DATABASE_URL of the throwaway database."""
    from django.db import connections

    connection = connections["default"]
    settings_dict = connection.settings_dict
    tempdir = None
    old_test = dict(settings_dict.get("TEST") or {})
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        tempdir = tempfile.mkdtemp(prefix="ocop-bench-")
        test_name = os.path.join(tempdir, name or "bench.sqlite3")
    else:
        test_name = name or f"ocop_bench_{os.getpid()}"
    settings_dict.setdefault("TEST", {})["NAME"] = test_name
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
    try:
        if reference_data:
            from payments.services import banks_load
            from producers.reference import ensure_reference_data
            from producers.units import load_administrative_units

            load_administrative_units()
            ensure_reference_data()
            banks_load()
        yield database_url(settings_dict)
    finally:
        for alias in connections:
            connections[alias].close()
        if keep:
            settings_dict["NAME"] = old_name
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        settings_dict["TEST"] = old_test
        if tempdir and not keep:
            shutil.rmtree(tempdir, ignore_errors=True)


@contextlib.contextmanager
def database_for(options):
    """The throwaway database unless --current-database asks to run in the configured one (the
    tests do, inside their own test database)."""
    if getattr(options, "current_database", False):
        from django.db import connections

        yield database_url(connections["default"].settings_dict)
        return
    with throwaway_database(name=getattr(options, "db_name", "") or "", keep=getattr(options, "keep_db", False)) as url:
        yield url


def add_database_arguments(parser):
    parser.add_argument("--db-name", default="", help="name of the throwaway database (default: ocop_bench_<pid>)")
    parser.add_argument("--keep-db", action="store_true", help="keep the throwaway database afterwards")
    parser.add_argument("--current-database", action="store_true",
                        help="run in the configured database instead of a throwaway one (tests only)")


@contextlib.contextmanager
def temporary_media():
    """MEDIA_ROOT in a temporary directory, removed afterwards."""
    from django.test.utils import override_settings

    path = tempfile.mkdtemp(prefix="ocop-bench-media-")
    try:
        with override_settings(MEDIA_ROOT=path):
            yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def seed_catalogue(*, products, producers=1, with_photo=False, password="bench-mat-khau-8"):
    """One verified producer (or several) with an owner and `products` OCOP products, in bulk.
    Returns (owner, [producer], [product ids]). Photos, when asked, all point at one stored JPEG
    (a marketplace receives its bytes like any photo's)."""
    import io as _io

    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    from producers.models import Commune, Membership, OcopProduct, Producer, ProductGroup, ProductPhoto
    from producers.text import name_key

    commune = Commune.objects.order_by("code").first()
    groups = list(ProductGroup.objects.order_by("pk"))
    owner = get_user_model().objects.create_user(username="bench-owner", password=password,
                                                 email="bench-owner@example.vn", full_name="Sùng A Páo")
    made = []
    for n in range(producers):
        producer = Producer.objects.create(
            kind=Producer.Kind.COOPERATIVE, name=f"HTX Chè Shan tuyết Suối Giàng {n}", tax_code=f"{5200000000 + n}",
            commune=commune, status=Producer.Status.VERIFIED, representative="Sùng A Páo")
        Membership.objects.create(user=owner, producer=producer, role=Membership.Role.OWNER)
        made.append(producer)
    rows = []
    for n in range(products):
        name = f"Chè Shan tuyết Suối Giàng hộp {n}"
        rows.append(OcopProduct(
            producer=made[n % len(made)], name=name, name_key=name_key(name), group=groups[n % len(groups)],
            stars=3 + n % 3, certificate_number=f"{n}/QĐ-UBND", unit="hộp 200 g", price=150000 + n,
            weight_grams=250, description="Chè Shan tuyết cổ thụ, hái tay, sao thủ công."))
    OcopProduct.objects.bulk_create(rows, batch_size=1000)
    ids = list(OcopProduct.objects.filter(producer__in=made).order_by("pk").values_list("pk", flat=True))
    if with_photo:
        out = _io.BytesIO()
        Image.new("RGB", (800, 800), (30, 120, 60)).save(out, "JPEG", quality=80)
        stored = default_storage.save("bench/square.jpg", ContentFile(out.getvalue()))
        ProductPhoto.objects.bulk_create(
            [ProductPhoto(product_id=pk, image=stored, square=stored, width=800, height=800) for pk in ids],
            batch_size=1000)
    return owner, made, ids


def as_options(options):
    """run() takes the argparse Namespace (python -m benchmarks) or the options dict a management
    command's handle() receives."""
    import argparse

    return argparse.Namespace(**options) if isinstance(options, dict) else options
