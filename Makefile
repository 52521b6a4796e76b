# caicach: `make demo` (set up and serve the demo province) and `make test` (what CI checks).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export DJANGO_SETTINGS_MODULE ?= caicach.settings.dev

.PHONY: demo test install db lint typecheck typecheck-baseline checks openapi pytest browser-deps bench clean-data help

help:
	@echo "make demo   - install, start the database, migrate, load the demo province, serve on 127.0.0.1:8000"
	@echo "make test   - lint (with import layers and unused dependencies), types, migrations, OpenAPI,"
	@echo "              deploy checks, unit and browser tests"
	@echo "make bench  - run the benchmarks in bench/ (JSON in bench/results/)"

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(BIN)/uv
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --quiet

demo: install
	$(BIN)/caicach migrate --no-input -v 0
	@echo "Collecting static files (only those changed since the last run)..."
	@$(BIN)/caicach collectstatic --no-input -v 1 | tail -n 1
	DJANGO_SETTINGS_MODULE=caicach.settings.dev $(BIN)/caicach demo load
	$(BIN)/caicach demo generate --dossiers 200000 --seed 1
	$(BIN)/caicach serve --host 127.0.0.1 --port 8000

browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/deptry src

# mypy over src/caicach (pyproject.toml): fails on an error not in mypy-baseline.txt, or when a
# baselined error is gone (then run `make typecheck-baseline` and commit the smaller baseline).
typecheck: install
	$(BIN)/mypy --no-error-summary | $(BIN)/mypy-baseline filter

# Rewrite mypy-baseline.txt from the current errors (after fixing some, or after a merge).
typecheck-baseline: install
	$(BIN)/mypy --no-error-summary | $(BIN)/mypy-baseline sync

checks: install
	$(BIN)/caicach makemigrations --check --dry-run -v 1
	$(BIN)/caicach config-docs --check
	DJANGO_SETTINGS_MODULE=caicach.settings.production DJANGO_SECRET_KEY="$$(head -c 48 /dev/urandom | base64)" \
		CAICACH_PUBLIC_URL=https://dichvucong.example.vn $(BIN)/caicach check --deploy --fail-level WARNING

openapi: install
	@mkdir -p .data
	$(BIN)/caicach spectacular --validate --fail-on-warn --file .data/openapi.yaml
	@diff -u docs/openapi.yaml .data/openapi.yaml > /dev/null || { \
		diff -u docs/openapi.yaml .data/openapi.yaml | head -40; \
		echo "docs/openapi.yaml is stale: run 'make openapi-update' and commit it."; exit 1; }
	@echo "docs/openapi.yaml matches the code."

openapi-update: install
	$(BIN)/caicach spectacular --validate --fail-on-warn --file docs/openapi.yaml

# Line and branch coverage of src/caicach is measured and printed (no threshold yet);
# `.venv/bin/coverage report` afterwards lists it per file.
pytest: install browser-deps
	$(BIN)/pytest -q --ds=caicach.settings.test --cov --cov-report=
	@echo "Coverage of src/caicach (lines and branches): $$($(BIN)/coverage report --format=total)%"

test: lint typecheck checks openapi pytest

bench: install
	$(BIN)/python bench/bench_due_dates.py --out bench/results/due_dates.json
	$(BIN)/python bench/bench_generate.py --dossiers 100000
	$(BIN)/python bench/bench_inbox.py --repeat 10

clean-data:
	rm -rf .data
