# Outreach — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := outreach

.DEFAULT_GOAL := help
.PHONY: help install system-deps run test e2e faults lint bench clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create the virtualenv and install Outreach with its dev tools

system-deps: ## Install Debian's chromium and dovecot-imapd for browser and IMAP tests (as root)
	@if command -v chromium >/dev/null && command -v dovecot >/dev/null; then echo "chromium and dovecot present"; \
	else apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium dovecot-imapd >/dev/null; fi
	@systemctl disable --now dovecot >/dev/null 2>&1 || true

run: $(STAMP) ## Migrate, seed the demo on an empty database, serve (gunicorn) + worker on :5000
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask serve --host 127.0.0.1 --port 5000

# Three xdist workers even on two cores: many tests wait on servers and processes. Each worker
# has its own databases and Redis (tests/support/services.py); xdist_group keeps a group on one.
test: $(STAMP) ## Run the test suite (SQLite + embedded Redis, plus PostgreSQL/Redis when TEST_* are set)
	$(BIN)/pytest -q -n 3 --dist loadgroup

e2e: $(STAMP) ## The whole loop in Chromium against flask serve, SMTP and Dovecot (tests/e2e)
	$(BIN)/pytest -q -p no:cacheprovider -m e2e tests/e2e

faults: $(STAMP) ## Only the fault tests (killed workers, Redis/PostgreSQL restarts, full disk)
	$(BIN)/pytest -q -m faults tests/faults

lint: $(STAMP) ## ruff (lint + format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check outreach tests
	$(BIN)/mypy

bench: $(STAMP) ## Benchmarks (imports, intersect); results in bench-results/
	$(BIN)/python -m tests.bench.run

clean: ## Remove the virtualenv and caches (keeps instance/ data)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
