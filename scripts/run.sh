#!/usr/bin/env bash
# Installs what is missing, builds (release), migrates and serves Lifeline with demo data on
# http://127.0.0.1:3000 over the embedded SQLite file data/lifeline.db. Settings: see README.md.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_wasm_tools
build_site release
say "building the server (release)"
cargo build -p server --release
export LIFELINE_SITE_ROOT="$SITE_DIR"
say "starting Lifeline on http://${LIFELINE_BIND:-127.0.0.1:3000}"
exec "$TARGET_DIR/release/lifeline" serve --demo "$@"
