# Flywheel Audit — `make run` to try it, `make test` to run the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432

.PHONY: run test test-postgres test-browser lint bench clean

# Reinstalls only when requirements.txt changes.
$(VENV)/installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

run: $(VENV)/installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Flywheel Audit on http://127.0.0.1:$(PORT)/  (Ctrl+C to stop)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/installed
	$(PY) -m pytest

# The same suite on PostgreSQL, in a fresh database that is dropped afterwards.
test-postgres: $(VENV)/installed
	PG_URL=$(PG_URL) bash .ci/with-postgres $(PY) -m pytest -m "not browser"

test-browser: $(VENV)/installed
	$(PY) -m pytest -m browser

lint: $(VENV)/installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(VENV)/installed
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
