# The commands in the README: report, test, lab.
#
# Each target creates a local virtual environment (.venv) on first use and
# installs the package with the exact versions pinned in constraints.txt.
#
# Options:
#   make report           the report in English and Swedish: reports/en/, reports/sv/, one PDF each
#   make report LANG=sv   only the Swedish build (LANG=en: only the English one)
#   make report CODE=1    show code cells in the HTML rendering
#
# LANG is also the locale variable. We read it only when it was given on the
# command line, pass it on as --lang, and give recipes back the locale the
# caller's environment had, so that the process locale never changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

ifeq ($(origin LANG),command line)
LABEL_LANG := $(LANG)
REPORT_LANGS := $(LANG)
else
LABEL_LANG := en
REPORT_LANGS := en sv
endif
ENV_LANG := $(shell printenv LANG)
ifeq ($(ENV_LANG),)
unexport LANG
else
override LANG := $(ENV_LANG)
export LANG
endif

CODE ?= 0

.PHONY: report test lab setup browser-deps deps clean help print-lang

help:
	@echo "make report   execute every notebook, write figures/, reports/en/ and reports/sv/ with a PDF each (LANG=sv or LANG=en for one language, CODE=1 to show code)"
	@echo "make test     unit tests and nbval over notebooks/"
	@echo "make lab      JupyterLab on notebooks/"

setup: $(STAMP)
	@:

# The packages are installed with uv (pinned in constraints.txt; about 25 s instead of pip's 80 s), compiled to
# bytecode as pip does (each test process would compile them again where PYTHONDONTWRITEBYTECODE is set);
# if uv cannot be installed or cannot reach the package index, pip installs the same pinned versions.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt uv \
	  && $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -c constraints.txt -e '.[test]' \
	  || { echo "uv could not install the packages; installing them with pip"; \
	       $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'; }
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ebm-analysis)" >/dev/null
	touch $(STAMP)

# The packages and Chromium, installed side by side (on a fresh machine both mostly wait for downloads).
deps:
	@$(MAKE) --no-print-directory -j2 --output-sync=target setup browser-deps

# The PDF is printed by Debian's Chromium (headless), hence browser-deps.
report: deps
	$(BIN)/python -m ebm_analysis report --lang $(REPORT_LANGS) $(if $(filter 1 yes true,$(CODE)),--code,)

# The browser tests drive Debian's Chromium with Playwright (no browser download).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# The suite runs as in a fresh clone (EBM_NO_SHARED=1: nothing beside the repository is
# looked at); tests that need external files skip with their reason, and
# tests/test_fresh_clone.py runs those in a subprocess when the files are available.
# The test files run on one worker per core (at most 4), each file whole on one worker (nbval runs a
# notebook's cells in order in one kernel; a module's fixtures are built once), longest first
# (tests/conftest.py: LONGEST_FIRST; --no-loadscope-reorder keeps that order).
# PYTHONDONTWRITEBYTECODE is cleared for the run (some machines set it): otherwise every worker rewrites the
# asserts of every test module again (about 6 s each), since pytest keeps that work as bytecode (in __pycache__/).
test: deps
	PYTHONDONTWRITEBYTECODE= EBM_NO_SHARED=1 EBM_LANG=en $(BIN)/python -m pytest tests ebm_analysis notebooks --nbval -p no:cacheprovider \
	  -n auto --maxprocesses 4 --dist loadfile --no-loadscope-reorder

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

# Used by the tests of this Makefile: shows what a recipe sees.
print-lang:
	@echo "label-lang=$(LABEL_LANG) recipe-LANG=$$LANG"

clean:
	rm -rf $(VENV) reports
