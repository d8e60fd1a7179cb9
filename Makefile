# Two commands on a fresh machine: `make serve` and `make test`.
# Everything installs into .venv from pyproject.toml; nothing global is touched.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install test validate build serve vendor clean translations

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The interface's words in each language, compiled from the .po files kept in git.
TRANSLATIONS := server/gpai_kg/web/translations
CATALOGUES   := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))
$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel -q compile -d $(TRANSLATIONS) -l $*

# The browser tests' checkers (axe-core, the Nu HTML checker), pinned by tests/browser/package-lock.json.
# Without npm, or without the registry, those checks skip and say so; nothing else depends on them.
BROWSER_TOOLS := tests/browser/node_modules/.package-lock.json
$(BROWSER_TOOLS): tests/browser/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix tests/browser --ignore-scripts --no-audit --no-fund --loglevel=error \
	    || echo "make: npm ci failed: the accessibility and HTML checks will skip" >&2; \
	else echo "make: no npm: the accessibility and HTML checks will skip (apt-get install npm)" >&2; fi

install: $(STAMP) $(CATALOGUES) $(BROWSER_TOOLS)

test: install
	$(BIN)/python -m pytest

validate: install
	$(BIN)/gpai-kg validate

build: install
	$(BIN)/gpai-kg build

serve: build
	$(BIN)/gpai-kg serve

# Re-fetch the vendored YASGUI, world-atlas and Swagger UI (pinned versions and integrity) into the package's
# static files.
vendor:
	$(PYTHON) scripts/vendor_yasgui.py
	$(PYTHON) scripts/vendor_world_atlas.py
	$(PYTHON) scripts/vendor_swagger_ui.py

clean:
	rm -rf dist .pytest_cache

# The interface's message catalogues: extract the words from the code and templates, merge them into
# each language's .po (translate what is new there), then `make install` compiles them.
translations: install
	$(BIN)/pybabel extract -F server/gpai_kg/web/babel.cfg -k _l -k N_ -k lazy_gettext --no-location \
	  --sort-output --omit-header -o $(TRANSLATIONS)/messages.pot server/gpai_kg/web server/gpai_kg/describe.py
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-wrap --ignore-obsolete
