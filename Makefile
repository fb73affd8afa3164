# zhugeleida admin backend — `make run` serves the API, the console (/console/) and the H5 pages (/h5/), `make test`
# runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# `make test` reports app/'s coverage (setup.cfg); `make test COVERAGE=` runs the suite without measuring it. The
# suite runs on pytest-xdist's worker processes, one per CPU (setup.cfg); `TEST_PROCESSES=n make test` sets how many.
COVERAGE ?= --cov --cov-report=term

.PHONY: install run test check lint fmt worker migrate seed console console-if-node console-dev console-test h5 h5-if-node h5-dev

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/flask --app wsgi db upgrade

seed: migrate
	$(BIN)/flask --app wsgi seed

run: seed console-if-node h5-if-node
	@echo "Console: http://$(HOST):$(PORT)/console/  H5 pages: http://$(HOST):$(PORT)/h5/"
	$(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

test: install console-if-node h5-if-node
	@test -x $(CHROMIUM) || echo "NOTE: browser tests will be SKIPPED: $(CHROMIUM) is missing (apt-get install -y chromium)"
	@if [ -n "$(NPM)" ]; then cd console && npx vitest run; else echo "NOTE: console unit tests SKIPPED: npm is missing"; fi
	$(BIN)/python -m pytest $(COVERAGE)

# Everything CI checks in the code: lint (ruff, mypy, the console's and H5's linters) then the whole suite.
check: lint test

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	@if [ -n "$(NPM)" ]; then $(MAKE) --no-print-directory console/node_modules/.package-lock.json && cd console && npm run lint; \
	else echo "NOTE: console lint SKIPPED: npm is missing"; fi
	@if [ -n "$(NPM)" ]; then $(MAKE) --no-print-directory h5/node_modules/.package-lock.json && cd h5 && npm run typecheck; \
	else echo "NOTE: H5 typecheck SKIPPED: npm is missing"; fi

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: migrate
	$(BIN)/python worker.py

# --- the operator web console (console/: Vue 3 + Vite), served by Flask at /console/ ---
NPM ?= $(shell command -v npm)
CHROMIUM ?= /usr/bin/chromium
CONSOLE_SOURCES = $(shell find console/src console/public -type f 2>/dev/null) console/index.html \
	console/vite.config.ts console/package.json console/tsconfig.json console/tsconfig.app.json

console/node_modules/.package-lock.json: console/package-lock.json
	cd console && npm ci --no-audit --no-fund
	touch $@

console/dist/index.html: console/node_modules/.package-lock.json $(CONSOLE_SOURCES)
	cd console && npm run build
	touch $@

# Build the console (needs Node 20 + npm).
console: console/dist/index.html

# Build it when Node is here and the build is missing or older than its sources; else say why not.
console-if-node:
ifeq ($(NPM),)
	@echo "NOTE: npm not found: the console is not built; the API runs and /console/ says how to build it"
else
	@$(MAKE) --no-print-directory console/dist/index.html
endif

# Vite's dev server (hot reload) on http://127.0.0.1:5173/console/, the API (`make run`) proxied.
console-dev: console/node_modules/.package-lock.json
	cd console && CONSOLE_API=http://$(HOST):$(PORT) npm run dev

console-test: console/node_modules/.package-lock.json
	cd console && npx vitest run

# --- the mobile H5 pages (h5/: Vue 3 + Vant + Vite), served by Flask at /h5/; they share console/src/api ---
H5_SOURCES = $(shell find h5/src -type f 2>/dev/null) console/src/api/client.ts console/src/api/session.ts \
	h5/index.html h5/vite.config.ts h5/package.json

h5/node_modules/.package-lock.json: h5/package-lock.json
	cd h5 && npm ci --no-audit --no-fund
	touch $@

h5/dist/index.html: h5/node_modules/.package-lock.json $(H5_SOURCES)
	cd h5 && npm run build
	touch $@

# Build the H5 pages (needs Node 20 + npm).
h5: h5/dist/index.html

h5-if-node:
ifeq ($(NPM),)
	@echo "NOTE: npm not found: the H5 pages are not built; /h5/ says how to build them"
else
	@$(MAKE) --no-print-directory h5/dist/index.html
endif

# Vite's dev server on http://127.0.0.1:5174/h5/, the API (`make run`) proxied.
h5-dev: h5/node_modules/.package-lock.json
	cd h5 && H5_API=http://$(HOST):$(PORT) npm run dev
