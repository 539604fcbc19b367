# kontakt: `make run` serves the demo city on http://127.0.0.1:8000, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint install clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { echo "error: cannot create a virtualenv; on Debian: apt-get install python3-venv"; exit 2; }
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/kontakt db upgrade
	$(BIN)/kontakt kb import content/
	$(BIN)/kontakt booking import content/
	$(BIN)/kontakt desk import content/
	$(BIN)/kontakt benefits import content/benefits/schedule-sample.csv
	$(BIN)/kontakt train --if-stale
	$(BIN)/kontakt serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test: install lint
	$(BIN)/pytest

clean-db:
	rm -f var/kontakt.db var/kontakt.db-wal var/kontakt.db-shm
