# Two commands: `make run` and `make test`. Each installs what is missing (quickly when it
# is already there), starts the embedded PostgreSQL cluster under target/postgres, and
# stops it again when done.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

CARGO_LEPTOS_VERSION := 0.3.8
WASM_BINDGEN_VERSION := 0.2.130
E2E_DB := sms_e2e
BENCH_DB := sms_bench
MEASURE_DB := sms_measure

export PATH := $(HOME)/.cargo/bin:$(CURDIR)/end2end/node_modules/.bin:$(PATH)
# One-off builds gain nothing from incremental data, which is most of target/'s size.
export CARGO_INCREMENTAL := 0
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test tools node-deps chromium postgres build build-release size unit-tests db-tests e2e bench load db-start db-stop

## run: install what is missing, load the demo data into an empty database, serve at http://127.0.0.1:3000
run: tools node-deps build-release
	LEPTOS_SITE_ROOT=target/site ./target/release/server serve --seed-demo

## test: every test: unit, database, HTTP, and Playwright in headless Chromium
test: tools node-deps chromium
	cargo build -p server
	./target/debug/server db start > /dev/null
	trap './target/debug/server db stop' EXIT; \
	  export DATABASE_URL="$$(./target/debug/server db url)"; \
	  $(MAKE) --no-print-directory unit-tests db-tests e2e

unit-tests:
	cargo test -p app --features ssr
	cargo test -p server --lib --bins
	# The bench is not run here, but it must still build against the code it measures.
	cargo build -p server --benches

db-tests:
	cargo test -p server --test '*'

e2e: build
	./target/debug/server --database $(E2E_DB) db recreate > /dev/null
	env -u DATABASE_URL ./target/debug/server --database $(E2E_DB) seed
	cd end2end && env -u DATABASE_URL SMS_E2E_DATABASE=$(E2E_DB) npx playwright test

## bench: figures for search, paging, export and print on 1,000,000 CoS over 1,000 sponsors
## (loaded into its own database once, then reused). Prints; asserts nothing.
bench: tools
	cargo build --release -p server
	./target/release/server db start > /dev/null
	trap './target/release/server db stop' EXIT; \
	  env -u DATABASE_URL ./target/release/server --database $(BENCH_DB) seed --if-empty \
	    --sponsors 1000 --cos 1000000 --largest 100000 --today 2026-11-29; \
	  DATABASE_URL="$$(./target/release/server --database $(BENCH_DB) db url)" cargo bench -p server --bench search

## load: many users of many sponsors at once against the release server over the bench data:
## per request type throughput and p50/p95/p99 at 50 and 200 users, errors, peak RSS, a soak
## at 50 users (LOAD_SOAK_SECS, default 600), LOAD_STREAMS (1,000) live streams and the
## notification's cost, the time from a commit to the banner on a hydrated View CoS in Chromium
## (end2end/load), and View CoS against a static file of the same bytes. Only to 127.0.0.1, bounded in time (LOAD_SECS a level, default 60). Prints; asserts nothing.
LOAD_PORT := 3400
load: tools node-deps chromium build-release
	./target/release/server db start > /dev/null
	trap 'kill $$server 2> /dev/null; wait $$server 2> /dev/null; ./target/release/server db stop' EXIT; \
	  env -u DATABASE_URL ./target/release/server --database $(BENCH_DB) seed --if-empty \
	    --sponsors 1000 --cos 1000000 --largest 100000 --today 2026-11-29; \
	  env -u DATABASE_URL SMS_DATABASE=$(BENCH_DB) LEPTOS_SITE_ADDR=127.0.0.1:$(LOAD_PORT) LEPTOS_SITE_ROOT=target/site \
	    RUST_LOG=warn ./target/release/server serve 2> >(tee target/load-server.log >&2) & server=$$!; \
	  for i in $$(seq 100); do curl -sf http://127.0.0.1:$(LOAD_PORT)/health > /dev/null && break; sleep 0.3; done; \
	  LOAD_BASE=http://127.0.0.1:$(LOAD_PORT) LOAD_SERVER_PID=$$server LOAD_SITE_ROOT=$(CURDIR)/target/site \
	    DATABASE_URL="$$(./target/release/server --database $(BENCH_DB) db url)" cargo bench -p server --bench load; \
	  echo "Server panics during the run: $$(grep -c 'panicked at' target/load-server.log || true) (any are above, with the server's warnings)"

