#!/usr/bin/env bash
# Builds the server (release) and prints Lifeline's performance figures next to its targets:
# ingest throughput and latency against a real `lifeline serve` on a fresh SQLite file, the time
# to evaluate 100,000 systems, and the server's memory. Nothing is kept afterwards.
# Settings: BENCH_SECONDS (per load phase, default 10), BENCH_CONCURRENCY (default 16),
# BENCH_REPS (repetitions of the pure evaluation, default 11).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "building the server and the bench (release)"
cargo build --release -p server --bins
say "running the benchmark"
exec "$TARGET_DIR/release/bench" "$@"
