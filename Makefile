# The README's two commands: `make run` and `make test`. Each installs what it needs on a fresh
# machine (and is a fast no-op when it is already there). See shared toolchain guide.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

# Builds use the committed .sqlx query data, never a live database.
export SQLX_OFFLINE := true
export CARGO_TERM_COLOR := never

WB_VERSION = $(shell awk '/^name = "wasm-bindgen"$$/{getline; gsub(/"/,"",$$3); print $$3}' Cargo.lock)
E2E_PORT ?= 3100

.PHONY: bench test-pg pg-schema-check sqlx-prepare-sqlite run test tools tools-build tools-e2e site-release site-debug lint unit e2e sqlx-prepare clean-data

## make run: release build, then serve on 127.0.0.1:3000 with ./data/floorready.db (demo on first start).
run: tools-build site-release
	cargo build --release --bin floorready --features ssr
	target/release/floorready serve --site-root target/site-release --demo-if-empty

## make test: formatting, clippy (ssr and hydrate), cargo tests, Playwright with JavaScript on and off.
test: tools lint unit e2e

tools: tools-build tools-e2e

tools-build:
	@build/wasm-cargo install
	@wasm-bindgen --version 2>/dev/null | grep -q " $(WB_VERSION)$$" || cargo install wasm-bindgen-cli --version "=$(WB_VERSION)"

tools-e2e:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@# Reinstall whenever package-lock.json changes, not only when node_modules is missing.
	@cd end2end && lock=$$(sha256sum package-lock.json | cut -d' ' -f1) && \
	  { [ "$$(cat node_modules/.lock-sha 2>/dev/null)" = "$$lock" ] || \
	    { npm ci --no-audit --no-fund && echo "$$lock" > node_modules/.lock-sha; }; }

# $(1): output dir, $(2): cargo profile flag, $(3): profile dir, $(4): extra wasm-bindgen flags
define build_site
	build/wasm-cargo build --lib --no-default-features --features hydrate $(2)
	mkdir -p $(1)/pkg
	cp -r public/. $(1)/
	cp style/main.css $(1)/pkg/floorready.css
	wasm-bindgen --target web --no-typescript $(4) --out-dir $(1)/pkg --out-name floorready \
	  $$(build/wasm-cargo dir $(3))/floorready.wasm
endef

# The release bundle is also optimised, content-hashed and pre-compressed (build/bundle).
site-release:
	$(call build_site,target/site-release,--profile wasm-release,wasm-release,--remove-name-section --remove-producers-section)
	build/bundle target/site-release

site-debug:
	$(call build_site,target/site,,debug)

lint:
	cargo fmt --check
	cargo clippy --features ssr --all-targets -- -D warnings
	build/wasm-cargo clippy --lib --no-default-features --features hydrate -- -D warnings

unit:
	cargo test --features ssr

# Playwright starts the server itself (end2end/playwright.config.ts) on a fresh database.
e2e: site-debug
	cargo build --bin floorready --features ssr
	cd end2end && E2E_PORT=$(E2E_PORT) npx playwright test

## For developers: refresh .sqlx (SQLite) and .sqlx-pg (PostgreSQL) after changing a query or a
## migration (needs sqlite3; installs PostgreSQL for a throwaway cluster when missing).
sqlx-prepare: sqlx-prepare-sqlite
	build/sqlx-prepare-pg

sqlx-prepare-sqlite:
	rm -f target/sqlx-dev.db && mkdir -p target
	cat migrations/*.sql | sqlite3 target/sqlx-dev.db
	rm -rf .sqlx && mkdir .sqlx
	touch src/lib.rs
	SQLX_OFFLINE=false SQLX_OFFLINE_DIR=$(CURDIR)/.sqlx DATABASE_URL=sqlite:target/sqlx-dev.db \
	  cargo build --features ssr --lib --bins

## make test-pg: the cargo tests against PostgreSQL, each test in a database of its own. Uses
## FLOORREADY_TEST_PG_URL (a superuser's URL) when set; otherwise a throwaway cluster of its own
## (Debian's postgresql, installed when missing, on a private port and socket, removed afterwards).
test-pg:
	@if [ -n "$${FLOORREADY_TEST_PG_URL:-}" ]; then \
	  DATABASE_URL="$$FLOORREADY_TEST_PG_URL" build/pg-cargo test $(TEST_ARGS); \
	else \
	  build/pg-cluster with 55435 sh -c 'DATABASE_URL=$$PG_URL exec build/pg-cargo test $(TEST_ARGS)'; \
	fi

## migrations/postgres must build the SQLite migrations' schema (a throwaway PostgreSQL cluster).
pg-schema-check:
	@build/pg-cluster with 55433 sh -c 'exec build/pg-schema-check "$$PG_URL"'

clean-data:
	rm -rf data

# Every benchmark in one go (not part of `make test`); writes BENCHMARKS.md (see bench/README.md).
# The load suite drives the release server and ships the release browser build, so both are built first.
bench: site-release
	cargo build --release --bin floorready --features ssr
	bench/run
