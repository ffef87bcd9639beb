# The entry points people type. `make run` and `make test` set up everything they need.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: faults run test lint audit format install migrate bench profile bench-recs bench-dashboard browser-deps docs docs-serve screenshots

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

.env:
	$(PY) -m crm_project.devenv

migrate: $(STAMP) .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py migrate --database=keys --noinput

run: migrate
	$(PY) manage.py seed_demo --customers 300 --portal-customer
	$(PY) manage.py build_recommendations
	$(PY) manage.py seed_demo_staff
	$(PY) manage.py runserver 127.0.0.1:8000

# The browser tests drive Debian's Chromium (Playwright never downloads its own here):
# installed when we may (root with apt), otherwise one line says what to install.
browser-deps:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "make test: the browser tests need Chromium at /usr/bin/chromium; install it with: sudo apt-get install chromium" >&2; \
	    exit 1; \
	  fi; }

test: $(STAMP) browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -c pyproject.toml -r . -q --severity-level medium --confidence-level low

# Known vulnerabilities in the pinned runtime dependencies (pip-audit): fails on one; one
# warning line when the vulnerability service cannot be reached.
audit: $(STAMP)
	$(PY) .ci/audit_dependencies.py requirements.txt

# The documentation site (MkDocs, Material theme) from docs/: --strict fails on a broken
# link, a missing page or a page left out of the nav. The OpenAPI page is generated from
# the code at build time (docs/hooks/openapi.py), offline.
docs: $(STAMP)
	$(VENV)/bin/mkdocs build --strict --clean

docs-serve: $(STAMP)
	$(VENV)/bin/mkdocs serve --strict --dev-addr 127.0.0.1:8001

# The README's and the site's screenshots (docs/images/), from demo data on throwaway
# SQLite files, in Debian's Chromium.
screenshots: $(STAMP) browser-deps
	$(PY) docs/screenshots.py

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Faults as deployed (its own PostgreSQL and Redis on spare ports, gunicorn, a worker and
# beat, steady storefront load): worker kill, PostgreSQL restart, Redis down, web kill.
faults: $(STAMP)
	$(PY) bench/faults.py

# The suite as deployed (gunicorn + PostgreSQL + a real worker on Redis): SCALE=small|large.
SCALE ?= small
bench: $(STAMP)
	$(PY) bench/suite.py --scale $(SCALE)

# Where a storefront request spends its time (pyinstrument, PostgreSQL, persistent connections).
profile: $(STAMP)
	$(PY) -m pip install --quiet -r requirements-bench.txt
	$(PY) bench/profile_api.py

bench-recs: $(STAMP)
	$(PY) -m pip install --quiet -r requirements-bench.txt
	OPENBLAS_NUM_THREADS=1 $(PY) bench/recs.py

# Needs DATABASE_URL and KEYS_DATABASE_URL on PostgreSQL (your own or throwaway databases).
bench-dashboard: $(STAMP)
	$(PY) bench/dashboard.py
