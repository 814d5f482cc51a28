# Naboskap: `make run` to try it, `make test` to test it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails point at the server `make run` starts, unless SITE_URL is given.
SITE_URL ?= http://$(HOST):$(PORT)
MANAGE := $(BIN)/python manage.py
# Files whose change means the environment must be refreshed.
PY_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

.PHONY: run install migrate demo test chromium lint format bench faults messages check-deploy backup-check clean

run: install migrate demo ## install, migrate, load demo data, serve with the worker
	@echo "Two-step verification (MFA) is OFF for this development demo (MFA_REQUIRED=0)."
	@echo "Email goes to this console and to var/outbox/."
	@echo "Serving on http://$(HOST):$(PORT)/ (staff pages at /app/, admin at /admin/)"
	@MFA_REQUIRED=0 SITE_URL=$(SITE_URL) $(MANAGE) db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	MFA_REQUIRED=0 SITE_URL=$(SITE_URL) $(MANAGE) runserver $(HOST):$(PORT)

install: $(PY_STAMP) $(NPM_STAMP)

$(PY_STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

migrate: install
	$(MANAGE) migrate --no-input -v0
	$(MANAGE) createcachetable

demo: migrate
	$(MANAGE) load_demo

# Test processes (pytest-xdist): one per CPU by default. The browser tests run in a second
# pass, each worker with its own live server and Chromium.
TEST_WORKERS ?= auto
CHROMIUM_PATH ?= /usr/bin/chromium
export CHROMIUM_PATH

test: install chromium ## the whole suite in parallel: unit, HTTP and fuzz tests, then browser tests (lint: make lint)
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not browser"
	$(BIN)/pytest -n $(TEST_WORKERS) -m browser

# The browser tests drive Debian's Chromium: installed here when we are root with apt-get,
# as CI does; otherwise stop before any test and say what to run.
chromium:
	@if [ ! -x "$(CHROMIUM_PATH)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Chromium for the browser tests: apt-get install chromium"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null && \
	    test -x "$(CHROMIUM_PATH)" || { echo "Chromium is not at $(CHROMIUM_PATH) after apt-get install chromium: set CHROMIUM_PATH." >&2; exit 1; }; \
	  else \
	    echo "The browser tests need Chromium at $(CHROMIUM_PATH): run 'sudo apt-get install chromium' (or set CHROMIUM_PATH), then 'make test'." >&2; \
	    exit 1; \
	  fi; \
	fi

lint: install ## ruff, and the architecture's contracts in pyproject.toml (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install ## requests/s of public pages against /healthz, with production settings
	$(BIN)/python bench/run.py

# A PostgreSQL cluster of its own (initdb; as the postgres user when run as root): restarted
# under load, the worker killed while sending, the SMTP server away. Needs PostgreSQL's server
# programs (apt-get install postgresql), not a running server.
faults: install ## nothing lost, nothing twice: PostgreSQL restarted, worker killed, SMTP away
	$(BIN)/python bench/run.py --only faults

# makemessages runs without settings, so it writes only to naboskap/locale; compilemessages
# runs with them, so it also compiles LOCALE_PATHS (naboskap/locale_vendor, hand-kept).
messages: install ## refresh and compile the translation catalogues
	cd naboskap && ../$(BIN)/django-admin makemessages -l nb -l nn -l en --no-obsolete --ignore 'testing/*'
	cd naboskap && DJANGO_SETTINGS_MODULE=naboskap.settings ../$(BIN)/django-admin compilemessages

check-deploy: install
	NABOSKAP_ENV=production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
	ALLOWED_HOSTS=naboskap.example $(MANAGE) check --deploy --fail-level WARNING

# bin/backup, a wipe and bin/restore in a throwaway set-up, compared before and after. With
# DATABASE_URL on PostgreSQL it uses its own database there (naboskap_backupcheck).
backup-check: install ## back up, wipe, restore and compare the demo with its photos and PDFs
	$(BIN)/python bin/backup_check.py

clean:
	rm -rf $(VENV) node_modules var
