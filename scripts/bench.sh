#!/usr/bin/env bash
# Builds the server (release) and prints Lifeline's performance figures next to its targets:
# ingest throughput and latency against a real `lifeline serve` on a fresh SQLite file, the time
# to evaluate 100,000 systems, the server's memory, and how fast the MSP dashboard (1,000 clients
# x 50 systems) and a status page (50 systems, 7 days) render. Nothing is kept afterwards.
# Settings: BENCH_SECONDS (per load phase, default 10), BENCH_CONCURRENCY (default 16),
# BENCH_REPS (repetitions of the pure evaluation, default 11).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_wasm_tools
build_site release
say "building the server and the bench (release)"
cargo build --release -p server --bins
say "running the benchmark"
"$TARGET_DIR/release/bench" "$@"
say "running the page benchmark (dashboard and status page)"
LIFELINE_SITE_ROOT="$SITE_DIR" "$TARGET_DIR/release/pages-bench"
