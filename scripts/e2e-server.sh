#!/usr/bin/env bash
# Starts the built server for the browser tests on a fresh SQLite file. $1 = port.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
DIR="$(mktemp -d)"
export LIFELINE_SITE_ROOT="$TARGET_DIR/site"
# Stripe cannot be reached from here: its fake listens on the next port, and ends with this
# process (which becomes the server).
STRIPE_PORT=$(( $1 + 1 ))
"$TARGET_DIR/debug/stripe-fake" "$STRIPE_PORT" $$ &
export LIFELINE_STRIPE_API_BASE="http://127.0.0.1:$STRIPE_PORT/"
# E-mail goes over real SMTP to a local sink (the two ports after Stripe's: SMTP, then the
# sink's JSON list of what it took, which the tests read links from).
node "$ROOT/e2e/mail-sink.mjs" $(( $1 + 2 )) $(( $1 + 3 )) $$ &
export LIFELINE_SMTP_HOST=127.0.0.1 LIFELINE_SMTP_PORT=$(( $1 + 2 )) LIFELINE_SMTP_INSECURE=true
# With the demo: its tour is tested, and the other tests sign up MSPs of their own beside it.
exec "$TARGET_DIR/debug/lifeline" serve --demo --bind "127.0.0.1:$1" --database-url "sqlite://$DIR/e2e.db?mode=rwc"
