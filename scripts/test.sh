#!/usr/bin/env bash
# The one test command: installs what the tests need, then runs every test with every
# feature (the GUI tests render on the CPU through Mesa). Usage: scripts/test.sh [cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
# A rustup installed just now puts cargo here.
if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
# wgpu refuses an empty backend list; unset means "pick one".
if [ -z "${WGPU_BACKEND-}" ]; then unset WGPU_BACKEND; fi
cargo test --all-features "$@"
