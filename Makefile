# haws: the two commands a newcomer runs are `make demo` and `make test`.
# Every install step lives here: CI runs on a fresh Debian machine from a clean clone.

SWIFT      ?= swift
SHELL      := /bin/bash
SUDO       := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
APT_DEPS   := haproxy libncurses-dev tmux openssl
# to build the second HAProxy the HAProxy-facing tests run on (see haproxy-3.0)
HAPROXY_BUILD_DEPS := gcc libc6-dev make libssl-dev
BENCH_DEPS := socat python3-websockets prometheus-haproxy-exporter hatop
PY_DEPS    := jsonschema prometheus_client
BIN        := .build/debug/haws
RELEASE_BIN:= .build-release/release/haws
# HAProxy 3.0 LTS (Debian 13), built from Debian's source package and cached outside the repo
HAWS_CACHE        ?= $(HOME)/.cache/haws
HAPROXY30_VERSION ?= 3.0.11
HAPROXY30_SUITE   ?= trixie
HAPROXY30         := $(HAWS_CACHE)/haproxy-$(HAPROXY30_VERSION)/haproxy
HAPROXY26         := /usr/sbin/haproxy
# The suites that start a real HAProxy (whole targets, so a new suite there is covered), run on both versions.
HAPROXY_SUITES    := HawsLabTests|HawsIntegrationTests|RealHAProxyTests

.PHONY: all setup bench-setup build release test demo bench clean haproxy-3.0

all: build

## setup: install Debian's haproxy, libncurses-dev, tmux, openssl, a C toolchain and libssl-dev (and Python's jsonschema, prometheus_client for the tests) when missing
setup:
	@missing=""; for p in $(APT_DEPS) $(HAPROXY_BUILD_DEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
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

## haproxy-3.0: build HAProxy $(HAPROXY30_VERSION) from Debian's $(HAPROXY30_SUITE) source package into $(HAWS_CACHE) when missing (about 4 minutes)
haproxy-3.0: setup
	@Scripts/build-haproxy.sh $(HAPROXY30_VERSION) $(HAPROXY30_SUITE) $(HAWS_CACHE)

## test: the whole suite, unit and end-to-end, against Debian's HAProxy; then the HAProxy-facing suites again against HAProxy 3.0 (one test at a time: on 2 cores, parallel HAProxy tests disturb each other's timings)
test: setup haproxy-3.0
	$(SWIFT) build --build-tests
	@echo "== the whole suite on $$($(HAPROXY26) -v | head -1)"
	HAWS_HAPROXY=$(HAPROXY26) $(SWIFT) test --skip-build --no-parallel
	@echo "== the HAProxy-facing suites on $$($(HAPROXY30) -v | head -1)"
	HAWS_HAPROXY=$(HAPROXY30) $(SWIFT) test --skip-build --no-parallel --filter '$(HAPROXY_SUITES)'

## demo: a self-contained lab on loopback (real HAProxy, WebSocket backends, client traffic) and haws on it
demo: setup
	$(SWIFT) build --product haws
	$(BIN) demo

## bench: speed and memory, as ratios against the named peers, in one run
bench: bench-setup
	$(SWIFT) build -c release --product haws --scratch-path .build-release
	Scripts/bench.sh $(RELEASE_BIN)

clean:
	rm -rf .build .build-release
