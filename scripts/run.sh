#!/usr/bin/env bash
# Runs Journey Studio from a fresh Debian or Ubuntu machine: first the dependency script
# (a C linker, the GUI runtime libraries the window needs, and a Rust toolchain when
# there is none: see scripts/install-test-deps.sh), then `cargo run --release`.
# Arguments go to the app: scripts/run.sh assets/abandoned_cart.journey, or
# scripts/run.sh validate FILE. Safe to run again: the dependency step then does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

# The dependency script's own messages go to stderr, so a subcommand's output on
# stdout stays clean for pipes.
scripts/install-test-deps.sh >&2

# rustup may have been installed just now, into a shell that does not know it yet.
if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi

exec cargo run --release -- "$@"
