#!/usr/bin/env bash
# Starts the built server for the browser tests on a fresh SQLite file. $1 = port.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
DIR="$(mktemp -d)"
export LIFELINE_SITE_ROOT="$TARGET_DIR/site"
exec "$TARGET_DIR/debug/lifeline" serve --bind "127.0.0.1:$1" --database-url "sqlite://$DIR/e2e.db?mode=rwc"
