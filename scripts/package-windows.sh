#!/usr/bin/env bash
# The Windows installer (packaging/windows/installer.nsi), built on Linux with Debian's makensis:
# a per-user setup.exe holding the tray, the window (and the WebView2 loader it links), the CLI,
# README.txt and the licence.
#
#   scripts/package-windows.sh          build the release executables for x86_64-pc-windows-gnu,
#                                       then the installer (target/x86_64-pc-windows-gnu/release/bundle/)
#   scripts/package-windows.sh --debug  package the debug executables scripts/windows.sh built
#                                       (no build: for its installer test), uncompressed
#                                       (target/x86_64-pc-windows-gnu/debug/bundle/)
#
# Needs (Debian): nsis gcc-mingw-w64-x86-64 and the Rust target x86_64-pc-windows-gnu
# (scripts/setup.sh --test installs them).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
TARGET=x86_64-pc-windows-gnu

for tool in makensis; do
  command -v "$tool" >/dev/null || { echo "package-windows: $tool is missing: run scripts/setup.sh --test" >&2; exit 1; }
done

# Tauri's own NSIS bundler is not used: it fetches its NSIS plugin (nsis_tauri_utils.dll) from
# GitHub while it builds, and builds for the MSVC target; this script needs no network.
if [[ "${1:-}" == "--debug" ]]; then
  PROFILE=debug
  # Two seconds instead of half a minute (zlib) or more (LZMA) over ~220 MB of debug executables.
  COMPRESSOR=(-DUNCOMPRESSED)
else
  PROFILE=release
  COMPRESSOR=()
  scripts/build-ui.sh # the window embeds ui/dist
  cargo build --release -p hardcover-sync-cli -p hardcover-sync-app --bins --target "$TARGET" --locked
fi
BIN="$CARGO_TARGET_DIR/$TARGET/$PROFILE"
VERSION=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
[[ "$VERSION" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+) ]] || { echo "package-windows: no version in Cargo.toml" >&2; exit 1; }
VI_VERSION="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}.0"

# Exactly what is installed, by name: the test-only bcryptprimitives.dll beside the debug
# executables (scripts/windows.sh) must never be packaged.
STAGE="$BIN/bundle/stage"
rm -rf "$STAGE"
mkdir -p "$STAGE"
for exe in hardcover-sync-app.exe hardcover-sync-window.exe hardcover-sync.exe; do
  [[ -f "$BIN/$exe" ]] || { echo "package-windows: $BIN/$exe is missing: build it first (scripts/windows.sh for --debug)" >&2; exit 1; }
  cp "$BIN/$exe" "$STAGE/" # release: stripped by the profile (Cargo.toml)
done
cp "$BIN/WebView2Loader.dll" "$STAGE/" # the window links it (webview2-com, on the GNU target)
cp packaging/windows/README.txt "$STAGE/README.txt"
cp LICENSE "$STAGE/LICENSE.txt"

OUT="$BIN/bundle/Hardcover-Sync-$VERSION-x64-setup.exe"
rm -f "$BIN"/bundle/*-setup.exe
makensis -V2 -INPUTCHARSET UTF8 "${COMPRESSOR[@]}" \
  -DVERSION="$VERSION" -DVI_VERSION="$VI_VERSION" -DSTAGE="$STAGE" \
  -DICON="$ROOT/src-tauri/icons/icon.ico" -DOUT_FILE="$OUT" \
  packaging/windows/installer.nsi
rm -rf "$STAGE"
echo "package-windows: $OUT ($(du -h "$OUT" | cut -f1))"
