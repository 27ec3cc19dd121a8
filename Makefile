# make build (default): validate raw/ and write dist/ when an input changed
# make validate:        check raw/*.csv, print every problem, HTML report in build/validation-report/
# make test:            run the test suite (installs the test tools of requirements-test.lock first)
# make expectations:    regenerate schemas/expectations/*.json after editing a schema
# make archive:         zip dist/ under build/release/ with SHA256SUMS
# make changes:         what raw/ changes since the last release, as Markdown (build/changes/changes.md)
# make release:         cut and commit a release (BUMP=major|minor|patch or VERSION=x.y.z, SUMMARY=file.md)
# make bench:          validate/build vs upstream frictionless at 1k-1M rows (SIZES=1000,10000 RUNS=3), bench/results/
# make clean:           remove the virtualenv and caches (dist/ is committed and stays)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
INPUTS := $(wildcard raw/*.csv) $(wildcard schemas/*.yaml) $(wildcard schemas/*.csv) \
          $(wildcard schemas/expectations/*.json) $(wildcard pipeline/*.py) $(wildcard pipeline/site/*.py) $(wildcard pipeline/site/*.csv) \
          $(wildcard pipeline/site/assets/*) $(wildcard pipeline/site/templates/*) $(wildcard pipeline/templates/*) $(wildcard pipeline/privacy_data/*) $(wildcard pipeline/site/map/*) $(wildcard releases/*/release.json) $(wildcard releases/*/changes.csv) \
          $(wildcard LICENSES/*)
FORMAT ?= text

.DEFAULT_GOAL := build
.PHONY: build validate test clean expectations archive changes release bench

build: dist/datapackage.json

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# The test tools come on top of the runtime, only for `make test`.
$(TEST_STAMP): $(STAMP) requirements-test.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.lock
	touch $@

dist/datapackage.json: $(STAMP) $(INPUTS)
	$(BIN)/recruitment build

validate: $(STAMP)
	$(BIN)/recruitment validate --format $(FORMAT) --html build/validation-report

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py $(if $(SIZES),--sizes $(SIZES)) $(if $(RUNS),--runs $(RUNS))

expectations: $(STAMP)
	$(BIN)/recruitment expectations

archive: build
	$(BIN)/recruitment archive

changes: $(STAMP)
	$(BIN)/recruitment diff --output build/changes/changes.md --summary >/dev/null
	@echo "wrote build/changes/changes.md"

release: $(STAMP)
	$(BIN)/recruitment release $(if $(BUMP),--bump $(BUMP)) $(if $(VERSION),--new-version $(VERSION)) \
	  $(if $(SUMMARY),--summary $(SUMMARY))

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info .dist.new-* .dist.old
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
