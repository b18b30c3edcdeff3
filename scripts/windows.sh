#!/usr/bin/env bash
# The Windows build, checked on Linux: cross-compiles the CLI, the tray and the window for
# x86_64-pc-windows-gnu with MinGW-w64, and runs under Wine: the CLI's end-to-end test against the
# emulators on loopback and the tray's smoke test (tests/windows), and the Windows-only unit tests
# (the Run key). Part of scripts/test.sh.
#
#   scripts/windows.sh
#
# Needs (Debian): gcc-mingw-w64-x86-64 wine wine64 xvfb, and the Rust target x86_64-pc-windows-gnu
# (scripts/setup.sh --test installs them).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
TARGET=x86_64-pc-windows-gnu

for tool in x86_64-w64-mingw32-gcc wine xvfb-run; do
  command -v "$tool" >/dev/null || { echo "windows: $tool is missing: run scripts/setup.sh --test" >&2; exit 1; }
done

cargo build -p hardcover-sync-cli --bin hardcover-sync --target "$TARGET" --locked
# The tray, and the shelf browser window (Tauri on WebView2): the window is built so it cannot
# rot, but not tested here: WebView2 does not run under Wine.
scripts/build-ui.sh
cargo build -p hardcover-sync-app --bins --target "$TARGET" --locked
OUT="$CARGO_TARGET_DIR/$TARGET/debug"

# Wine 8 lacks bcryptprimitives.dll, whose ProcessPrng every Rust program calls at start on
# Windows. A test-only stand-in goes beside the test executable; it is never packaged.
mkdir -p "$OUT/deps"
x86_64-w64-mingw32-gcc -shared -O2 -o "$OUT/bcryptprimitives.dll" \
  scripts/windows/bcryptprimitives.c scripts/windows/bcryptprimitives.def -ladvapi32
cp "$OUT/bcryptprimitives.dll" "$OUT/deps/" # beside the unit-test executables

# A Wine prefix of our own, made once per target dir (the first start takes a few seconds).
export WINEPREFIX="$CARGO_TARGET_DIR/wine-prefix"
export WINEDEBUG=-all
if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
  wineboot --init >/dev/null 2>&1 || true
fi
wine "$OUT/hardcover-sync.exe" --version

# Code behind cfg(windows) gets the same lints as the rest.
cargo clippy -p hardcover-sync-cli -p hardcover-sync-desktop -p hardcover-sync-app --all-targets --target "$TARGET" --locked -- -D warnings

# Windows-only unit tests (cfg(windows)), run under Wine.
CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine \
  cargo test -p hardcover-sync-desktop --lib --target "$TARGET" --locked -- system::run_key

# The CLI end to end, a Kobo found on a drive letter, and the tray (which needs a display for its
# notification-area icon).
export HARDCOVER_SYNC_WINDOWS_CLI="$OUT/hardcover-sync.exe"
export HARDCOVER_SYNC_WINDOWS_TRAY="$OUT/hardcover-sync-app.exe"
xvfb-run -a cargo test -p hardcover-sync --test integration --locked -- --ignored --exact \
  windows::the_windows_cli_connects_syncs_and_exports_under_wine \
  windows::the_windows_tray_starts_hands_over_to_itself_and_quits_under_wine \
  windows::a_kobo_on_a_drive_letter_is_found_without_a_path_under_wine
