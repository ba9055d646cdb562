# Patrol — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := app

PG_TEST_URL ?= $(or $(TEST_DATABASE_URL),$(DATABASE_URL))

.PHONY: run test test-sqlite test-postgres install web screenshots lint format bench clean

## run: install, migrate, load the demo property, serve on http://$(HOST):$(PORT)
run: install web
	$(BIN)/flask db upgrade
	$(BIN)/flask seed demo
	@echo "Patrol: http://$(HOST):$(PORT)  (API docs: /api/docs, demo password: patrol-demo)"
	$(BIN)/gunicorn --workers 2 --threads 4 --bind $(HOST):$(PORT) --access-logfile - 'app:create_app()'

## test: install what the tests need, run the suite on SQLite, then on PostgreSQL if configured
test: install web
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$(PG_TEST_URL)" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "DATABASE_URL/TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

test-sqlite:
	@echo "== test suite on SQLite"
	env -u DATABASE_URL -u TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres:
	@echo "== test suite on PostgreSQL"
	TEST_DATABASE_URL="$(PG_TEST_URL)" $(BIN)/python -m pytest $(PYTEST_ARGS)

## system-deps: Debian packages the app needs (a TrueType CJK font for the QR label sheets;
## Chromium and the Noto CJK fonts for the phone app's browser tests)
SYSTEM_PACKAGES := fonts-wqy-microhei chromium fonts-noto-cjk
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: system-deps
system-deps:
	@if ! command -v dpkg >/dev/null 2>&1; then \
		echo "not Debian/Ubuntu: install a CJK TrueType font yourself ($(SYSTEM_PACKAGES))"; \
	else \
		missing=""; \
		for pkg in $(SYSTEM_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
		if [ -n "$$missing" ]; then \
			$(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends $$missing; \
		fi; \
	fi

install: system-deps $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## web: build the phone app into web/dist (npm ci again only when package-lock.json changed)
web:
	@if [ -f web/package.json ]; then \
		if [ ! -f web/node_modules/.installed ] || [ web/package-lock.json -nt web/node_modules/.installed ]; then \
			(cd web && npm ci --no-audit --no-fund) && touch web/node_modules/.installed; \
		fi; \
		cd web && npm run build; \
	fi

## screenshots: retake docs/screenshots/*.png (phone and back-office screens) with the browser tests
screenshots: install web
	env -u DATABASE_URL -u TEST_DATABASE_URL PATROL_SCREENSHOTS=docs/screenshots \
		$(BIN)/python -m pytest tests/e2e -q

lint: install
	$(BIN)/ruff check app seed tests bench
	$(BIN)/ruff format --check app seed tests bench
	$(BIN)/mypy

format: install
	$(BIN)/ruff format app seed tests bench
	$(BIN)/ruff check --fix app seed tests bench

clean:
	rm -rf $(VENV) instance web/dist web/node_modules
