# haws: the two commands a newcomer runs are `make demo` and `make test`.
# Every install step lives here: CI runs on a fresh Debian machine from a clean clone.

SWIFT      ?= swift
SHELL      := /bin/bash
SUDO       := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
APT_DEPS   := haproxy libncurses-dev tmux openssl
BENCH_DEPS := socat python3-websockets prometheus-haproxy-exporter hatop
PY_DEPS    := jsonschema prometheus_client
BIN        := .build/debug/haws
RELEASE_BIN:= .build-release/release/haws

# The fuzz package (Tests/Fuzz): release, every Swift and C module instrumented for libFuzzer and AddressSanitizer;
# -enable-testing lets the targets reach parsers internal to their module.
FUZZ_DIR   := Tests/Fuzz
FUZZ_FLAGS := -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing \
              -Xcc -fsanitize=fuzzer-no-link,address
FUZZ_SECONDS ?= 60
# One product at a time: a plain `swift build` there would also build swift-nio's example executables.
FUZZ_TARGETS := stats-csv show-info show-sess servers-state show-proc runtime-answer stats-page toml view-json \
                response-head ws-frames

.PHONY: all setup bench-setup build release test demo bench clean fuzz-build fuzz fuzz-smoke sanitize

all: build

## setup: install Debian's haproxy, libncurses-dev, tmux, openssl (and Python's jsonschema, prometheus_client for the tests) when missing
setup:
	@missing=""; for p in $(APT_DEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v haproxy >/dev/null || { echo "haproxy is still missing after setup" >&2; exit 1; }
	@for m in $(PY_DEPS); do python3 -c "import $$m" 2>/dev/null || python3 -m pip install -q $$m; done

## bench-setup: the peers the benchmarks compare against (Debian packages)
bench-setup: setup
	@missing=""; for p in $(BENCH_DEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

## build: debug build of haws and its tests
build: setup
	$(SWIFT) build --build-tests

release: setup
	$(SWIFT) build -c release --product haws --scratch-path .build-release

## test: the whole suite, unit and end-to-end against a real HAProxy (one test at a time: on 2 cores, parallel HAProxy tests disturb each other's timings)
test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel
	$(MAKE) --no-print-directory fuzz-smoke

## fuzz-build: the libFuzzer targets, one per parser of outside bytes (Tests/Fuzz)
fuzz-build: setup
	cd $(FUZZ_DIR) && for target in $(FUZZ_TARGETS); do $(SWIFT) build $(FUZZ_FLAGS) --product fuzz-$$target || exit 1; done

## fuzz-smoke: every fuzz target over its seed corpus plus 2,000 mutations (part of make test)
fuzz-smoke: fuzz-build
	Scripts/fuzz.sh smoke

## fuzz: the campaign, each target for FUZZ_SECONDS (FUZZ_RUNS=N stops at N executions, FUZZ_JOBS=N in parallel)
fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) Scripts/fuzz.sh run

## sanitize: the suites under ThreadSanitizer, then AddressSanitizer (own scratch paths .build-tsan, .build-asan);
## SANITIZE_FILTER=Suite narrows both runs
SANITIZE_FILTER ?=
sanitize: setup
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	$(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan --no-parallel $(if $(SANITIZE_FILTER),--filter $(SANITIZE_FILTER))
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	$(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan --no-parallel $(if $(SANITIZE_FILTER),--filter $(SANITIZE_FILTER))

## demo: a self-contained lab on loopback (real HAProxy, WebSocket backends, client traffic) and haws on it
demo: setup
	$(SWIFT) build --product haws
	$(BIN) demo

## bench: speed and memory, as ratios against the named peers, in one run
bench: bench-setup
	$(SWIFT) build -c release --product haws --scratch-path .build-release
	Scripts/bench.sh $(RELEASE_BIN)

clean:
	rm -rf .build .build-release .build-tsan .build-asan $(FUZZ_DIR)/.build
