# The entry points people type. `make run` and `make test` set up everything they need.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format install migrate bench-recs

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
	$(PY) manage.py seed_demo --customers 300
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench-recs: $(STAMP)
	$(PY) -m pip install --quiet -r requirements-bench.txt
	OPENBLAS_NUM_THREADS=1 $(PY) bench/recs.py
