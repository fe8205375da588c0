# Keel's set-up, run and test commands. `make run` and `make test` are all a new user needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.9
export DJANGO_SETTINGS_MODULE ?= keel.config.settings.dev

.PHONY: run test test-fast test-browser lint types bench install assets messages translations check clean ci

# --- set-up steps (each runs only when its inputs changed) --------------------------------

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(UV): | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.installed: requirements.lock pyproject.toml | $(UV)
	$(UV) pip sync --quiet --python $(BIN)/python requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

build/assets/vendor/.built: node_modules/.package-lock.json scripts/build-assets.mjs
	npm run --silent build

MO_FILES := $(patsubst %.po,%.mo,$(wildcard src/keel/locale/*/LC_MESSAGES/*.po))
%.mo: %.po | $(VENV)/.installed
	$(BIN)/keel i18n compile

install: $(VENV)/.installed
assets: build/assets/vendor/.built
translations: $(MO_FILES)

# --- what people run ---------------------------------------------------------------------

run: install assets translations
	DEBUG=1 $(BIN)/keel serve --demo

test: install assets translations
	DJANGO_SETTINGS_MODULE=keel.config.settings.test $(BIN)/python -m pytest -p no:randomly $(PYTEST_ARGS)
	$(BIN)/lint-imports --no-cache

test-fast: install translations
	DJANGO_SETTINGS_MODULE=keel.config.settings.test $(BIN)/python -m pytest -m "not browser and not schema" -x -q $(PYTEST_ARGS)

test-browser: install assets translations
	DJANGO_SETTINGS_MODULE=keel.config.settings.test $(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports --no-cache

types: install
	$(BIN)/mypy

check: install
	DJANGO_SETTINGS_MODULE=keel.config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=keel.config.settings.test $(BIN)/python manage.py check

messages: install
	cd src/keel && ../../$(BIN)/python ../../manage.py makemessages -l zh_Hans --no-obsolete --no-location --ignore "engine/*"
	$(BIN)/keel i18n compile

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) node_modules build
