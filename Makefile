# newsbot — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: demo test run bench stress lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

demo: $(STAMP)
	$(PY) -m bot demo

run: $(STAMP)
	$(PY) -m bot run

test: $(DEVSTAMP)
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q

bench: $(DEVSTAMP)
	$(PY) -m tests.bench

# The fault-and-attack suite in full (make test runs a shortened form of each part).
stress: $(DEVSTAMP)
	$(PY) -m tests.stress

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