build:
	cargo leptos build

# A release build regenerates the JS and WASM every time (wasm-bindgen and wasm-opt, over a
# minute here), so it is skipped when nothing it is built from is newer than the last one and
# the bundle that build named is still in target/site (`make test` replaces it with a debug one).
RELEASE_INPUTS := src app server/src style public Cargo.toml Cargo.lock .cargo/config.toml
RELEASE_STAMP := target/site/.release-built

build-release:
	@if [ -f $(RELEASE_STAMP) ] && [ -x target/release/server ] \
	    && [ -z "$$(find $(RELEASE_INPUTS) -newer $(RELEASE_STAMP) -print -quit)" ] \
	    && [ -f "target/site/pkg/sms.$$(sed -n 's/^wasm: //p' target/release/hash.txt).wasm.br" ]; then \
	  echo "Release build is up to date (nothing changed since $$(date -r $(RELEASE_STAMP) '+%F %T'))"; \
	else \
	  rm -f $(RELEASE_STAMP); \
	  cargo leptos build --release; \
	  ./target/release/server precompress target/site/pkg; \
	  touch $(RELEASE_STAMP); \
	fi

## size: the release bundle's raw, gzip and brotli sizes, what weighs most in it (twiggy reads
## the bundle as compiled, before wasm-bindgen and wasm-opt, which keeps names), then the phone
## budget: first paint and hydration on a throttled 320 px phone, and Lighthouse's scores
size: tools node-deps chromium build-release
	@command -v twiggy > /dev/null || cargo install twiggy --locked
	twiggy top -n 25 target/front/wasm32-unknown-unknown/wasm-release/sms.wasm
	twiggy dominators -d 2 -r 30 target/front/wasm32-unknown-unknown/wasm-release/sms.wasm
	./target/release/server precompress target/site/pkg
	./target/release/server db start > /dev/null
	trap './target/release/server db stop' EXIT; \
	  ./target/release/server --database $(MEASURE_DB) db recreate > /dev/null; \
	  env -u DATABASE_URL ./target/release/server --database $(MEASURE_DB) seed > /dev/null; \
	  (cd end2end && env -u DATABASE_URL SMS_MEASURE_DATABASE=$(MEASURE_DB) npx playwright test -c measure.config.ts)

## tools: the wasm target, cargo-leptos, wasm-bindgen-cli and PostgreSQL's server binaries
tools: postgres
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@cargo leptos --version 2>/dev/null | grep -q " $(CARGO_LEPTOS_VERSION)" || \
	  cargo install cargo-leptos --version =$(CARGO_LEPTOS_VERSION) --locked --features no_downloads
	@wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)" || \
	  cargo install wasm-bindgen-cli --version =$(WASM_BINDGEN_VERSION)

postgres:
	@ls /usr/lib/postgresql/*/bin/pg_ctl > /dev/null 2>&1 || \
	  { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql; }

## chromium: the browser for Playwright, and poppler's pdftotext to read printed CoS back
chromium:
	@command -v chromium > /dev/null && command -v pdftotext > /dev/null || \
	  { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium poppler-utils; }

## node-deps: Playwright, axe-core and binaryen's wasm-opt, from end2end/package-lock.json
node-deps: end2end/node_modules/.installed

end2end/node_modules/.installed: end2end/package.json end2end/package-lock.json
	cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	touch $@

db-start:
	cargo build -p server
	./target/debug/server db start

db-stop:
	./target/debug/server db stop
