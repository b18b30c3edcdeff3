#!/usr/bin/env bash
# Measure the desktop app's idle memory: start it headless (Xvfb + private session bus) with its
# own throwaway data dir, wait IDLE_SECONDS (default 15), print RSS and PSS of the app and every
# process it started (WebKit's web and network processes, if any). Then count what wakes it while
# idle: context switches of every thread over WAKE_SECONDS (default 60; 0 skips), per thread name.
#
#   scripts/measure-memory.sh [--release] [--window]
#     --release  measure target/release (built here if needed) instead of target/debug
#     --window   open the shelves window at start (default: tray only, no window)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
PROFILE=debug
APP_ARGS=()
for a in "$@"; do
  case "$a" in
    --release) PROFILE=release ;;
    --window) APP_ARGS+=(--open-window) ;;
    *) echo "usage: $0 [--release] [--window]" >&2; exit 2 ;;
  esac
done
scripts/build-ui.sh >/dev/null
if [ "$PROFILE" = release ]; then cargo build -p hardcover-sync-app --release; else cargo build -p hardcover-sync-app; fi
BIN="$CARGO_TARGET_DIR/$PROFILE/hardcover-sync-app"
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
export BIN DATA IDLE_SECONDS=${IDLE_SECONDS:-15} WAKE_SECONDS=${WAKE_SECONDS:-60} APP_ARGS_STR="${APP_ARGS[*]:-}"
unset DBUS_SESSION_BUS_ADDRESS

xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -euo pipefail -c '
  # shellcheck disable=SC2086
  "$BIN" --config "$DATA/config.yaml" --data-dir "$DATA/data" $APP_ARGS_STR >"$DATA/app.log" 2>&1 &
  app=$!
  sleep "$IDLE_SECONDS"
  kill -0 "$app" 2>/dev/null || { echo "the app exited early:"; cat "$DATA/app.log"; exit 1; }
  descendants() { local p; for p in $(pgrep -P "$1"); do echo "$p"; descendants "$p"; done; }
  total_rss=0; total_pss=0
  printf "%-8s %-28s %10s %10s\n" PID PROCESS RSS_KiB PSS_KiB
  for p in $app $(descendants "$app"); do
    rss=$(awk "/^VmRSS:/ {print \$2}" /proc/$p/status 2>/dev/null || echo 0)
    pss=$(awk "/^Pss:/ {print \$2}" /proc/$p/smaps_rollup 2>/dev/null || echo 0)
    printf "%-8s %-28s %10s %10s\n" "$p" "$(cat /proc/$p/comm)" "${rss:-0}" "${pss:-0}"
    total_rss=$((total_rss + ${rss:-0})); total_pss=$((total_pss + ${pss:-0}))
  done
  printf "%-37s %10s %10s\n" "TOTAL (KiB)" "$total_rss" "$total_pss"
  echo "TOTAL RSS $((total_rss / 1024)) MiB, PSS $((total_pss / 1024)) MiB after ${IDLE_SECONDS}s idle"
  if [ "$WAKE_SECONDS" -gt 0 ]; then
    # "pid/tid name switches" for every thread of the app and its children.
    threads() {
      local p t
      for p in $app $(descendants "$app"); do
        for t in /proc/$p/task/*; do
          [ -r "$t/status" ] || continue
          echo "$p/${t##*/} $(tr " " _ < "$t/comm") $(awk "/ctxt_switches/ {s += \$2} END {print s}" "$t/status")"
        done
      done
    }
    threads | sort >"$DATA/before"
    sleep "$WAKE_SECONDS"
    threads | sort >"$DATA/after"
    join "$DATA/before" "$DATA/after" | awk -v secs="$WAKE_SECONDS" "
      { d = \$5 - \$3; total += d; if (d > 0) by[\$2] += d }
      END {
        printf \"wake-ups while idle: %d in %ds (context switches of every thread)\\n\", total, secs
        for (n in by) printf \"  %-28s %d\\n\", n, by[n]
      }"
  fi
  kill "$app"; wait "$app" 2>/dev/null || true
'
