# `make demo` and `make test` set everything up from a clean clone: a .venv with highfence and its dependencies.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-quick install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/highfence demo

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q

# Everything but the tests that start a Prefect API server or a Dask cluster: for iterating; `make test` before a push.
test-quick: $(STAMP)
	$(VENV)/bin/python -m pytest -q -m "not prefect_server and not dask"

clean:
	rm -rf $(VENV) demo-output .pytest_cache
