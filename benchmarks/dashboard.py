"""`dashboard`: the department's summary at national scale against the best single SQL aggregate
(see dashboard/bench.py, which seeds the data and measures)."""


def add_arguments(parser):
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--transactions", type=int, default=5_000_000)
    parser.add_argument("--listings", type=int, default=None, help="default: five per product")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measure (median)")
    parser.add_argument("--keep", action="store_true", help="leave the seeded rows in the database")


def _get(options, name, default=None):
    return options.get(name, default) if isinstance(options, dict) else getattr(options, name, default)


def run(options, emit):
    from dashboard import bench

    products = _get(options, "products")
    listings = _get(options, "listings") or 5 * products

    def log(line):
        phase = line.get("phase")
        if phase in ("base", "doubled"):
            emit({"name": f"dashboard summary ({phase}, {line['transactions']:,} transactions)",
                  "value": line["summary_ms"], "unit": "ms", "floor": line["floor_ms"], "ratio": line["ratio"],
                  "goal": "<= 2x floor", "met": line["ratio"] is not None and line["ratio"] <= 2, **line})
        if phase == "doubled":
            emit({"name": "dashboard slowdown when transactions double", "value": line["summary_slowdown_pct"],
                  "unit": "%", "floor": line["floor_slowdown_pct"], "ratio": None, "goal": "< 20%",
                  "met": line["goal_under_20pct_slower"]})

    bench.run(products=products, transactions=_get(options, "transactions"), listings=listings,
              repeat=_get(options, "repeat", 5), keep=_get(options, "keep", False), log=log)
