# The two entry points of the project (see README.md). Both create .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: book test site benchmarks clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## execute every chapter (profile quick, CPU) and render the site to _build/html
book: $(STAMP)
	$(PY) -m landscape run --profile quick --device cpu --seed 0

## the test suite: package tests, every chapter in quick, the site built with warnings as errors
test: $(STAMP)
	$(PY) -m pytest

## rebuild the site from already executed notebooks
site: $(STAMP)
	$(PY) -m landscape site

## speed benchmarks (not part of the book run); the report page shows them after `make site`
benchmarks: $(STAMP)
	$(PY) benchmarks/eigenpair_solver.py
	$(PY) benchmarks/spin_glass_throughput.py
	$(PY) benchmarks/critical_search_batched.py
	$(PY) benchmarks/critical_search_full_cost.py
	$(PY) benchmarks/trained_networks_full_cost.py

clean:
	rm -rf _build .pytest_cache .hypothesis
