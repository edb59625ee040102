# Duoying Mall — developer commands. `make run` and `make test` work alone on a fresh clone.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# pip repeats a harmless warning per package about local index folders this machine lacks.
QUIET_PIP := 2>&1 | { grep -v "^WARNING: Location" || true; }
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
# Debian packages needed to build mysqlclient.
BUILD_DEBS := pkg-config libmariadb-dev gcc python3-dev
# The demo shop draws its product pictures with a real Chinese font.
FONT_DEBS := fonts-noto-cjk
# What the tests drive: the browser of the console tests, nginx for the deploy/ site's tests
# (tests/test_deploy_files.py checks and serves the shipped nginx configuration).
TEST_DEBS := chromium nginx $(FONT_DEBS)
# GNU gettext: makemessages / compilemessages and the catalogue check (translations_check).
I18N_DEBS := gettext

.PHONY: install install-test-browser install-miniprogram run test test-python test-miniprogram lint bench-api bench-flash bench-pricing bench-checkout bench-request-cpu bench-load-cpu bench-instructions bench-events bench-segments bench-lifecycle bench-whatif bench-import migrate seed clean translations

install: system-packages $(VENV)/.installed

system-packages:
	@bash scripts/ensure_debs.sh $(BUILD_DEBS) $(FONT_DEBS) $(I18N_DEBS)

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	@$(PIP) install --quiet --upgrade pip $(QUIET_PIP)
	@$(PIP) install --quiet -r requirements-dev.txt $(QUIET_PIP)
	@touch $@

install-test-browser:
	@bash scripts/ensure_debs.sh $(TEST_DEBS)

migrate: install
	@$(PY) manage.py db_create
	@$(PY) manage.py migrate --noinput

seed: migrate
	@$(PY) manage.py seed_demo

run: seed
	@$(PY) manage.py ensure_owner
	@$(PY) manage.py collectstatic --noinput >/dev/null
	@PORT=$(PORT) PY=$(PY) bash scripts/serve.sh

# The mini-program's node packages (Node.js from Debian when the machine has none).
install-miniprogram:
	@command -v npm >/dev/null || bash scripts/ensure_debs.sh nodejs npm
	@cd miniprogram && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }

# The whole suite: the mini-program (WXML/WXSS compile, TDesign subset, size, jest), then Python.
test: test-miniprogram test-python

# jest checks every fake API answer against the OpenAPI document it generates with the project's Python.
test-miniprogram: install install-miniprogram
	@cd miniprogram && PYTHON=$(abspath $(PY)) npm run --silent ci

test-python: install install-test-browser
	@$(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$status

lint: install
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy .
	@$(PY) manage.py translations_check

bench-api: install
	@bash scripts/ensure_debs.sh wrk
	@$(PY) bench/bench_api.py

# 2,000 shoppers racing a 100-unit flash-sale slot on MariaDB + Redis (DATABASE_URL / REDIS_URL, default local).
bench-flash: install
	@bash scripts/ensure_debs.sh wrk
	@$(PY) bench/bench_flash.py

bench-pricing: install
	@$(PY) bench/bench_pricing.py

# Instructions per quote (0 / 50 promotions) and per request (ping, preview) counted by valgrind: noise-free.
bench-instructions: install
	@bash scripts/ensure_debs.sh valgrind
	@$(PY) bench/bench_instructions.py

# Checkout preview and order placement in process on bench-api's shop (CPU ms per request and queries; no wrk).
bench-checkout: install
	@$(PY) bench/bench_checkout.py

# CPU per request end to end on bench-api's shop: the WSGI app in process, MariaDB's thread and Redis (µs each).
bench-request-cpu: install
	@$(PY) bench/bench_request_cpu.py

# The same split under bench-api's load (gunicorn + wrk): µs of CPU per request by process.
bench-load-cpu: install
	@$(PY) bench/bench_load_cpu.py

# Behaviour events (F37): HTTP batches → Redis stream → drains → table (events/s), then BENCH_EVENTS_ROWS
# (default 10M) raw events loaded, rolled up and the 行为分析 selectors timed; own database *_bench_events.
bench-events: install
	@bash scripts/ensure_debs.sh wrk
	@$(PY) bench/bench_events.py
# Two of everything on loopback: nginx in front of two gunicorn instances, two Celery workers and one
# beat on one MariaDB and one Redis (DATABASE_URL / REDIS_URL); the 2,000-buyer flash-sale race through
# nginx while one web instance and one worker are killed; prints a JSON line (see deploy/README.md).
.PHONY: scale-check
scale-check: install
	@bash scripts/ensure_debs.sh wrk nginx
	@$(PY) bench/scale_check.py
# Five typical segments counted over 100,000 shoppers on MariaDB (DATABASE_URL, default duoying_bench_segments).
bench-segments: install
	@$(PY) bench/bench_segments.py
# The lifecycle journeys over 100,000 shoppers with orders on MariaDB (DATABASE_URL names the server;
# the bench uses its own database <name>_lifecycle_bench). Prints {"members","seconds","peak_rss_mb","queries"}.
bench-lifecycle: install
	@$(PY) bench/bench_lifecycle.py
# What-if replay (B01): 100,000 paid orders replayed through the pricing engine with and without a new 满减
# (own database <name>_whatif_bench). Prints {"orders",…,"seconds","peak_rss_mb","queries"} last; goal ≤ 60 s.
bench-whatif: install
	@$(PY) bench/bench_whatif.py

# A 100,000-row member import (xlsx) through the background-job path on MariaDB (DATABASE_URL names the
# server; the bench uses its own database <name>_import_bench). Prints {"rows","seconds","peak_mb",…} last.
bench-import: install
	@$(PY) bench/bench_import.py

# Re-extract the project's strings into locale/en/LC_MESSAGES/django.po (new ones arrive with an empty
# msgstr: translate them in the .po) and compile every catalogue's .mo (committed: the app needs no gettext).
translations: install
	@$(PY) manage.py makemessages -l en
	@$(PY) manage.py compilemessages
	@$(PY) manage.py translations_check

clean:
	rm -rf var/ .pytest_cache .mypy_cache .ruff_cache
