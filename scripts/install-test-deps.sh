#!/usr/bin/env bash
# Installs what `cargo test --all-features` needs on a Debian or Ubuntu machine:
#   - a C linker (gcc, libc6-dev), which rustc uses to link;
#   - Mesa's CPU renderers (lavapipe Vulkan, llvmpipe GL/EGL) and the window-system
#     client libraries, so egui_kittest renders image snapshots through wgpu without
#     a GPU or a display server;
#   - tesseract (OCR), with which a UI test reads the card titles off a rendered canvas;
#   - a stable Rust toolchain (1.95 or newer) with rustfmt and clippy (rustup itself
#     is installed only when neither cargo nor rustup is present).
# Safe to run more than once: it does nothing when everything is there. Uses sudo
# only when not root. Usage: scripts/install-test-deps.sh
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(gcc libc6-dev
      libgl1 libgl1-mesa-dri libglx-mesa0 libegl1 libegl-mesa0 libgbm1
      libvulkan1 mesa-vulkan-drivers
      libxkbcommon0 libxkbcommon-x11-0 libx11-6 libx11-xcb1 libxcursor1 libxrandr2
      libxi6 libxrender1 libxfixes3 libwayland-client0 libdbus-1-3
      tesseract-ocr tesseract-ocr-eng)
have_rust=1
command -v cargo >/dev/null 2>&1 || command -v rustup >/dev/null 2>&1 || have_rust=0
if ((!have_rust)); then pkgs+=(curl ca-certificates); fi

SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
else
  echo "install-test-deps: no dpkg here; install these yourself: ${pkgs[*]}" >&2
fi
if ((${#missing[@]})); then
  echo "install-test-deps: installing ${missing[*]}"
  $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ((!have_rust)); then
  echo "install-test-deps: installing rustup"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain none
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi

# A toolchain with rustfmt and clippy. There is no rust-toolchain.toml pin, so the
# default toolchain is used; rustup may be set not to install anything on first use.
if ! cargo --version >/dev/null 2>&1; then
  echo "install-test-deps: installing the stable toolchain"
  rustup toolchain install stable --profile minimal >/dev/null
  rustup default stable >/dev/null
fi
if ! { cargo fmt --version && cargo clippy --version; } >/dev/null 2>&1; then
  echo "install-test-deps: adding rustfmt and clippy"
  rustup component add rustfmt clippy >/dev/null
fi
echo "test deps ready"
