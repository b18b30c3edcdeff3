#!/usr/bin/env bash
# Line coverage of the core and the CLI (`hardcover-sync`, `hardcover-sync-cli`) with cargo-tarpaulin.
# llvm-tools cannot be installed on the project's machines, so tarpaulin's ptrace engine is used.
# Runs inside the same private D-Bus + gnome-keyring as the test command.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh --test
command -v cargo-tarpaulin >/dev/null || cargo install cargo-tarpaulin --locked
mkdir -p test-output/coverage
# --timeout is per test binary: under ptrace (a trap on every line) the integration suite's ~200
# tests over local HTTP take 139 s on 2 cores with nothing else running, and over the 300 s this
# once allowed beside a build.
scripts/with-keyring.sh cargo tarpaulin --engine ptrace --packages hardcover-sync hardcover-sync-cli \
  --exclude-files 'emulators/*' 'desktop/*' 'src-tauri/*' 'fuzz/*' 'cli/src/main.rs' \
  --out Html --out Json --output-dir test-output/coverage --skip-clean --timeout 1200 "$@"
