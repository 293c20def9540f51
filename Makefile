# idbridge: `make demo` runs the embedded demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Services the integration tests use (PostgreSQL and Redis on this machine by default).
INTEGRATION_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
INTEGRATION_BROKER_URL ?= redis://127.0.0.1:6379/15

.PHONY: demo test lint unit integration install bench clean

# Without Debian's python3-venv (ensurepip), the virtualenv is made without pip and
# tools/pip_bootstrap.py installs pip from PyPI's wheel (standard library only).
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV) && $(PYTHON) -m venv --without-pip $(VENV) \
	  && $(PY) tools/pip_bootstrap.py; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: install
	HOST=$(HOST) PORT=$(PORT) $(PY) manage.py demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

# Unit, browser and acceptance tests on the embedded default (SQLite, filesystem broker),
# then the integration tests on PostgreSQL + Redis + a real Celery worker.
unit: install
	VAR_DIR=$(CURDIR)/var/test $(VENV)/bin/pytest -m "not integration"

# The crash tests (the sandbox's commit job, the console's pre-flight, in a browser too) start and SIGKILL
# their own workers: they run first, in a session of their own, before the suite's shared
# worker exists (that worker would take a job over and finish it before the kill).
CRASH_TEST := tests/sandbox/boi/test_commit_job_worker_kill.py \
	tests/boi/test_preflight_worker_kill.py \
	tests/boi/test_preflight_crash_browser.py \
	tests/boi/test_sync_step_worker_kill.py
integration: install
	VAR_DIR=$(CURDIR)/var/test DATABASE_URL=$(INTEGRATION_DATABASE_URL) \
	CELERY_BROKER_URL=$(INTEGRATION_BROKER_URL) $(VENV)/bin/pytest -m integration $(CRASH_TEST)
	VAR_DIR=$(CURDIR)/var/test DATABASE_URL=$(INTEGRATION_DATABASE_URL) \
	CELERY_BROKER_URL=$(INTEGRATION_BROKER_URL) $(VENV)/bin/pytest -m integration \
	$(addprefix --ignore=,$(CRASH_TEST))

test: lint unit integration

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var
