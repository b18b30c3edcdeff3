#!/usr/bin/env bash
# Build the web UI into ui/dist, which the app bundles (tauri.conf.json build.frontendDist).
#
# Skipped when ui/dist is newer than every source file of ui/: a rebuild rewrites ui/dist, and
# the app's build script then recompiles the app (a release build with LTO: minutes) for the same
# page. UI_REBUILD=1 forces it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d ui/node_modules ]; then
  npm --prefix ui ci --no-audit --no-fund
fi
stamp=ui/dist/index.html
if [ -z "${UI_REBUILD:-}" ] && [ -f "$stamp" ] && [ -z "$(find ui \( -path ui/node_modules -o -path ui/dist \) -prune -o -type f -newer "$stamp" -print -quit)" ]; then
  echo "ui/dist is up to date"
  exit 0
fi
npm --prefix ui run build
