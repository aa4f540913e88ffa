# LMO — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest pytest-embedded pytest-scaled security bench screenshots worker beat clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed

## run: install, migrate and serve on http://$(HOST):$(PORT)/ (embedded mode unless configured)
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	@$(BIN)/python manage.py lmo_serve --host $(HOST) --port $(PORT)

## test: lint, type checks, the suite in the embedded mode, then again in the scaled mode
test: lint typecheck pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy .

# The two passes run side by side (they share no database, port or folder); each one's
# output is printed whole when it ends.
pytest:
	@$(MAKE) --no-print-directory -j2 --output-sync=target pytest-embedded pytest-scaled

# Embedded mode: SQLite, in-memory channel layer, in-process tasks; browser tests included.
pytest-embedded: $(VENV)/.installed-test
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest -m "not scaled" $(PYTEST_ARGS)

# Scaled mode: the same suite on PostgreSQL + Redis with real Celery workers, when
# LMO_TEST_DATABASE_URL and LMO_TEST_REDIS_URL are set (.ci/run sets them).
pytest-scaled: $(VENV)/.installed-test
	@if [ -n "$$LMO_TEST_DATABASE_URL" ] && [ -n "$$LMO_TEST_REDIS_URL" ]; then \
		echo "== scaled mode: $$LMO_TEST_DATABASE_URL + $$LMO_TEST_REDIS_URL"; \
		DATABASE_URL="$$LMO_TEST_DATABASE_URL" REDIS_URL="$$LMO_TEST_REDIS_URL" \
			$(BIN)/pytest -m "not embedded and not browser" $(PYTEST_ARGS); \
	elif [ "$$LMO_TEST_REQUIRE_SCALED" = "1" ]; then \
		echo "LMO_TEST_REQUIRE_SCALED=1 but LMO_TEST_DATABASE_URL / LMO_TEST_REDIS_URL are not set" >&2; exit 1; \
	else \
		echo "SKIPPED scaled-mode tests: set LMO_TEST_DATABASE_URL (PostgreSQL) and LMO_TEST_REDIS_URL to run them."; \
	fi

## security: only the fuzz and bad-input tests (pytest -m security; also part of make test)
security: $(VENV)/.installed-test
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest -m security $(PYTEST_ARGS)

## bench: python manage.py lmo_bench (all scenarios)
bench: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py lmo_bench $(BENCH_ARGS)

## screenshots: refresh docs/screenshots/ from the browser test
screenshots: $(VENV)/.installed-test
	LMO_SCREENSHOT_DIR=docs/screenshots $(BIN)/pytest tests/browser -q

## worker / beat: the scaled mode's Celery processes (REDIS_URL must be set)
worker: $(VENV)/.installed
	$(BIN)/celery -A lmo worker -Q high,default --loglevel INFO

beat: $(VENV)/.installed
	$(BIN)/celery -A lmo beat --loglevel INFO

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
