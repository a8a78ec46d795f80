# Corridor: `make demo` and `make test` work on a fresh machine (Python 3.11+).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
BENCH_STAMP := $(VENV)/.installed-bench
# the modules compiled with mypyc (corridor/_native.py): rebuilt when they change
NATIVE_STAMP := $(VENV)/.native
NATIVE_SRC := $(wildcard src/corridor/names/*.py) src/corridor/types/text.py $(wildcard src/corridor/match/*.py) $(wildcard src/corridor/match/features/*.py) \
	src/corridor/_native.py setup.py
export CORRIDOR_SHARED ?= ../shared
export CORRIDOR_HOME ?= .corridor

.PHONY: install demo test lint bench fuzz clean

# PyICU compiles against the system ICU: install its headers when they are missing.
# The Spark tests need Java 17 (a JRE): installed when missing, as the ICU headers are.
$(STAMP): pyproject.toml
	@pkg-config --exists icu-uc 2>/dev/null || (apt-get update -qq && apt-get install -y -qq libicu-dev pkg-config)
	@java -version >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,spark]'
	touch $@ $(NATIVE_STAMP)

$(NATIVE_STAMP): $(STAMP) $(NATIVE_SRC)
	$(BIN)/pip install -q --no-deps -e .
	touch $@

install: $(STAMP) $(NATIVE_STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[dev,spark,bench]'
	touch $@

demo: install
	$(BIN)/corridor db upgrade
	$(BIN)/corridor demo-import
	$(BIN)/corridor lists status
	$(BIN)/corridor entity un:KPe.018
	$(BIN)/corridor index build
	$(BIN)/corridor screen "김정은"
	$(BIN)/corridor screen "ООО Алис" --schema Company
	$(BIN)/corridor screen "Kim Jong Nam" --schema Person
	$(BIN)/corridor screen "ANY NAME" --imo 9253325
	$(BIN)/corridor check examples/corridor-2022.yaml --summary
	$(BIN)/corridor check examples/listed-parties.yaml --summary
	$(BIN)/corridor check examples/russian-exporter.yaml --summary
	$(BIN)/corridor ledger --no-shipments
	$(BIN)/corridor intel extract $(CORRIDOR_SHARED)/seeds/000_ed494ec5a0a51ab3.txt --date 2022-11-22
	$(BIN)/corridor portfolio import examples/portfolio.csv
	$(BIN)/corridor monitor run
	$(BIN)/corridor alerts list
	$(BIN)/corridor audit verify
	@test -s $(CORRIDOR_HOME)/demo-analyst.key || (umask 077; $(BIN)/corridor keys create --name demo-analyst-$$(date +%s) --role analyst > $(CORRIDOR_HOME)/demo-analyst.key)
	@test -s $(CORRIDOR_HOME)/demo-users.txt || (umask 077; \
	  printf 'demo-analyst  %s\n' "$$($(BIN)/corridor users add demo-analyst --role analyst --generate)" > $(CORRIDOR_HOME)/demo-users.txt && \
	  printf 'demo-reviewer %s\n' "$$($(BIN)/corridor users add demo-reviewer --role reviewer --generate)" >> $(CORRIDOR_HOME)/demo-users.txt)
	@echo "The HTTP API and the analysts' pages: run  $(BIN)/corridor serve  then open http://127.0.0.1:8000/ui"
	@echo "and sign in as demo-analyst or demo-reviewer with the passwords in $(CORRIDOR_HOME)/demo-users.txt"
	@echo "(the API key of the demo analyst is in $(CORRIDOR_HOME)/demo-analyst.key; API docs: http://127.0.0.1:8000/docs, docs/api.md)."

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# the browser tests drive Debian's Chromium (Playwright's own browser download does not
# work here); the CJK fonts let it draw Hangul
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	apt-get install -y -qq chromium fonts-noto-cjk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk)

test: lint $(CHROMIUM)
	$(BIN)/pytest -q

# property-based fuzzing of every list parser, far longer than the bounded run in `make test`
fuzz: install
	CORRIDOR_FUZZ=1 $(BIN)/pytest -m fuzz tests/fuzz

# the API benchmark drives the server with wrk (Debian's package), a C load generator
bench: $(BENCH_STAMP)
	@command -v wrk >/dev/null 2>&1 || (apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk))
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .corridor .pytest_cache .mypy_cache .ruff_cache build src/corridor/_native.digest
	find src -name '*.so' -delete
