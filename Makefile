# Patrol — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := app
# The app's own CLI (pyproject.toml's console script): the venv's flask with the app preloaded,
# told the server's HOST and PORT so that labels it prints point where the server listens.
PATROL := HOST=$(HOST) PORT=$(PORT) $(BIN)/patrol

PG_TEST_URL ?= $(or $(TEST_DATABASE_URL),$(DATABASE_URL))

.PHONY: run test test-web test-sqlite test-postgres install web screenshots lint format bench clean

## run: install, migrate, load the demo property, serve on http://$(HOST):$(PORT)
run: install web
	$(PATROL) db upgrade
	$(PATROL) seed demo
	@echo "Patrol: http://$(HOST):$(PORT)  (API docs: /api/docs, demo password: patrol-demo)"
	$(BIN)/gunicorn --workers 2 --threads 4 --bind $(HOST):$(PORT) --access-logfile - 'app:create_app()'

## lan: a trial on the office Wi-Fi over HTTPS: Caddy (tls internal) on this machine's LAN
## address in front of gunicorn; phones first open http://<address>:$(LAN_HTTP_PORT)/ca
LAN_HOST ?= $(shell hostname -I 2>/dev/null | awk '{print $$1}')
LAN_HTTPS_PORT ?= 8443
LAN_HTTP_PORT ?= 8080
CADDY_HOME := $(CURDIR)/instance/caddy
LAN_ENV = PUBLIC_BASE_URL=https://$(LAN_HOST):$(LAN_HTTPS_PORT) TRUSTED_PROXY_HOPS=1 \
	SESSION_COOKIE_SECURE=1 PATROL_CA_ROOT_CERT=$(CADDY_HOME)/data/caddy/pki/authorities/local/root.crt
CADDY_ENV = XDG_DATA_HOME=$(CADDY_HOME)/data XDG_CONFIG_HOME=$(CADDY_HOME)/config \
	PATROL_LAN_HOST=$(LAN_HOST) PATROL_LAN_HTTPS_PORT=$(LAN_HTTPS_PORT) \
	PATROL_LAN_HTTP_PORT=$(LAN_HTTP_PORT) PATROL_UPSTREAM=127.0.0.1:$(PORT)

lan: install web system-deps-lan
	@if [ -z "$(LAN_HOST)" ]; then echo "no LAN address found: make lan LAN_HOST=192.168.x.y"; exit 1; fi
	$(PATROL) db upgrade
	$(LAN_ENV) $(PATROL) seed demo
	@mkdir -p $(CADDY_HOME)
	@echo "Patrol over HTTPS: https://$(LAN_HOST):$(LAN_HTTPS_PORT)"
	@echo "On each phone first open http://$(LAN_HOST):$(LAN_HTTP_PORT)/ca and install the certificate"
	$(CADDY_ENV) caddy run --adapter caddyfile --config deploy/Caddyfile.lan & caddy=$$!; \
		trap "kill $$caddy 2>/dev/null" EXIT INT TERM; \
		$(LAN_ENV) $(BIN)/gunicorn --workers 2 --threads 4 --bind 127.0.0.1:$(PORT) \
			--access-logfile - 'app:create_app()'

## test: install what the tests need, run the phone's unit tests (vitest, seconds), then the
## suite on SQLite, then on PostgreSQL if configured
test: install-test web
	$(MAKE) --no-print-directory test-web
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$(PG_TEST_URL)" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "DATABASE_URL/TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

test-web:
	@echo "== phone unit tests (web/test, vitest + fake-indexeddb)"
	cd web && npm test

test-sqlite:
	@echo "== test suite on SQLite"
	env -u DATABASE_URL -u TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres:
	@echo "== test suite on PostgreSQL"
	TEST_DATABASE_URL="$(PG_TEST_URL)" $(BIN)/python -m pytest $(PYTEST_ARGS)

## test-clock: the time-sensitive tests at awkward instants (tests/clock.py), each in the
## property's zone or in UTC as the machine's zone, then under libfaketime at three times of day
CLOCK_TESTS := tests/plans tests/coverage tests/tickets tests/renovation tests/presence tests/test_seed.py
# Each instant covers two awkward cases: New Year just after midnight (still 31 December in
# UTC), a month's last minute, either side of the 08:30 shift start, and UTC's midnight edges
# on month ends (08:30 and 07:59 the next day in Shanghai).
CLOCK_INSTANTS := \
	2027-01-01T00:30:00+08:00@UTC 2027-02-28T23:59:00+08:00@Asia/Shanghai \
	2027-03-10T08:29:00+08:00@UTC 2027-03-10T08:31:00+08:00@Asia/Shanghai \
	2027-03-31T00:30:00+00:00@UTC 2027-04-30T23:59:00+00:00@Asia/Shanghai
