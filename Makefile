# Two commands for a fresh machine with Python 3.11+, make and git:
#   make run    install into .venv, migrate SQLite, import courses, seed demo accounts, serve
#   make test   install into .venv and run the whole suite (SQLite, then PostgreSQL if reachable)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
HOST   ?= 127.0.0.1
PORT   ?= 5000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test install setup lint format test-sqlite test-postgres bench translations clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

instance/secret_key:
	mkdir -p instance
	$(BIN)/python -c 'import secrets; print(secrets.token_hex(32))' > $@
	chmod 600 $@

setup: install instance/secret_key
	$(FLASK) db upgrade
	$(FLASK) lms import-courses courses
	$(FLASK) lms seed-demo

run: setup
	@echo "Portal: http://$(HOST):$(PORT)  (stop with Ctrl+C)"
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test-sqlite: install
	$(BIN)/python -m pytest -q

test-postgres: install
	LMS_TEST_DATABASE_URL=$${LMS_TEST_DATABASE_URL:-$(PG_TEST_URL)} $(BIN)/python -m pytest -q tests/integration

test: lint test-sqlite test-postgres

translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_gettext -o lms/translations/messages.pot .
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d lms/translations

bench: install
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
