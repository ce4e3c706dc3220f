# Guildhall: `make run` serves the API with demo data; `make test` runs the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15

IDE_STAMP := ide/node_modules/.installed

.PHONY: install run migrate demo test test-real fuzz kit-check http-audit check bench soak schema lock clean

$(STAMP):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-* && touch $@

# GraphiQL's browser assets, pinned by ide/package-lock.json, served by the app (host/ide.py).
# Without npm the API still runs; only the in-browser IDE lacks its scripts (a warning says so).
$(IDE_STAMP): ide/package-lock.json
	if command -v npm >/dev/null; then npm ci --prefix ide --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: GraphiQL's assets are not installed (the API works without them)" >&2; fi

install: $(STAMP) $(IDE_STAMP)

migrate: install
	$(BIN)/guildhall migrate

demo: migrate
	$(BIN)/guildhall demo

run: demo
	$(BIN)/guildhall serve

test: install
	$(BIN)/python -m pytest

# The same suite against a real PostgreSQL and Redis (what CI also runs).
test-real: install
	GUILDHALL_TEST_DATABASE_URL=$(PG_URL) GUILDHALL_TEST_REDIS_URL=$(REDIS_TEST_URL) $(BIN)/python -m pytest

# The plugin kit end to end: scaffold a plugin in a temporary folder, install it, run its tests,
# uninstall it (.ci/plugin-kit).
kit-check: install
	.ci/plugin-kit

# The GraphQL-over-HTTP reference audit (npm graphql-http) against `guildhall serve`;
# fails on any warning or error (.ci/graphql-http-audit).
http-audit: install
	.ci/graphql-http-audit

# Lint (ruff) and strict types (mypy) on core/, host/, schema/ and plugins/.
check: install
	$(BIN)/ruff check core host schema plugins tests benchmarks
	$(BIN)/mypy

# Whole-schema fuzzing with many more cases than `make test` runs.
fuzz: install
	GUILDHALL_FUZZ_CASES=2000 $(BIN)/python -m pytest -m fuzz

bench: install
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# Issue #13's memory target: an hour of mixed load on `guildhall serve`, RSS sampled
# (SOAK_SECONDS=300 for a short run; SOAK_ARGS="--scale 0.5 --screens home thread" etc.).
SOAK_SECONDS ?= 3600
soak: install
	$(BIN)/python -m benchmarks.soak --seconds $(SOAK_SECONDS) $(SOAK_ARGS)

schema: install
	$(BIN)/guildhall schema --in-tree > schema/schema.graphql

lock: install
	( echo "# Every package of the environment, pinned (pip freeze). Regenerate with \`make lock\`."; \
	  $(BIN)/python -m pip freeze --all --exclude-editable | grep -v '^pip==' ) > requirements.lock

clean:
	rm -rf $(VENV) var ide/node_modules .ci/node/node_modules
