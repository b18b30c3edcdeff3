#!/usr/bin/env bash
# Set up and run every check and test: the README's test command, and all that CI runs.
#
# Steps: formatting, the UI's typecheck/lint/unit tests/build, clippy (-D warnings) on all
# targets, the workspace's tests (inside a private D-Bus with a real gnome-keyring, so the keyring
# tests hit a real Secret Service), the Windows build and installer under Wine, the desktop end-to-end suite under
# Xvfb, and the .deb check.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }
trap 'echo "FAILED at step: ${current:-setup}" >&2' ERR

current="setup"; step "$current"
scripts/setup.sh --test

# One target dir for everything, built once per run.
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-always}

current="cargo fmt --check"; step "$current"
cargo fmt --all -- --check

if [[ -f ui/package.json ]]; then
  current="ui: typecheck, lint, unit tests, build"; step "$current"
  npm run --prefix ui check
  npm run --prefix ui lint
  npm run --prefix ui test
  npm run --prefix ui build
fi

current="cargo clippy -D warnings"; step "$current"
cargo clippy --workspace --all-targets --locked -- -D warnings
# Again with the demo mode's code (the `demo` feature: the e2e build, `scripts/run.sh --demo`),
# which the workspace's own feature set leaves out.
cargo clippy --workspace --all-targets --features hardcover-sync-desktop/demo --locked -- -D warnings

current="cargo test (with a real Secret Service)"; step "$current"
scripts/with-keyring.sh cargo test --workspace --exclude hardcover-sync-e2e --locked

current="Windows: built, linted and run under Wine; the installer installed and uninstalled"; step "$current"
scripts/windows.sh

if [[ -x scripts/e2e.sh ]]; then
  current="desktop end-to-end (Xvfb + tauri-driver)"; step "$current"
  scripts/e2e.sh
fi

if [[ -x scripts/check-deb.sh ]]; then
  current="packaging: .deb"; step "$current"
  # From the debug build: what the check looks at is the same in a release (see the script).
  scripts/check-deb.sh --debug
fi

trap - ERR
step "all checks passed"
