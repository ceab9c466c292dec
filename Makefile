# The two commands of the README: `make run` and `make test`. Both build .venv first.
# The distribution's CPython 3.11 where the machine has one (Debian builds it with profile-guided
# optimisation and LTO): it runs the gateway's Python about a third faster than a build without,
# such as pyenv's default (docs/performance.md). Otherwise whichever python3.11 is first on PATH.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11) python3.11)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

NODE_PACKAGES := $(VENV)/node/.installed
CHROMIUM := /usr/bin/chromium

.PHONY: venv run test lint bench bench-instructions soak clean FORCE

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

# .venv is built again, from scratch, when PYTHON is another interpreter than the one it was
# built on (another path or version), as when /usr/bin/python3.11 appears or goes.
INTERPRETER := $(VENV)/.interpreter
WANTED_INTERPRETER := $(shell $(PYTHON) -c 'import os, sys; print(os.path.realpath(sys.executable), sys.version.split()[0])' 2>/dev/null)
BUILT_INTERPRETER := $(shell cat $(INTERPRETER) 2>/dev/null)
ifneq ($(WANTED_INTERPRETER),$(BUILT_INTERPRETER))
REBUILD_VENV := rm -rf $(VENV)
$(STAMP): FORCE
endif

$(STAMP): setup.cfg pyproject.toml
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

test: lint $(NODE_PACKAGES) $(CHROMIUM)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=10

bench: venv
	$(BIN)/python -m bench.run

bench-instructions: venv
	$(BIN)/python -m bench.instructions

soak: venv
	$(BIN)/python -m bench.soak --minutes 5 --rate 100

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache build dist
