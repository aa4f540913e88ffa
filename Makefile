# LMO — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest bench worker beat clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed

## run: install, migrate and serve on http://$(HOST):$(PORT)/ (embedded mode by default)
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	@$(BIN)/python manage.py lmo_serve --host $(HOST) --port $(PORT)

## test: lint, type checks and the whole test suite
test: lint typecheck pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy .

pytest: $(VENV)/.installed-test
	$(BIN)/pytest $(PYTEST_ARGS)

## bench: python manage.py lmo_bench (all scenarios)
bench: $(VENV)/.installed
	$(BIN)/python manage.py lmo_bench $(BENCH_ARGS)

## worker / beat: the scaled mode's Celery processes (REDIS_URL must be set)
worker: $(VENV)/.installed
	$(BIN)/celery -A lmo worker -Q high,default --loglevel INFO

beat: $(VENV)/.installed
	$(BIN)/celery -A lmo beat --loglevel INFO

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
