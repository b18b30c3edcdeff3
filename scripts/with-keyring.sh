#!/usr/bin/env bash
# Run a command inside a private D-Bus session with a fresh, unlocked GNOME Keyring, so tests can
# use a REAL Secret Service without touching the user's keyring:
#
#   scripts/with-keyring.sh cargo test -p hardcover-sync --test integration auth
#
# Needs: dbus-run-session (dbus / dbus-x11), gnome-keyring-daemon (gnome-keyring).
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$0: $tool not found; install gnome-keyring and dbus-x11 (apt-get install gnome-keyring dbus-x11 libsecret-tools)" >&2
        exit 127
    fi
done

# A private runtime dir: the keyring's control socket lives there, and nothing leaks into (or is
# read from) the user's real session.
runtime_dir="$(mktemp -d)"
chmod 700 "$runtime_dir"
trap 'rm -rf "$runtime_dir"' EXIT
export XDG_RUNTIME_DIR="$runtime_dir"
# A throwaway keyring home too, so the "login" collection is created fresh each run.
export XDG_DATA_HOME="$runtime_dir/data"
mkdir -p "$XDG_DATA_HOME"
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL
export KEYRING_PASSWORD="throwaway-$$-$RANDOM"
# The test that needs the keyring fails instead of skipping when it cannot reach it.
export HARDCOVER_SYNC_REQUIRE_KEYRING=1

# Not `exec`: the trap must run afterwards to remove the runtime dir.
dbus-run-session -- bash -euc '
    eval "$(printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets)"
    # gnome-keyring 42 prints nothing when it daemonizes this way; its control socket is then
    # in the default place under XDG_RUNTIME_DIR.
    export GNOME_KEYRING_CONTROL="${GNOME_KEYRING_CONTROL:-$XDG_RUNTIME_DIR/keyring}"
    unset KEYRING_PASSWORD
    exec "$@"
' with-keyring "$@"
