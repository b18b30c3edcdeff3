#!/usr/bin/env bash
# The Windows build, checked on Linux: cross-compiles the CLI, the tray and the window for
# x86_64-pc-windows-gnu with MinGW-w64, lints them for that target, and runs under Wine: the
# Windows-only unit tests (the Run key), the CLI's end-to-end test against the emulators on
# loopback, the tray's smoke test, and the installer installed and uninstalled (tests/windows).
# Part of scripts/test.sh.
#
#   scripts/windows.sh
#
# Needs (Debian): gcc-mingw-w64-x86-64 wine wine64 xvfb nsis, and the Rust target
# x86_64-pc-windows-gnu (scripts/setup.sh --test installs them).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
TARGET=x86_64-pc-windows-gnu

for tool in x86_64-w64-mingw32-gcc wine xvfb-run makensis clippy-driver; do
  command -v "$tool" >/dev/null || { echo "windows: $tool is missing: run scripts/setup.sh --test" >&2; exit 1; }
done
OUT="$CARGO_TARGET_DIR/$TARGET/debug"

# Every Windows artifact comes from one cargo invocation, so the dependencies are compiled once.
# - One invocation: cargo unifies features per invocation, and the CLI alone, the tray and window,
#   and the tests (whose dev-dependencies turn on more features of serde, tokio, syn…) each select
#   different ones; built separately, nearly every dependency was compiled two or three times.
# - Linted while built: clippy-driver is rustc with Clippy's lints added, so as the workspace's
#   compiler (what `cargo clippy` sets up, there for a check) it lints the crates and still
#   produces the executables. A separate `cargo clippy` shares nothing with a build (it stops at
#   metadata) and cost a third pass over every dependency. Lints are the workspace's, errors as in
#   `cargo clippy -- -D warnings`; lib, bins and tests of the three crates with `cfg(windows)` code
#   or that link it.
scripts/build-ui.sh # the window embeds ui/dist
export_windows_build() { # the environment of every cargo call for the Windows target
  export RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
  RUSTC_WORKSPACE_WRAPPER=$(command -v clippy-driver)
  CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__ # `-- -D warnings`, as cargo clippy passes it
}
WINDOWS_BUILD=(-p hardcover-sync-cli -p hardcover-sync-app -p hardcover-sync-desktop --lib --bins --tests
  --target "$TARGET" --locked)
unit_tests=$(
  export_windows_build
  cargo build "${WINDOWS_BUILD[@]}" --message-format=json-render-diagnostics |
    grep '"reason":"compiler-artifact"' | grep '"name":"hardcover_sync_desktop"' |
    grep '"profile":{[^}]*"test":true}' | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p'
)
[[ -x "$unit_tests" ]] || { echo "windows: the desktop crate's unit-test executable was not built" >&2; exit 1; }

# A Wine prefix of our own, made once per target dir (the first start takes a few seconds).
# winemenubuilder off: the installer's Start-menu shortcut must not become a launcher on this
# machine's own desktop.
export WINEPREFIX="$CARGO_TARGET_DIR/wine-prefix"
export WINEDEBUG=-all
export WINEDLLOVERRIDES="winemenubuilder.exe=d"
if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
  wineboot --init >/dev/null 2>&1 || true
fi
# Wine 8 lacks bcryptprimitives.dll, whose ProcessPrng every Rust program calls at start on
# Windows. A test-only stand-in goes where Windows keeps the real one, the prefix's system32, so
# every executable finds it: the test executables, the debug build, and the installed copies. It
# is never packaged (scripts/package-windows.sh takes the files it ships by name).
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
  scripts/windows/bcryptprimitives.c scripts/windows/bcryptprimitives.def -ladvapi32
wine "$OUT/hardcover-sync.exe" --version

# Windows-only unit tests (cfg(windows)), run under Wine: the executable the build above made
# (a `cargo test` of the desktop crate alone would select other features and build it all again).
wine "$unit_tests" system::run_key

# The installer of the debug executables just built (makensis takes seconds; the release one is
# the same script over the release build).
scripts/package-windows.sh --debug

# The CLI end to end, a Kobo found on a drive letter, the tray (which needs a display for its
# notification-area icon), and the installer. The host test binary is the one the workspace's test
# run built: the same packages selected, so the same features, and nothing is compiled again.
export HARDCOVER_SYNC_WINDOWS_CLI="$OUT/hardcover-sync.exe"
export HARDCOVER_SYNC_WINDOWS_TRAY="$OUT/hardcover-sync-app.exe"
HARDCOVER_SYNC_WINDOWS_INSTALLER=$(ls "$OUT"/bundle/*-setup.exe)
export HARDCOVER_SYNC_WINDOWS_INSTALLER
xvfb-run -a cargo test --workspace --exclude hardcover-sync-e2e --test integration --locked -- --ignored --exact \
  windows::the_windows_cli_connects_syncs_and_exports_under_wine \
  windows::the_windows_tray_starts_hands_over_to_itself_and_quits_under_wine \
  windows::a_kobo_on_a_drive_letter_is_found_without_a_path_under_wine \
  windows::the_installer_installs_for_one_user_and_the_uninstaller_leaves_only_the_data_under_wine
