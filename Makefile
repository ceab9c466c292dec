# The two commands of the README: `make run` and `make test`. Both build the venv first.
# The gateway runs on CPython 3.11, 3.12 and 3.13. The default interpreter is the distribution's
# CPython 3.11 where the machine has one (Debian builds it with profile-guided optimisation and
# LTO): it runs the gateway's Python about a third faster than a build without, such as pyenv's
# default (docs/performance.md). Otherwise the newest of python3.13, python3.12 and python3.11
# on PATH that starts. `make PYTHON=/path/to/python3.x ...` chooses another.
DEFAULT_PYTHON := $(if $(wildcard /usr/bin/python3.11),/usr/bin/python3.11,$(shell \
	for p in python3.13 python3.12 python3.11; do \
		$$p -c 'import sys; print(sys.executable)' 2>/dev/null && break; \
	done))
PYTHON ?= $(DEFAULT_PYTHON)
NO_PYTHON := no python3.13, python3.12 or python3.11 on PATH starts
WANTED_INTERPRETER := $(shell $(PYTHON) -c 'import os, sys; print(os.path.realpath(sys.executable), sys.version.split()[0])' 2>/dev/null)
PYTHON_VERSION := $(subst $(eval) ,.,$(wordlist 1,2,$(subst ., ,$(word 2,$(WANTED_INTERPRETER)))))

# .venv is the default interpreter's, however PYTHON names it; another one gets a venv of its
# own (.venv-3.12, ...), so that trying a version leaves .venv as it was.
VENV := $(if $(filter $(realpath $(DEFAULT_PYTHON)),$(firstword $(WANTED_INTERPRETER))),.venv,.venv-$(PYTHON_VERSION))
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

NODE_PACKAGES := $(VENV)/node/.installed
CHROMIUM := /usr/bin/chromium

.PHONY: venv run test test-python lint bench bench-scale bench-instructions soak clean FORCE

venv: $(STAMP)

# The Node `soap` package, for the test that builds a Node client from the served WSDL, and
# axe-core, the accessibility audit the browser tests run on every page.
$(NODE_PACKAGES): $(STAMP)
	@if command -v npm >/dev/null; then \
		npm install --silent --no-audit --no-fund --prefix $(VENV)/node soap@1 axe-core@4 && \
		touch $(NODE_PACKAGES); \
	else echo "npm not found: the Node client and accessibility tests will be skipped"; fi

# Debian's Chromium, for the browser tests of the pages (Playwright drives it; it downloads no
# browser of its own). Installed where it is missing and this user may.
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser tests"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
		{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }; \
	else echo "chromium not found: the browser tests will be skipped"; fi

# A venv is built again, from scratch, when PYTHON is another interpreter than the one it was
# built on (another path or version), as when /usr/bin/python3.11 appears or goes.
INTERPRETER := $(VENV)/.interpreter
BUILT_INTERPRETER := $(shell cat $(INTERPRETER) 2>/dev/null)
ifneq ($(WANTED_INTERPRETER),$(BUILT_INTERPRETER))
REBUILD_VENV := rm -rf $(VENV)
$(STAMP): FORCE
endif

$(STAMP): setup.cfg pyproject.toml
	@test -n '$(WANTED_INTERPRETER)' || { echo "no Python to build the venv on:" \
		"$(if $(PYTHON),$(PYTHON) does not start,$(NO_PYTHON)); make PYTHON=/path/to/python3.x"; exit 1; }
	$(REBUILD_VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	echo '$(WANTED_INTERPRETER)' > $(INTERPRETER)
	touch $(STAMP)

FORCE:

run: venv
	CIAO_DATABASE_URL=$${CIAO_DATABASE_URL:-sqlite:///var/ciao.db} \
		$(BIN)/ciao-gateway serve --host 127.0.0.1 --port 8000 --demo

# The import contracts of setup.cfg: the arrows between the rooms point one way, no cycles.
lint: venv
	$(BIN)/ruff check gateway storage clients tests bench
	$(BIN)/ruff format --check gateway storage clients tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache --no-logo

# The suite in parallel, one pytest-xdist worker per core; each worker takes a whole test
# module at a time (so a module-scoped fixture is made once), in the order they are collected
# (the slow browser and reliability modules first). `make test PYTEST_WORKERS=0` runs the
# suite in this one process. Either way the ten slowest tests are printed at the end.
PYTEST_WORKERS ?= auto
PARALLEL := -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

test: lint $(NODE_PACKAGES) $(CHROMIUM)
	$(BIN)/pytest $(PARALLEL) --durations=10

# The tests that tell whether the gateway works on a given interpreter, kept to a few minutes:
# Spyne's import, the wheel and its commands, the contract, the foreign SOAP clients, the ingest
# path and the pages over HTTP and in Chromium. The pages run on SQLite only: the others
# exercise the PostgreSQL driver. `.ci/run` runs them on 3.12 and 3.13
# (make test-python PYTHON=/path/to/python3.12).
PYTHON_TESTS := tests/unit/test_spyne_compat.py tests/test_package.py tests/test_contract.py \
	tests/test_foreign_stacks.py tests/test_ingest_path.py \
	tests/test_pages_worker.py tests/test_pages_management.py tests/browser

test-python: venv $(NODE_PACKAGES) $(CHROMIUM)
	$(BIN)/pytest $(PARALLEL) $(PYTHON_TESTS) -k 'not (pages and postgres)'

bench: venv
	$(BIN)/python -m bench.run

# Ten million registrations on PostgreSQL (built in some 12 minutes, kept as ciao_bench_scale):
# `make bench-scale SCALE_ARGS=--reuse` measures the one a run before built, migrated first.
SCALE_ARGS ?=
bench-scale: venv
	$(BIN)/python -m bench.scale $(SCALE_ARGS)

bench-instructions: venv
	$(BIN)/python -m bench.instructions

soak: venv
	$(BIN)/python -m bench.soak --minutes 5 --rate 100

clean:
	rm -rf .venv .venv-* var .pytest_cache .mypy_cache .ruff_cache build dist
