# The two commands of the README: `make run` and `make test`. Both build .venv first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv run test lint bench clean

venv: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: venv
	CIAO_DATABASE_URL=$${CIAO_DATABASE_URL:-sqlite:///var/ciao.db} \
		$(BIN)/ciao-gateway serve --host 127.0.0.1 --port 8000 --demo

lint: venv
	$(BIN)/ruff check gateway storage clients tests bench
	$(BIN)/ruff format --check gateway storage clients tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
