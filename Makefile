# Both targets create their own virtual environment (.venv) on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test example bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# The main job: a working copy of the bundled example project, opened in the coding workbench.
run: $(STAMP)
	$(BIN)/qualcode example outputs/example-project --force
	$(BIN)/qualcode code -p outputs/example-project

# The whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest

example: $(STAMP)
	$(BIN)/qualcode example outputs/example-project --force

bench: $(STAMP)
	$(BIN)/python tests/bench/run_all.py

clean:
	rm -rf $(VENV) outputs/example-project
