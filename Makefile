# Two commands for a fresh machine with Python 3.11+, make and git (and npm, if present, for axe-core):
#   make run    install into .venv, migrate SQLite, import courses, seed demo accounts, serve
#   make test   install into .venv and run the whole suite (SQLite, then PostgreSQL if reachable)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
HOST   ?= 127.0.0.1
PORT   ?= 5000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test install browser-tools setup lint format test-sqlite test-postgres bench translations clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# axe-core (package.json, pinned in package-lock.json) for the browser tests' accessibility scans.
# Without npm, or when npm ci fails off CI, those scans skip with the reason; on CI they must run.
node_modules/.installed: package.json package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
		if [ -n "$$CI" ]; then echo "CI: npm is needed for the accessibility scans"; exit 1; fi; \
		echo "npm not found: the axe-core accessibility scans will be skipped."; \
	elif npm ci --no-audit --no-fund; then \
		touch $@; \
	elif [ -n "$$CI" ]; then \
		exit 1; \
	else \
		echo "npm ci failed: the axe-core accessibility scans will be skipped."; \
	fi

browser-tools: node_modules/.installed

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

test-sqlite: install browser-tools
	$(BIN)/python -m pytest -q

test-postgres: install
	LMS_TEST_DATABASE_URL=$${LMS_TEST_DATABASE_URL:-$(PG_TEST_URL)} $(BIN)/python -m pytest -q tests/integration

# The two databases' runs go side by side (the SQLite one is mostly CPU, the PostgreSQL one mostly
# waits on the server), which keeps the whole suite well under CI's ten minutes; the PostgreSQL
# run's output follows the SQLite run's.
test: lint
	@pg_log=$$(mktemp); \
	$(MAKE) --no-print-directory test-postgres > "$$pg_log" 2>&1 & pg=$$!; \
	$(MAKE) --no-print-directory test-sqlite; sqlite=$$?; \
	wait $$pg; postgres=$$?; \
	echo "--- PostgreSQL run ---"; cat "$$pg_log"; rm -f "$$pg_log"; \
	[ $$sqlite -eq 0 ] && [ $$postgres -eq 0 ]

translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_gettext -o lms/translations/messages.pot .
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d lms/translations

bench: install
	$(BIN)/python bench/pages.py --floor

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules
