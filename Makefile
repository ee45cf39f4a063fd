# Flywheel Audit — `make run` to try it, `make test` to run the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432

# Python keeps compiled modules (and pytest its rewritten test modules) in __pycache__ between runs,
# even where the environment asks it not to (PYTHONDONTWRITEBYTECODE): each test process then starts
# seconds sooner.
export PYTHONDONTWRITEBYTECODE =

.PHONY: run test test-postgres test-browser lint bench messages clean

# Reinstalls only when a requirements file changes: the app's own for `make run`, the tests' and
# tools' on top of them for the rest.
$(VENV)/installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/dev-installed: requirements-dev.txt $(VENV)/installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(VENV)/installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Flywheel Audit on http://127.0.0.1:$(PORT)/  (Ctrl+C to stop)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The suite runs in a process per core (pytest-xdist), four at the most; one that runs out of tests
# takes some of another's (worksteal: the browser tests take seconds each). PARALLEL= runs it in one.
PARALLEL ?= -n auto --maxprocesses=4 --dist worksteal

test: $(VENV)/dev-installed
	$(PY) -m pytest $(PARALLEL)

# The same suite on PostgreSQL, in a fresh database that is dropped afterwards.
test-postgres: $(VENV)/dev-installed
	PG_URL=$(PG_URL) bash .ci/with-postgres $(PY) -m pytest $(PARALLEL) -m "not browser"

# In one process: on PostgreSQL (CI) it includes eight browsers timing how soon each sees a change
# (tests/browser/test_live_scale.py), which must not share the cores with other browser tests.
test-browser: $(VENV)/dev-installed
	$(PY) -m pytest -m browser

lint: $(VENV)/dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The page benchmark (cold and warm), the export benchmark, then the load test: locust against
# gunicorn and a scratch PostgreSQL database on PG_URL, 20, 60 and 200 participants each doing
# exactly what an open workshop page does (LOAD_USERS, LOAD_SECONDS=60). Locust is installed on
# first use only.
bench: $(VENV)/installed $(VENV)/bench-installed
	$(PY) bench/run.py
	PG_URL=$(PG_URL) $(PY) bench/load.py

$(VENV)/bench-installed: requirements-bench.txt $(VENV)/installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $@

# The translations: collect the marked strings into locale/{vi,fa}/LC_MESSAGES/django.po, then
# compile the .mo files. Needs GNU gettext (apt-get install gettext). The .mo files are
# committed, so `make run` shows the translations on a machine without gettext.
messages: $(VENV)/installed
	$(PY) manage.py makemessages -l vi -l fa --ignore=.venv --ignore=bench --ignore=tests --ignore=node_modules --ignore=staticfiles
	$(PY) manage.py compilemessages -l vi -l fa --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
