# The two commands of the README. Each installs what it needs first (scripts/bootstrap.sh):
# the Debian packages when missing, then the virtual environment in .venv/.
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test lint bootstrap bench docs clean

bootstrap: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/bootstrap.sh
	bash scripts/bootstrap.sh
	touch $@

demo: bootstrap
	$(VENV)/bin/lobby demo

test: bootstrap
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest

lint: bootstrap
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: bootstrap
	$(PY) bench/hub_bench.py

docs: bootstrap
	$(VENV)/bin/lobby mqtt-docs --out docs/mqtt-api.md

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
