# Jiceng — two commands: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export JICENG_HOME ?= $(CURDIR)/var

.PHONY: run test setup lint test-sqlite test-postgres test-live browser-deps document-deps bench bench-smoke clean

HOST ?= 127.0.0.1
PORT ?= 8000

run: setup  ## set up, load demo data on first run, serve on http://$(HOST):$(PORT) (make run PORT=8080 HOST=0.0.0.0)
	JICENG_DEBUG=1 $(BIN)/jiceng demo --host $(HOST) --port $(PORT)

setup: $(STAMP) node_modules/.package-lock.json i18n

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

i18n: $(STAMP) jiceng/locale/zh_Hans/LC_MESSAGES/django.po
	@JICENG_HOME=$$(mktemp -d) $(BIN)/jiceng i18n compile

test: setup lint test-sqlite test-postgres test-live  ## the whole suite, as CI runs it

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	@JICENG_HOME=$$(mktemp -d) $(BIN)/jiceng makemigrations --check --dry-run >/dev/null

test-sqlite: setup document-deps
	@echo "==== test suite on SQLite ===="
	JICENG_HOME=$$(mktemp -d) $(BIN)/pytest -m "not live" -p no:cacheprovider

test-postgres: setup document-deps
	@echo "==== test suite on PostgreSQL ===="
	JICENG_HOME=$$(mktemp -d) scripts/with-postgres $(BIN)/pytest -m "not live" -p no:cacheprovider

test-live: setup browser-deps
	@echo "==== browser tests (Playwright + chromium) and API fuzzing against a live server ===="
	JICENG_HOME=$$(mktemp -d) $(BIN)/pytest -m live -p no:cacheprovider

browser-deps:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# .docx → PDF (tests/test_documents.py converts for real): LibreOffice Writer without the
# GUI, CJK fonts so Chinese renders, and pdftotext to read the result back.
document-deps:
	@{ command -v soffice && command -v pdftotext && fc-list :lang=zh family | grep -q .; } >/dev/null 2>&1 || { \
	  echo "installing Debian's LibreOffice Writer, Noto CJK fonts and poppler-utils"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    libreoffice-writer-nogui fonts-noto-cjk poppler-utils >/dev/null; }

bench: setup  ## every benchmark at its documented scale (minutes; docs/benchmarks.md)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/coverage.py --scale province --db postgres
	$(BIN)/python bench/import_members.py --scale city --db postgres
	$(BIN)/python bench/member_list.py --scale province --db postgres
	$(BIN)/python bench/tally.py --db postgres
	$(BIN)/python bench/compliance.py --scale city --db postgres
	$(BIN)/python bench/assessment.py --scale city --db postgres

bench-smoke: setup  ## every benchmark at small scale on SQLite (seconds)
	@for b in bench/[a-z]*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules jiceng/locale/zh_Hant build *.egg-info
