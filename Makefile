# Folio: `make run` starts the server on the embedded defaults, `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000
LINTED := src tests bench migrations docs/hooks.py docs/examples clients/python/src examples

.PHONY: install run test test-fast test-e2e test-scaleout lint format bench clean train-ner

WEB_VENDOR := src/folio/web/static/vendor

$(STAMP): pyproject.toml clients/python/pyproject.toml scripts/install-system-deps.sh package-lock.json
	./scripts/install-system-deps.sh
	# the web app's CSS and PDF viewer (and axe-core for its tests), pinned by package-lock.json
	npm ci --no-audit --no-fund --omit=optional
	mkdir -p $(WEB_VENDOR) && cp node_modules/@picocss/pico/css/pico.min.css \
	  node_modules/pdfjs-dist/build/pdf.min.mjs node_modules/pdfjs-dist/build/pdf.worker.min.mjs $(WEB_VENDOR)/
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e clients/python  # the server and its SDK
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/folio migrate
	$(BIN)/folio serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

# Second run of the storage, job and event tests on PostgreSQL + Redis + Celery workers
# (tests/scaleout/stack.py; .ci/run makes sure PostgreSQL and Redis are up).
SCALEOUT_TESTS := tests/scaleout tests/events tests/documents/test_endpoints.py \
                  tests/storage_s3/test_scaleout.py tests/backup/test_postgres.py \
                  tests/system/test_health_probes.py::TestScaleOut \
                  tests/realtime/test_reauthorisation.py::test_a_change_in_one_api_process_closes_a_socket_held_by_another \
                  tests/workflows/test_workflows.py::test_a_two_step_approval_runs_end_to_end \
                  tests/automations/test_rules.py::test_big_invoices_are_tagged_and_the_team_notified \
                  tests/automations/test_rules.py::test_rules_that_retrigger_each_other_stop \
                  tests/encryption/test_postgres.py \
                  tests/automations/test_actions.py::test_each_kind_runs_on_an_upload \
                  tests/reports/test_endpoints.py::TestSchedules \
                  tests/retention/test_erasure.py

# The embedded suite runs on PYTEST_WORKERS processes (pytest-xdist); the tests that kill and
# restart real servers run afterwards, with no other tests, so their timing does not share the
# cores. They keep about one core busy: the linters (a minute of one core) run next to them.
# --output-sync prints each one's output whole when it ends.
PYTEST_WORKERS ?= 2

test: install
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --durations=25 --ignore=tests/scaleout --ignore=tests/e2e --ignore=tests/web
	$(MAKE) --no-print-directory -j2 --output-sync=target lint test-e2e
	FOLIO_TEST_BACKEND=scaleout $(BIN)/python -m pytest -q $(SCALEOUT_TESTS)

test-e2e: install
	$(BIN)/python -m pytest -q tests/e2e tests/web

test-scaleout: install
	FOLIO_TEST_BACKEND=scaleout $(BIN)/python -m pytest -q $(SCALEOUT_TESTS)

test-fast: install
	$(BIN)/python -m pytest -q -m "not ocr and not e2e"

format: install
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

# The packaged entity model (src/folio/pipeline/intelligence/models/ner): synthetic recipe,
# fixed seed, CPU only; about 20 minutes on two shared cores.
train-ner: install
	nice -n 10 $(BIN)/python -m folio.pipeline.intelligence.training.train

bench: install
	./scripts/install-bench-deps.sh
	$(BIN)/python bench/pipeline.py --quick
	$(BIN)/python bench/auth.py --quick
	$(BIN)/python bench/load_api.py --quick
	$(BIN)/python bench/load_upload.py --quick
	$(BIN)/python bench/soak.py --quick

clean:
	rm -rf $(VENV) folio-data .pytest_cache .ruff_cache .mypy_cache

# The documentation site (mkdocs.yml; docs/hooks.py renders the settings and the API reference
# from the code). Strict: a warning, e.g. a broken link, fails the build.
.PHONY: docs docs-serve
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

docs-serve: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr $(HOST):8001
