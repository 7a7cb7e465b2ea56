#!/usr/bin/env bash
# Builds the server (release) and prints Lifeline's performance figures next to its targets:
# ingest throughput and latency against a real `lifeline serve` on a fresh SQLite file, the time
# to evaluate 100,000 systems, the server's memory, and how fast the MSP dashboard (1,000 clients
# x 50 systems) and a status page (50 systems, 7 days) render; then the MSP load from outside:
# wrk with 32 connections against 1,000 systems over 2 million stored events, on SQLite and on
# PostgreSQL (pings, single events, batches of 100; CPU per request, RSS, exactly-once count).
# Nothing is kept afterwards. `./scripts/bench.sh load` runs the load benchmark alone,
# `./scripts/bench.sh pages` the page benchmark alone.
# Settings: BENCH_SECONDS (per load phase, default 10), BENCH_CONCURRENCY (default 16),
# BENCH_REPS (repetitions of the pure evaluation, default 11); the load benchmark's LOAD_*
# settings are listed at the top of server/src/bin/load_bench.rs.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_wasm_tools
ensure_wrk
ensure_postgres
build_site release
say "building the server and the bench (release)"
cargo build --release -p server --bins
if [ -z "${1:-}" ]; then
  say "running the benchmark"
  "$TARGET_DIR/release/bench"
fi
if [ "${1:-}" != load ]; then
  say "running the page benchmark (dashboard and status page)"
  LIFELINE_SITE_ROOT="$SITE_DIR" "$TARGET_DIR/release/pages-bench"
fi
if [ "${1:-}" != pages ]; then
  say "running the load benchmark (wrk; SQLite and PostgreSQL)"
  "$TARGET_DIR/release/load-bench"
fi
