#!/usr/bin/env bash
# The Windows build, checked on Linux: cross-compiles the CLI and the window for
# x86_64-pc-windows-gnu with MinGW-w64, and runs the CLI's end-to-end test under Wine against the
# emulators on loopback (tests/windows). Part of scripts/test.sh.
#
#   scripts/windows.sh
#
# Needs (Debian): gcc-mingw-w64-x86-64 wine wine64, and the Rust target x86_64-pc-windows-gnu
# (scripts/setup.sh --test installs all three).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
TARGET=x86_64-pc-windows-gnu

for tool in x86_64-w64-mingw32-gcc wine; do
  command -v "$tool" >/dev/null || { echo "windows: $tool is missing: run scripts/setup.sh --test" >&2; exit 1; }
done

cargo build -p hardcover-sync-cli --bin hardcover-sync --target "$TARGET" --locked
# The shelf browser window builds for Windows too (Tauri on WebView2), so it cannot rot; it is not
# run here: WebView2 does not run under Wine.
scripts/build-ui.sh
cargo build -p hardcover-sync-app --bin hardcover-sync-window --target "$TARGET" --locked
OUT="$CARGO_TARGET_DIR/$TARGET/debug"

# Wine 8 lacks bcryptprimitives.dll, whose ProcessPrng every Rust program calls at start on
# Windows. A test-only stand-in goes beside the test executable; it is never packaged.
x86_64-w64-mingw32-gcc -shared -O2 -o "$OUT/bcryptprimitives.dll" \
  scripts/windows/bcryptprimitives.c scripts/windows/bcryptprimitives.def -ladvapi32

# A Wine prefix of our own, made once per target dir (the first start takes a few seconds).
export WINEPREFIX="$CARGO_TARGET_DIR/wine-prefix"
export WINEDEBUG=-all
if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
  wineboot --init >/dev/null 2>&1 || true
fi
wine "$OUT/hardcover-sync.exe" --version

export HARDCOVER_SYNC_WINDOWS_CLI="$OUT/hardcover-sync.exe"
cargo test -p hardcover-sync --test integration --locked -- --ignored --exact windows::the_windows_cli_connects_syncs_and_exports_under_wine
