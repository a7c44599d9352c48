# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed
export LIS_DEBUG ?= 1

.PHONY: run test lint install translations migrate demo clean bench

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d lis/translations -D messages >/dev/null

migrate: install
	$(BIN)/lis db upgrade

# Development settings for the `lis` commands typed later in a shell (never overwritten).
.env:
	cp .env.example .env
	@echo "Wrote .env (development settings; see .env.example)"

demo: migrate .env
	$(BIN)/lis seed demo

run: demo
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl-C to stop)"
	$(BIN)/flask --app lis.app run --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python bench/search.py
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/import.py
	$(BIN)/python bench/compare.py
	$(BIN)/python bench/parse.py
	$(BIN)/python bench/load.py
	-$(BIN)/python bench/scoring.py
	$(BIN)/python bench/evidence.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
