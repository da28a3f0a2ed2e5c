# Two commands for a newcomer: `make demo` runs the service with demo data, `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: demo test test-e2e migrate run bench clean messages lint

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

migrate: $(STAMP)
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_units

# Without a broker the periodic tasks (sweeps, order polling) run in `run_periodic`, beside the web
# server, and stop with it (Ctrl-C).
demo: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py run_periodic & periodic=$$!; \
	trap 'kill $$periodic 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Ruff, and the layers of README's "Layout" (each app imports only the ones below it).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Every benchmark against its floor. The dashboard at national scale (100,000 products, 5,000,000
# transactions) wants PostgreSQL: DATABASE_URL=postgres://... make bench BENCH_PRODUCTS=100000 BENCH_TRANSACTIONS=5000000
BENCH_PRODUCTS ?= 10000
BENCH_TRANSACTIONS ?= 200000
bench: migrate
	$(BIN)/python manage.py bench dashboard --products $(BENCH_PRODUCTS) --transactions $(BENCH_TRANSACTIONS)
	for name in qr import publish webhooks portal uploads; do $(BIN)/python manage.py bench $$name || exit 1; done

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l en --no-obsolete
	$(BIN)/python manage.py compilemessages -l en

clean:
	rm -rf $(VENV) var .pytest_cache

# Reliability at the issues' full sizes (issue 7 items 1, 3-6; issue 8 item 3): gunicorn, Celery
# workers, PostgreSQL and Redis on 127.0.0.1. RESTARTS the local Redis (test_reliability_broker_restart).
.PHONY: reliability
reliability: $(STAMP)
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/ocop_reliability CELERY_BROKER_URL=redis://127.0.0.1:6379/14 \
	REDIS_URL=redis://127.0.0.1:6379/13 OCOP_REQUIRE_INTEGRATION=1 \
	RELIABILITY_EVENTS=$${RELIABILITY_EVENTS:-1000} RELIABILITY_LISTINGS=$${RELIABILITY_LISTINGS:-200} \
	RELIABILITY_BURST_EVENTS=$${RELIABILITY_BURST_EVENTS:-1000} RELIABILITY_BURST_LISTINGS=$${RELIABILITY_BURST_LISTINGS:-200} \
	RELIABILITY_SCALE_EVENTS=$${RELIABILITY_SCALE_EVENTS:-1000} RELIABILITY_SCALE_LISTINGS=$${RELIABILITY_SCALE_LISTINGS:-200} \
	$(BIN)/python -m pytest -q -s -p no:cacheprovider --create-db $(PYTEST_ARGS) tests/integration/test_reliability_*.py
