#!/usr/bin/env bash
# Installs what scripts/check-report.sh needs on a Debian or Ubuntu machine: Debian's
# `chromium`, poppler-utils (pdfinfo), python3 and the DejaVu fonts. Does nothing when
# they are there; uses sudo only when not root. CI starts it in the background while the
# tests build, since the download is the slow part. Usage: scripts/install-report-deps.sh
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdfinfo >/dev/null 2>&1 || need+=(poppler-utils)
command -v python3 >/dev/null 2>&1 || need+=(python3)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if ((${#need[@]})); then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-report-deps: install these first: ${need[*]}" >&2
    exit 2
  fi
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  echo "install-report-deps: installing ${need[*]}"
  $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

echo "report deps ready"
