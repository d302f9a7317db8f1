#!/usr/bin/env bash
# Renders a run's report.html with headless Chromium at A4 portrait width, for a check by
# eye: Hebrew right to left, the charts drawn, nothing cut off (docs/report.md). Not part of
# CI.
#
#   scripts/report-png.sh OUT_DIR PNG
#
# Writes PNG (794 CSS pixels wide — A4 at 96 dpi — at 150 dpi, as tall as the report's
# printed A4 pages) and, beside it, the report printed to A4 pages as PNG's name with .pdf.
# Needs Debian's `chromium` (apt-get install -y chromium); the report itself loads nothing
# from anywhere, so the browser runs offline.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 OUT_DIR PNG" >&2
    exit 2
fi
report="$1/report.html"
out=$2
if [[ ! -f $report ]]; then
    echo "$0: no report.html in $1" >&2
    exit 2
fi
browser=""
for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null 2>&1; then
        browser=$candidate
        break
    fi
done
if [[ -z $browser ]]; then
    echo "$0: chromium not found (apt-get install -y chromium)" >&2
    exit 1
fi

abs_html=$(realpath "$report")
mkdir -p "$(dirname "$out")"
abs_out=$(realpath "$out")
pdf="${abs_out%.png}.pdf"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
run() {
    "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --user-data-dir="$profile" "$@" "file://$abs_html" \
        >/dev/null 2>>"$profile/chromium.log" || {
        echo "$0: chromium failed:" >&2
        tail -20 "$profile/chromium.log" >&2
        exit 1
    }
}

# The printed report (A4 portrait, its @page rule): how many pages it takes.
run --no-pdf-header-footer --print-to-pdf="$pdf"
pages=$(grep -a -c -E '/Type ?/Page([^s]|$)' "$pdf" || true)
pages=$(( pages > 0 ? pages : 1 ))
# A4 is 794 x 1123 CSS pixels at 96 dpi; 150 dpi is a scale of 1.5625.
run --force-device-scale-factor=1.5625 --window-size="794,$(( pages * 1123 ))" \
    --screenshot="$abs_out"
if [[ ! -s $abs_out ]]; then
    echo "$0: chromium wrote no screenshot" >&2
    tail -20 "$profile/chromium.log" >&2
    exit 1
fi
echo "$abs_out ($pages A4 pages; printed: $pdf)"
