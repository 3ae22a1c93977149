# newsbot — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: demo test run bench stress stress-corpus lint clean compiled

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	NEWSBOT_PURE_PYTHON=1 $(PY) -m pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(PY)
	NEWSBOT_PURE_PYTHON=1 $(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

# The analysis modules that setup.py compiles with Cython, built here and rebuilt whenever a source
# is newer than its compiled module (an edit would otherwise leave the old compiled code running).
# Only the changed modules are recompiled: setuptools decides by the copies it keeps in build/.
# The pip installs above skip compiling (NEWSBOT_PURE_PYTHON=1), which would only be done twice.
COMPILEDSTAMP := $(VENV)/.compiled
$(COMPILEDSTAMP): setup.py $(addprefix bot/core/,analysis.py language.py entities.py figures.py) $(wildcard bot/core/deals/*.py) | $(STAMP)
	$(PY) -m pip install --quiet "Cython>=3.0,<4" "setuptools>=77"
	$(PY) setup.py --quiet build_ext --inplace $(if $(filter setup.py,$?),--force)
	touch $@

compiled: $(COMPILEDSTAMP)

demo: $(STAMP) $(COMPILEDSTAMP)
	$(PY) -m bot demo

run: $(STAMP) $(COMPILEDSTAMP)
	$(PY) -m bot run

test: $(DEVSTAMP) $(COMPILEDSTAMP)
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q

BENCHSTAMP := $(VENV)/.installed-bench

$(BENCHSTAMP): pyproject.toml | $(PY)
	NEWSBOT_PURE_PYTHON=1 $(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $(STAMP) $(DEVSTAMP) $@

# Analysis throughput, then the feed farm (writes BENCHMARKS.md and docs/bench-cycle.png).
bench: $(BENCHSTAMP) $(COMPILEDSTAMP)
	$(PY) -m tests.bench
	$(PY) -m tests.farm

# The feed farm alone (N = 1,000 and 10,000); FARM_SIZES=100,300 picks other feed counts.
farm: $(BENCHSTAMP) $(COMPILEDSTAMP)
	$(PY) -m tests.farm

# The fault-and-attack suite in full (make test runs a shortened form of each part).
stress: $(DEVSTAMP) $(COMPILEDSTAMP) stress-corpus
	$(PY) -m tests.stress

# feedparser's own test corpus (part 1 replays it), from the source distribution of the
# installed version, unpacked into .stress/feedparser-tests/. Never needed by `make test`.
STRESS_DIR := .stress
CORPUS_DIR := $(STRESS_DIR)/feedparser-tests
stress-corpus: $(CORPUS_DIR)/.unpacked

$(CORPUS_DIR)/.unpacked: | $(DEVSTAMP)
	mkdir -p $(STRESS_DIR)
	version=$$($(PY) -c 'import importlib.metadata as m; print(m.version("feedparser"))') && \
	$(PY) -m pip download --quiet --no-binary :all: --no-deps "feedparser==$$version" -d $(STRESS_DIR) && \
	rm -rf $(CORPUS_DIR) && mkdir -p $(CORPUS_DIR) && \
	tar xzf $(STRESS_DIR)/feedparser-$$version.tar.gz -C $(CORPUS_DIR) --strip-components=2 "feedparser-$$version/tests"
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
	find bot -name '*.so' -delete
	find bot/core -name '*.c' -delete