FAKETIMES := "2026-12-02 03:00:00" "2026-12-02 12:00:00" "2026-12-02 07:10:00"
CLOCK_PYTEST = env -u DATABASE_URL -u TEST_DATABASE_URL $(BIN)/python -m pytest -q -n 2 -p no:randomly

test-clock: install-test
	@for spec in $(CLOCK_INSTANTS); do \
		echo "== clock: $${spec%@*} (TZ=$${spec#*@})"; \
		PATROL_TEST_NOW="$${spec%@*}" TZ="$${spec#*@}" $(CLOCK_PYTEST) $(CLOCK_TESTS) || exit 1; \
	done
	@for at in $(FAKETIMES); do \
		echo "== faketime: $$at UTC"; \
		PATROL_TEST_NOW=system TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 \
			faketime -f "@$$at" $(CLOCK_PYTEST) tests/tickets tests/plans/test_sweep.py || exit 1; \
	done

## system-deps: Debian packages the app needs (a TrueType CJK font for the QR label sheets).
## system-deps-test adds what only the tests need: Chromium and the Noto CJK fonts for the phone
## app's browser tests, libfaketime for the clock runs (make test-clock), curl and jq for the
## README's own commands (tests/e2e/test_readme.py).
SYSTEM_PACKAGES := fonts-wqy-microhei
LAN_SYSTEM_PACKAGES := caddy
TEST_SYSTEM_PACKAGES := chromium fonts-noto-cjk faketime caddy libnss3-tools curl jq
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: system-deps system-deps-lan system-deps-test install-test lock test-clock lan
system-deps:
	@$(call apt_install,$(SYSTEM_PACKAGES))

system-deps-lan:
	@$(call apt_install,$(LAN_SYSTEM_PACKAGES))

system-deps-test:
	@$(call apt_install,$(TEST_SYSTEM_PACKAGES))

define apt_install
	if ! command -v dpkg >/dev/null 2>&1; then \
		echo "not Debian/Ubuntu: install these yourself: $(1)"; \
	else \
		missing=""; \
		for pkg in $(1); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
		if [ -n "$$missing" ]; then \
			$(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends $$missing; \
		fi; \
	fi
endef

## install: the locked Python packages (requirements.txt, with hashes) into .venv;
## install-test: the same plus the test tools (requirements-dev.txt). make lock refreshes both.
install: system-deps $(VENV)/.installed

install-test: system-deps system-deps-test $(VENV)/.installed-test

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-test: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

## lock: resolve pyproject.toml again into requirements.txt and requirements-dev.txt (commit both)
UV_VERSION := 0.13.9
UV_COMPILE = $(BIN)/uv pip compile --quiet --generate-hashes --universal --python-version 3.11
lock: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(UV_COMPILE) pyproject.toml requirements-tools.in -o requirements.txt
	$(UV_COMPILE) --extra test pyproject.toml requirements-tools.in -o requirements-dev.txt

## web: build the phone app into web/dist, only when a source changed since the last build
## (npm ci again only when package-lock.json changed)
WEB_STAMP := web/dist/.built
WEB_SOURCES := $(shell find web/src web/public web/scripts -type f 2>/dev/null) \
	$(wildcard web/index.html web/package.json web/package-lock.json web/vite.config.js)
web: $(WEB_STAMP)

$(WEB_STAMP): $(WEB_SOURCES)
	@if [ -f web/package.json ]; then \
		if [ ! -f web/node_modules/.installed ] || [ web/package-lock.json -nt web/node_modules/.installed ]; then \
			(cd web && npm ci --no-audit --no-fund) && touch web/node_modules/.installed; \
		fi; \
		(cd web && npm run build) && mkdir -p web/dist && touch $@; \
	fi

## screenshots: retake docs/screenshots/*.png (phone and back-office screens) with the browser tests
screenshots: install-test web
	env -u DATABASE_URL -u TEST_DATABASE_URL PATROL_SCREENSHOTS=docs/screenshots \
		$(BIN)/python -m pytest tests/e2e -q

## fuzz: schemathesis over every operation of the OpenAPI document as an admin, on SQLite
## (tests/fuzz; FUZZ_PATHS=<regex> for some paths only); bounded by FUZZ_TIMEOUT seconds
FUZZ_TIMEOUT ?= 1200
.PHONY: fuzz
fuzz: install-test
	env -u DATABASE_URL -u TEST_DATABASE_URL timeout $(FUZZ_TIMEOUT) \
		$(BIN)/python -m pytest -q -p no:randomly -m fuzz tests/fuzz $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check app seed tests bench
	$(BIN)/ruff format --check app seed tests bench
	$(BIN)/mypy

format: install-test
	$(BIN)/ruff format app seed tests bench
	$(BIN)/ruff check --fix app seed tests bench

clean:
	rm -rf $(VENV) instance web/dist web/node_modules
