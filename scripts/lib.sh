# Shared by the scripts: where cargo puts things, and the tools the build needs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SITE_DIR="$TARGET_DIR/site"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

# The wasm target and the wasm-bindgen CLI at exactly the version in Cargo.lock.
ensure_wasm_tools() {
  if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
    say "adding the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi
  local want
  want="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    say "installing wasm-bindgen-cli $want (a few minutes, once)"
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

# wasm-opt from the npm package binaryen (Debian's older binaryen breaks the wasm).
ensure_wasm_opt() {
  if [ ! -x "$ROOT/tools/node_modules/.bin/wasm-opt" ]; then
    say "installing binaryen (wasm-opt) from npm"
    (cd "$ROOT/tools" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Builds the browser bundle into $SITE_DIR/pkg. $1 = debug | release.
build_site() {
  local mode="${1:-debug}" profile_dir profile_flag=()
  if [ "$mode" = release ]; then
    profile_flag=(--profile wasm-release); profile_dir=wasm-release
  else
    profile_dir=debug
  fi
  say "building the browser bundle ($mode)"
  cargo build -p frontend --lib --target wasm32-unknown-unknown "${profile_flag[@]}"
  mkdir -p "$SITE_DIR/pkg"
  wasm-bindgen --target web --no-typescript --out-dir "$SITE_DIR/pkg" --out-name lifeline \
    "$TARGET_DIR/wasm32-unknown-unknown/$profile_dir/frontend.wasm"
  if [ "$mode" = release ]; then
    ensure_wasm_opt
    "$ROOT/tools/node_modules/.bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
      -o "$SITE_DIR/pkg/lifeline_bg.wasm" "$SITE_DIR/pkg/lifeline_bg.wasm"
    fingerprint_site
  else
    # Plain names: the server then serves the bundle with "no-cache".
    rm -f "$SITE_DIR/hash.txt"
  fi
}

# Names the release bundle by its content (lifeline.<hash>.js / .wasm, listed in hash.txt, which
# the server reads) so browsers may cache it for good, and writes brotli and gzip copies beside
# each file for the server to send as they are.
fingerprint_site() {
  local pkg="$SITE_DIR/pkg" js wasm
  js="$(sha256sum "$pkg/lifeline.js" | cut -c1-16)"
  wasm="$(sha256sum "$pkg/lifeline_bg.wasm" | cut -c1-16)"
  find "$pkg" -name 'lifeline.*.*' -delete
  mv "$pkg/lifeline.js" "$pkg/lifeline.$js.js"
  mv "$pkg/lifeline_bg.wasm" "$pkg/lifeline.$wasm.wasm"
  printf 'js: %s\nwasm: %s\n' "$js" "$wasm" > "$SITE_DIR/hash.txt"
  node "$ROOT/tools/precompress.mjs" "$pkg/lifeline.$js.js" "$pkg/lifeline.$wasm.wasm"
}

# Debian's Chromium for the browser tests (Playwright's own browser download is not used).
ensure_chromium() {
  if [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then return; fi
  apt_install chromium Chromium " or set CHROMIUM=/path/to/chrome"
}

# Installs Debian's package $1 (named $2 in messages) when run as root; otherwise says what to do
# ($3: another way, if any) and stops.
apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing $2 from Debian"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  else
    echo "$2 is missing: install Debian's '$1' package${3:-}" >&2
    exit 1
  fi
}

# wrk, the HTTP load generator the load benchmark drives the server with (Debian's package).
ensure_wrk() {
  if command -v wrk >/dev/null; then return; fi
  apt_install wrk wrk
}

# The tests need a PostgreSQL server; start the local cluster if it is installed but down.
ensure_postgres() {
  local url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
  if command -v pg_isready >/dev/null && ! pg_isready -q -d "$url"; then
    if command -v pg_ctlcluster >/dev/null; then
      say "starting the local PostgreSQL cluster"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    fi
  fi
}
