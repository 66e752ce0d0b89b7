# `make all` rebuilds data/processed/ from data/raw/; `make test` runs the tests. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: all build test bench clean docs

all: build

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

build: $(STAMP)
	$(VENV)/bin/ogi build --raw data/raw --out data/processed

test: $(STAMP)
	$(PY) -m pytest -q

# `make bench` times ogi build on 10,000 generated reports; `make bench BENCH_FILES=30000` on more.
BENCH_FILES ?= 10000
bench: $(STAMP)
	$(PY) bench/run.py --files $(BENCH_FILES)

# Regenerate docs/data-dictionary.md from schemas/descriptions.csv, schemas/glosses.csv and the catalogs.
docs: $(STAMP)
	$(VENV)/bin/ogi dictionary --out docs/data-dictionary.md

clean:
	rm -rf data/processed/*
