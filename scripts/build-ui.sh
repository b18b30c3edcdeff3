#!/usr/bin/env bash
# Build the web UI into ui/dist, which the app bundles (tauri.conf.json build.frontendDist).
# Until ui/ has its own package.json, writes a placeholder page so the shell can be built and
# tested on its own (ui/dist is git-ignored either way).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f ui/package.json ]; then
  if [ ! -d ui/node_modules ]; then
    npm --prefix ui ci --no-audit --no-fund
  fi
  npm --prefix ui run build
elif [ ! -f ui/dist/index.html ]; then
  mkdir -p ui/dist
  cat > ui/dist/index.html <<'HTML'
<!doctype html>
<html><head><meta charset="utf-8"><title>Hardcover Sync</title></head>
<body><h1>Hardcover Sync</h1><p>Placeholder page: the real UI is built from ui/.</p></body></html>
HTML
  echo "ui/package.json not found: wrote a placeholder ui/dist/index.html"
fi
