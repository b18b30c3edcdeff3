#!/usr/bin/env bash
# Build the .deb exactly as a release does (`npm run tauri -- build --bundles deb`), unpack it into a
# throwaway root with `dpkg -x`, and check what a desktop user gets: the two binaries (the tray,
# which must not link WebKit or GTK, and the window it starts), the .desktop entry (name, Exec,
# Icon), the icons the entry points at, and the declared dependencies.
#
#   scripts/check-deb.sh            build the release package, then check it
#   scripts/check-deb.sh --debug    the same package from the debug build (the test command)
#   scripts/check-deb.sh FILE.deb   check an existing package
#
# The test command checks the debug build's package: the same bundler, files, links, desktop entry,
# icons and Depends as a release, from the build the tests already made (~1.5 min), where the
# release profile (fat LTO, one codegen unit, docs/benchmarks.md "The test command") costs 6 to 10
# minutes of CI's 25 for nothing this script looks at.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

if [ $# -ge 1 ] && [ "$1" != --debug ]; then
  DEB=$1
else
  profile=release build=()
  if [ "${1:-}" = --debug ]; then profile=debug build=(--debug); fi
  [ -d node_modules/@tauri-apps/cli ] || npm ci --no-audit --no-fund
  scripts/build-ui.sh
  rm -f "$CARGO_TARGET_DIR/$profile"/bundle/deb/*.deb
  TAURI_APP_PATH=src-tauri npx tauri build "${build[@]}" --bundles deb
  DEB=$(ls "$CARGO_TARGET_DIR/$profile"/bundle/deb/*.deb | head -n1)
fi

fail() { echo "check-deb: FAIL: $*" >&2; exit 1; }
echo "check-deb: $DEB ($(du -h "$DEB" | cut -f1))"
DEST=$(mktemp -d)
trap 'rm -rf "$DEST"' EXIT
dpkg -x "$DEB" "$DEST"

BIN="$DEST/usr/bin/hardcover-sync-app"
[ -x "$BIN" ] || fail "usr/bin/hardcover-sync-app is missing or not executable"
WINDOW="$DEST/usr/bin/hardcover-sync-window"
[ -x "$WINDOW" ] || fail "usr/bin/hardcover-sync-window (the shelf browser the tray starts) is missing or not executable"
# The tray runs all day: it must not pay for WebKit (docs/desktop.md, "Two processes").
needed() { objdump -p "$1" | awk '$1 == "NEEDED" { print $2 }'; }
if needed "$BIN" | grep -E 'webkit|javascriptcore'; then fail "the tray binary links WebKit"; fi
# Nor for a GUI toolkit: its icon and menu are a StatusNotifierItem over D-Bus (docs/desktop.md).
if needed "$BIN" | grep -E 'gtk|gdk|cairo|pango|X11'; then fail "the tray binary links a GUI toolkit"; fi
needed "$WINDOW" | grep -q webkit2gtk || fail "the window binary does not link WebKit: is it the window?"
echo "check-deb: the tray links $(needed "$BIN" | wc -l) libraries, no WebKit or GTK; the window links WebKit"
# The demo's emulators (an axum server, a GraphQL parser) are for `--demo` builds only (feature
# `demo`): the release feature set must not link them.
if cargo tree -e normal,no-proc-macro -p hardcover-sync-app --locked | grep -E ' (axum|graphql-parser|hardcover-sync-emulators) v'; then
  fail "the release build links the demo's emulators (see above): keep them behind the demo feature"
fi
echo "check-deb: the release build links no demo emulators (no axum, no GraphQL parser)"

DESKTOP=$(find "$DEST/usr/share/applications" -name '*.desktop' | head -n1)
[ -n "$DESKTOP" ] || fail "no .desktop file under usr/share/applications"
grep -qx 'Name=Hardcover Sync' "$DESKTOP" || fail "desktop entry must be named 'Hardcover Sync'"
grep -qx 'Exec=hardcover-sync-app' "$DESKTOP" || fail "desktop entry must start hardcover-sync-app: $(grep ^Exec "$DESKTOP")"
grep -qx 'Type=Application' "$DESKTOP" || fail "desktop entry must be Type=Application"
ICON=$(sed -n 's/^Icon=//p' "$DESKTOP")
[ -n "$ICON" ] || fail "desktop entry has no Icon="
ICONS=$(find "$DEST/usr/share/icons/hicolor" -name "$ICON.png")
[ -n "$ICONS" ] || fail "no hicolor icon named $ICON.png for the desktop entry"
for f in $ICONS; do
  size=$(identify -format '%wx%h' "$f")
  dir=$(basename "$(dirname "$(dirname "$f")")")
  echo "check-deb: icon $dir → $size"
  case "$dir" in "$size"|"$size@2"|"${size%x*}x${size#*x}@2") ;; *)
    # 128x128@2 holds a 256x256 image: compare against half the pixel size then.
    half="$(( ${size%x*} / 2 ))x$(( ${size#*x} / 2 ))@2"
    [ "$dir" = "$half" ] || fail "icon $f is $size but sits in $dir" ;;
  esac
done
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$DESKTOP"; fi

DEPENDS=$(dpkg-deb -f "$DEB" Depends)
echo "check-deb: Depends: $DEPENDS"
for dep in libwebkit2gtk-4.1-0 libgtk-3-0; do
  grep -q "$dep" <<<"$DEPENDS" || fail "Depends must list $dep"
done
echo "check-deb: OK ($(basename "$DESKTOP"), icon $ICON)"
