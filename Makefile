# micedesk: `make run` serves the platform with demo data, `make test` runs every check, `make bench` measures.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
DEMO_SUPPLIERS ?= 1500
BIND ?= 127.0.0.1:8000
WORKERS ?= 2
THREADS ?= 4
PG_URL ?= postgres://postgres@127.0.0.1:5432/micedesk
CHROMIUM ?= /usr/bin/chromium

# Local settings: a .env file (see .env.example) is read when present.
ifneq (,$(wildcard .env))
include .env
export
endif

.PHONY: run test bench install lint messages check-deploy test-sqlite test-postgresql chromium serve clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

messages: install
	@command -v msgfmt >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }
	$(PY) manage.py compilemessages --ignore='.venv' -v0

run: messages
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_default_grids
	$(PY) manage.py load_crm_reference
	$(PY) manage.py load_operations_reference
	$(PY) manage.py load_plan
	$(PY) manage.py setup_demo --suppliers $(DEMO_SUPPLIERS)
	$(PY) manage.py collectstatic --noinput -v0
	@echo "Serving on http://$(BIND) (Ctrl-C stops the web server and the task worker)"
	@trap 'kill 0' EXIT INT TERM; \
	$(PY) manage.py db_worker --queue-name '*' & \
	$(PY) manage.py send_dispatches --loop & \
	while true; do $(PY) manage.py remind_dispatches; $(PY) manage.py qualification_daily; $(PY) manage.py crm_retention; $(PY) manage.py send_event_surveys; sleep 3600; done & \
	$(VENV)/bin/gunicorn micedesk.wsgi --bind $(BIND) --workers $(WORKERS) --worker-class gthread \
		--threads $(THREADS) --access-logfile - --log-level warning

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "Chromium is missing and only root can install it: browser tests will be skipped"; fi; fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check-deploy: install
	$(PY) manage.py makemigrations --check --dry-run
	DEBUG=False HTTPS=True SECRET_KEY=$$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=') \
		ALLOWED_HOSTS=meetings.example $(PY) manage.py check --deploy --fail-level WARNING

test-sqlite: install
	@# A file database: threaded tests need SQLite to make a second writer wait, which it cannot in memory.
	rm -f var/test-sqlite.sqlite3*
	env -u DATABASE_URL SQLITE_TEST_NAME=$(CURDIR)/var/test-sqlite.sqlite3 $(VENV)/bin/pytest -q

test-postgresql: install
	@url="$${TEST_DATABASE_URL:-}"; \
	if [ -z "$$url" ] && (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then url=$(PG_URL); fi; \
	if [ -n "$$url" ]; then DATABASE_URL="$$url" $(VENV)/bin/pytest -q; \
	else echo "No PostgreSQL reachable (set TEST_DATABASE_URL): PostgreSQL run skipped"; fi

test: messages chromium lint check-deploy test-sqlite test-postgresql

bench: messages
	$(PY) bench/run.py
	$(PY) bench/leads.py
	$(PY) bench/crm.py
	$(PY) bench/roi.py
	$(PY) bench/plan.py

clean:
	rm -rf $(VENV) var
