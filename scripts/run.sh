#!/usr/bin/env bash
# Set up and run the desktop app. Arguments are passed to the app: `scripts/run.sh --demo` runs
# it against the bundled emulators (no Hardcover account needed).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh
npm run --prefix ui build
# Both binaries: the tray (hardcover-sync-app) starts the window (hardcover-sync-window) beside it,
# and `cargo run` would build only the one it runs. The bundled emulators are linked in only for
# --demo (the `demo` feature); the app a user installs carries none.
features=()
for a in "$@"; do [ "$a" = --demo ] && features=(--features demo); done
cargo build --release --locked -p hardcover-sync-app "${features[@]}"
exec "${CARGO_TARGET_DIR:-target}/release/hardcover-sync-app" "$@"
