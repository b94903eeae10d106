# Tunebench: `make run` starts the platform on the embedded default; `make test` runs the suite.
# Everything installs into .venv; nothing outside the repository is changed.

SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= $(shell command -v python3.11 || command -v python3)
TUNEBENCH_PORT ?= 8000
export TUNEBENCH_PORT
# The mysql extra compiles mysqlclient against system headers; it is installed only when the
# database is MySQL (or when asked: make install EXTRAS=dev,mysql).
EXTRAS ?= dev$(if $(findstring mysql://,$(DATABASE_URL)),$(comma)mysql)
comma := ,
STAMP := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: install run test lint format bench schema clean

install: $(STAMP)

$(STAMP): pyproject.toml client/pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[$(EXTRAS)]' -e ./client
	@touch $@

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo
	@echo "  Tunebench is starting at http://127.0.0.1:$(TUNEBENCH_PORT)/"
	@echo "  Demo login: demo / tunebench-demo   (API docs: http://127.0.0.1:$(TUNEBENCH_PORT)/api/docs/)"
	@echo "  Stop with Ctrl-C."
	@echo
	honcho start -f Procfile

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

schema: install
	$(PY) manage.py spectacular --fail-on-warn --validate --file schema.yml

bench: install
	@shopt -s nullglob; benches=(bench/*.py); \
	if [ $${#benches[@]} -eq 0 ]; then echo "No benchmarks yet (bench/*.py)."; fi; \
	for b in "$${benches[@]}"; do echo "== $$b"; $(PY) "$$b" || exit 1; done

clean:
	rm -rf var
