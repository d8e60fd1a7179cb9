# Two commands on a fresh machine: `make serve` and `make test`.
# Everything installs into .venv from pyproject.toml; nothing global is touched.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install test validate build serve vendor clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

test: install
	$(BIN)/python -m pytest

validate: install
	$(BIN)/gpai-kg validate

build: install
	$(BIN)/gpai-kg build

serve: build
	$(BIN)/gpai-kg serve

# Re-fetch the vendored YASGUI (pinned version and integrity) into the package's static files.
vendor:
	$(PYTHON) scripts/vendor_yasgui.py

clean:
	rm -rf dist .pytest_cache
