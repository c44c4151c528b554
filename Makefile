# The README's words, as targets. `make run` brings the portal up with all its data;
# `make test` runs the whole suite against a real PostGIS database.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PYTHON := $(VENV)/bin/python
MANAGE := $(PYTHON) manage.py
PORT ?= 8000
STAMPS := .make

DB_NAME ?= portal
export DATABASE_URL ?= postgis:///$(DB_NAME)

.PHONY: help install system-packages db data run dev replica test test-fast lint format migrations-check bench loadtest fuzz backup restore derive-areas equivalence clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMPS):
	@mkdir -p $(STAMPS)

$(STAMPS)/system-packages: scripts/system-packages.sh | $(STAMPS)
	bash scripts/system-packages.sh
	@touch $@

$(STAMPS)/python: pyproject.toml $(STAMPS)/system-packages
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --upgrade "pip>=25.1"
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --group dev
	@touch $@

$(STAMPS)/npm: package.json $(STAMPS)/system-packages
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

install: $(STAMPS)/python $(STAMPS)/npm ## Install Debian, Python and npm packages that are missing

db: $(STAMPS)/system-packages ## Start PostgreSQL (creating the database with PostGIS) and Redis, if needed
	PORTAL_DB_NAME=$(DB_NAME) bash scripts/database.sh
	bash scripts/redis.sh

replica: db ## A streaming replica of the database on port 5433 (public reads: DATABASE_REPLICA_URL)
	PORTAL_DB_NAME=$(DB_NAME) bash scripts/replica.sh

data: install db ## Migrate, load the content fixtures (first time only) and run every import
	$(MANAGE) migrate --no-input
	$(MANAGE) createcachetable
	$(MANAGE) load_content --run-by "make data"
	$(MANAGE) import_boundaries --run-by "make data"
	$(MANAGE) import_postcodes --run-by "make data"
	$(MANAGE) import_practices --run-by "make data"
	$(MANAGE) load_neighbourhood_areas --run-by "make data"
	$(MANAGE) import_profiles --run-by "make data"
	$(MANAGE) recompute_answers

run: data ## Serve the portal as in production (nginx + gunicorn) at http://127.0.0.1:$(PORT)
	$(PYTHON) scripts/serve.py --port $(PORT)

dev: data ## Django's development server with autoreload and DEBUG, for developers
	PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://127.0.0.1:$(PORT)} $(MANAGE) runserver 127.0.0.1:$(PORT)

# Test processes (pytest-xdist), each with a test database of its own: one a core.
TEST_WORKERS ?= 2

test: install db ## Run the whole test suite: the core on factory-built data, then the open data and the browser
	@# Two runs: the core's own database holds no open data, so a save in a core test works
	@# out the answers of its factories' postcodes alone, not of the 6,153 real ones beside them.
	@# pytest exits 5 when it collects no tests: a suite that runs nothing must not pass.
	@$(VENV)/bin/pytest -n $(TEST_WORKERS) -m "not realdata and not browser" $(PYTEST_ARGS); core=$$?; \
	$(VENV)/bin/pytest -n $(TEST_WORKERS) -m "realdata or browser" $(PYTEST_ARGS); rest=$$?; \
	for status in $$core $$rest; do \
	  if [ $$status -eq 5 ]; then echo "No tests were collected: failing." >&2; exit 1; fi; \
	  if [ $$status -ne 0 ]; then exit $$status; fi; \
	done

test-fast: install db ## The core on factory-built data: no open data, no browser (about 90 s)
	$(VENV)/bin/pytest -n $(TEST_WORKERS) -m "not realdata and not browser" $(PYTEST_ARGS)

lint: install ## ruff check and format check, and the layers contract (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install ## Fix what ruff can
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install db ## Fail if a model change has no migration
	$(MANAGE) makemigrations --check --dry-run

bench: data ## Measure lookups/s and latency under gunicorn on loopback (see docs/performance.md)
	bash scripts/system-packages.sh bench
	$(PYTHON) scripts/bench.py $(BENCH_ARGS)

loadtest: data ## 100 clients for 60 s and 8 stalled connections against the `make run` server
	bash scripts/system-packages.sh bench
	$(PYTHON) scripts/loadtest.py $(LOADTEST_ARGS)

fuzz: data ## schemathesis, every check, against the API as `make run` serves it (docs/api.md)
	$(PYTHON) scripts/fuzz.py $(FUZZ_ARGS)

backup: db ## Dump the database to backups/ (pg_dump, custom format)
	PORTAL_DB_NAME=$(DB_NAME) bash scripts/backup.sh

restore: install db ## Restore a backup: make restore FILE=backups/portal-....dump (backs up first)
	@test -n "$(FILE)" || { echo "Name the backup to restore: make restore FILE=backups/..." >&2; exit 2; }
	PORTAL_DB_NAME=$(DB_NAME) bash scripts/restore.sh "$(FILE)"

derive-areas: data ## Derive the LSOA-to-neighbourhood assignment again into fixtures/
	$(MANAGE) derive_neighbourhood_areas

# The commit whose answers the code must still give: moved forward when behaviour changes
# on purpose.
EQUIVALENCE_BASE ?= cb372fa

equivalence: data ## Fail if any page or API answer differs from EQUIVALENCE_BASE's (a restructuring)
	$(PYTHON) scripts/equivalence.py check --base $(EQUIVALENCE_BASE) $(EQUIVALENCE_ARGS)

clean: ## Remove the virtual environment, npm packages, collected static files and .run/
	rm -rf $(VENV) node_modules staticfiles staticfiles-manifest .run $(STAMPS)
