#!/usr/bin/env bash
# End-to-end tests of the desktop app, headless: builds once, then runs tests-e2e under Xvfb and a
# private D-Bus session with tauri-driver (WebDriver) running. Screenshots and logs go to
# test-output/.
#
#   scripts/e2e.sh [--release] [TEST_NAME_FILTER]   e.g. scripts/e2e.sh journey
#     --release  test the release build (how the benchmarks in docs/benchmarks.md are measured:
#                scripts/e2e.sh --release bench)
#
# Needs (Debian): xvfb xauth x11-utils imagemagick xdotool webkit2gtk-driver dbus-x11 systemd (busctl),
# and tauri-driver (installed here with `cargo install tauri-driver --locked` if missing).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

for tool in xvfb-run dbus-run-session WebKitWebDriver busctl xwininfo import xdotool; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool is missing (see the package list at the top of $0)" >&2; exit 1; }
done
command -v tauri-driver >/dev/null || cargo install tauri-driver --locked

PROFILE=debug
if [ "${1:-}" = --release ]; then PROFILE=release; shift; fi

scripts/build-ui.sh
# The suite runs the app in demo mode: the one build with the bundled emulators linked in.
if [ "$PROFILE" = release ]; then cargo build -p hardcover-sync-app --features demo --release; else cargo build -p hardcover-sync-app --features demo; fi
cargo test -p hardcover-sync-e2e --no-run

OUT="$ROOT/test-output/e2e"
rm -rf "$OUT" && mkdir -p "$OUT"
export E2E_APP_BINARY="$CARGO_TARGET_DIR/$PROFILE/hardcover-sync-app"
export E2E_OUTPUT_DIR="$OUT"
export E2E_WEBDRIVER_URL="http://127.0.0.1:4444"
export E2E_FILTER="${1:-}"
# Every app under test logs here too (demo mode's own data folder is gone when it exits); a
# failing test prints the latest warnings from it.
export HARDCOVER_SYNC_LOG_DIR="$OUT/app-logs"
# The app under test must not find a real keyring or desktop session of the developer's.
unset DBUS_SESSION_BUS_ADDRESS
export XDG_RUNTIME_DIR=$(mktemp -d) && chmod 700 "$XDG_RUNTIME_DIR"

xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -euo pipefail -c '
  tauri-driver --port 4444 >"$E2E_OUTPUT_DIR/tauri-driver.log" 2>&1 &
  driver=$!
  # tauri-driver ignores SIGTERM, and SIGKILL would orphan WebKitWebDriver (which keeps our
  # stdout open and hangs the run): stop it with SIGINT.
  trap "kill -INT $driver 2>/dev/null; wait $driver 2>/dev/null || true" EXIT
  for _ in $(seq 50); do
    (exec 3<>/dev/tcp/127.0.0.1/4444) 2>/dev/null && break
    sleep 0.2
  done
  cargo test -p hardcover-sync-e2e -- --test-threads=1 --nocapture $E2E_FILTER
'
echo "e2e: screenshots and logs in $OUT"
