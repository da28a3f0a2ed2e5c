"""`python -m benchmarks NAME [options]`: run one benchmark (or `all`) outside manage.py.

Prints one JSON line per figure, then a table. DJANGO_SETTINGS_MODULE defaults to
config.settings.local; `--database-url` sets DATABASE_URL (the server the throwaway database is
created on) before Django starts.
"""
import argparse
import json
import os
import sys

from . import BENCHMARKS, module


def table(rows):
    """A plain-text table of the figures."""
    header = ("figure", "value", "unit", "floor", "ratio", "goal", "met")
    lines = [header]
    for row in rows:
        met = {True: "yes", False: "NO", None: "-"}[row.get("met")]
        if row.get("skipped"):
            met = "skipped"
        lines.append((
            str(row["name"]), _cell(row.get("value")), str(row.get("unit") or ""), _cell(row.get("floor")),
            _cell(row.get("ratio")), str(row.get("goal") or "") if not row.get("skipped") else str(row.get("reason")),
            met,
        ))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return str(value)


def parser_for(names):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="", help="DATABASE_URL to use (its server hosts the throwaway db)")
    parser.add_argument("--settings", default="", help="DJANGO_SETTINGS_MODULE (default config.settings.local)")
    sub = parser.add_subparsers(dest="benchmark", required=True)
    for name in names:
        module(name).add_arguments(sub.add_parser(name))
    return parser


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    # Only the named benchmark's module is imported before Django is set up.
    names = [a for a in argv if a in BENCHMARKS][:1] or list(BENCHMARKS)
    parser = parser_for(names)
    options = parser.parse_args(argv)
    if options.settings:
        os.environ["DJANGO_SETTINGS_MODULE"] = options.settings
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    if options.database_url:
        os.environ["DATABASE_URL"] = options.database_url
    import django

    django.setup()
    rows = []

    def emit(row):
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False, default=str), flush=True)

    module(options.benchmark).run(options, emit)
    print()
    print(table(rows), flush=True)
    return 1 if any(row.get("met") is False for row in rows) and os.environ.get("BENCH_STRICT") else 0


if __name__ == "__main__":
    sys.exit(main())
