#!/usr/bin/env bash
# The HTML report in a real browser: renders `journey-studio report` output with headless
# Chromium (Debian's `chromium` package, installed here with apt when missing) to a PNG
# and to a PDF, and checks that
#   - the PNG is not blank (many colours, and much of it not background);
#   - the PDF ("print to PDF") has at least 2 pages;
#   - a journey with hostile names (tests/fixtures/hostile_names.journey) shows them as
#     text: the browser's DOM has the escaped name in the h1 and no script element.
# The files stay in $OUT (default target/report-check) to look at.
# Usage: scripts/check-report.sh [path/to/journey-studio]   (default: cargo build, debug)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-target/report-check}"
mkdir -p "$OUT"

scripts/install-report-deps.sh

if [ $# -ge 1 ]; then
  bin="$1"
else
  if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
    # shellcheck disable=SC1091
    . "$HOME/.cargo/env"
  fi
  cargo build --quiet --bin journey-studio
  bin="${CARGO_TARGET_DIR:-target}/debug/journey-studio"
fi

# Headless, no GPU, no sandbox (CI runs as root); a fresh profile each time, so nothing of
# an earlier run is reused. Scripts stay on: headless Chromium's screenshot, PDF and DOM
# dump stop working with them off; the report reads the same either way, since it has no
# script at all (the DOM check below, and tests/core/report.rs on every report).
browser() {
  local profile
  profile="$(mktemp -d)"
  timeout 180 chromium --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
    --user-data-dir="$profile" "$@" 2>"$OUT/chromium.log"
  local rc=$?
  rm -rf "$profile"
  return $rc
}

report="$OUT/on_the_fence.html"
"$bin" report assets/on_the_fence.journey --users 100000 --out "$report"
url="file://$(realpath "$report")"
browser --window-size=1200,2400 --screenshot="$OUT/on_the_fence.png" "$url" >/dev/null
browser --no-pdf-header-footer --print-to-pdf="$OUT/on_the_fence.pdf" "$url" >/dev/null

python3 - "$OUT/on_the_fence.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, head = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        head = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = head
assert depth == 8 and ctype in (2, 6) and interlace == 0, f"unexpected PNG kind {head}"
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, pixels = bytearray(stride), []
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    pixels.extend(bytes(line[i:i + 3]) for i in range(0, stride, bpp * 4))
colours = set(pixels)
ink = sum(1 for p in pixels if p != b"\xff\xff\xff") / len(pixels)
print(f"check-report: PNG {w}x{h}, {len(colours)} colours, {ink:.1%} not white")
assert len(colours) >= 16, "the PNG is blank: fewer than 16 colours"
assert ink >= 0.03, "the PNG is blank: almost every pixel is white"
PY

pages="$(pdfinfo "$OUT/on_the_fence.pdf" | awk '/^Pages:/ {print $2}')"
echo "check-report: PDF $pages pages"
if [ "${pages:-0}" -lt 2 ]; then
  echo "check-report: the PDF has fewer than 2 pages" >&2
  exit 1
fi

hostile="$OUT/hostile_names.html"
"$bin" report tests/fixtures/hostile_names.journey --out "$hostile"
browser --dump-dom "file://$(realpath "$hostile")" >"$OUT/hostile_names.dom.html"
if ! grep -qF '<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>' "$OUT/hostile_names.dom.html"; then
  echo "check-report: the hostile journey name is not shown as text in the browser's DOM" >&2
  exit 1
fi
if grep -qi '<script' "$OUT/hostile_names.dom.html"; then
  echo "check-report: the browser found a script element in the hostile report" >&2
  exit 1
fi
echo "check-report: hostile names show as text"
echo "check-report: ok; look at $OUT/on_the_fence.png and $OUT/on_the_fence.pdf"
