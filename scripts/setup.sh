#!/usr/bin/env bash
# Install what a fresh Debian 12 / Ubuntu machine lacks to build, run and test Hardcover Sync.
# Idempotent: every step checks first and does nothing when the thing is already there.
#
#   scripts/setup.sh          what running the app needs
#   scripts/setup.sh --test   plus what the test suite needs (WebDriver, keyring, Xvfb tools)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

sudo_if_needed() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

say() { printf '\033[1;34m==> %s\033[0m\n' "$*"; }

# --- apt packages -----------------------------------------------------------------------------
# Tauri's Linux build deps, the tray library (loaded at run time, so it must be installed), and
# for tests: Xvfb, WebKitWebDriver, a Secret Service (gnome-keyring) on a private D-Bus.
APT_RUN=(build-essential pkg-config curl file libwebkit2gtk-4.1-dev libgtk-3-dev
  libayatana-appindicator3-dev librsvg2-dev libssl-dev libsecret-1-dev xdg-utils)
APT_TEST=(xvfb xauth x11-utils imagemagick xdotool webkit2gtk-driver dbus-x11 gnome-keyring
  libsecret-tools at-spi2-core libglib2.0-bin
  # The Windows build, cross-compiled and run under Wine, and its installer (scripts/windows.sh).
  gcc-mingw-w64-x86-64 wine wine64 nsis)
# Wine with what it recommends (fonts, GL, sound stubs): the set the Windows tests were run with.
WITH_RECOMMENDS=(wine wine64)
packages=("${APT_RUN[@]}")
(( want_test )) && packages+=("${APT_TEST[@]}")
command -v node >/dev/null || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  say "apt: installing ${missing[*]}"
  sudo_if_needed apt-get update -qq
  plain=() recommended=()
  for p in "${missing[@]}"; do
    if [[ " ${WITH_RECOMMENDS[*]} " == *" $p "* ]]; then recommended+=("$p"); else plain+=("$p"); fi
  done
  if (( ${#plain[@]} )); then
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${plain[@]}"
  fi
  if (( ${#recommended[@]} )); then
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${recommended[@]}"
  fi
fi

# --- Rust -------------------------------------------------------------------------------------
if ! command -v cargo >/dev/null; then
  if [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    say "rust: installing the stable toolchain with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c rustfmt,clippy
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi
for comp in rustfmt clippy; do
  if ! cargo "${comp/rustfmt/fmt}" --version >/dev/null 2>&1 && command -v rustup >/dev/null; then
    rustup component add "$comp"
  fi
done

# The Windows target's standard library, for the cross-built CLI the tests run under Wine.
if (( want_test )) && command -v rustup >/dev/null && ! rustup target list --installed | grep -qx x86_64-pc-windows-gnu; then
  say "rust: adding the x86_64-pc-windows-gnu target"
  rustup target add x86_64-pc-windows-gnu
fi

# --- Node packages ----------------------------------------------------------------------------
node_major=$(node -p 'process.versions.node.split(".")[0]')
if (( node_major < 20 )); then
  echo "Node.js $(node --version) is too old: the UI toolchain needs Node 20 or newer." >&2
  echo "Install a current Node.js (https://nodejs.org or your distribution's backports) and re-run." >&2
  exit 1
fi
npm_ci_if_stale() { # dir
  local dir=$1
  [[ -f "$dir/package-lock.json" ]] || return 0
  if [[ ! -d "$dir/node_modules" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    say "npm: installing packages in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
npm_ci_if_stale .
npm_ci_if_stale ui

# --- cargo tools (tests only) -----------------------------------------------------------------
if (( want_test )) && ! command -v tauri-driver >/dev/null; then
  say "cargo: installing tauri-driver"
  cargo install tauri-driver --locked --quiet
fi
