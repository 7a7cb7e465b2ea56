#!/usr/bin/env bash
# Runs every test: formatting, lints, unit and API tests on SQLite AND PostgreSQL, then the browser
# tests in Chromium. PostgreSQL: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_wasm_tools
ensure_chromium
ensure_postgres

say "formatting"
cargo fmt --all -- --check

say "lints (server and app)"
cargo clippy -p app -p server -p migrations -p export --all-targets -- -D warnings
say "lints (browser bundle)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

say "unit and API tests (SQLite and PostgreSQL)"
cargo test -p app -p server -p migrations -p export

build_site debug
say "building the server for the browser tests"
cargo build -p server

say "browser tests (Playwright + Chromium)"
# A failed spec leaves the page as the browser last saw it (an accessibility snapshot with any
# error shown); CI's log is all that is kept of a clean clone, so print it there.
(cd e2e && npm ci --no-audit --no-fund --loglevel=error && npx playwright test) || {
  for f in e2e/test-results/*/error-context.md; do
    [ -f "$f" ] && { echo "---- $f"; head -c 20000 "$f"; echo; }
  done
  exit 1
}
