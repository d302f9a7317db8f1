#!/usr/bin/env bash
# Renders one letters HTML bundle to a PNG with headless Chromium, for a visual check of the
# right-to-left layout and the Hebrew and Arabic fonts (gifted.md §7).
#
#   scripts/render-letters.sh HTML_FILE OUT_PNG [WIDTHxHEIGHT]
#
# The default window, 1240x1754, is one A4 page at 150 dpi; the screenshot shows the first
# letter (and the start of the next). Needs Debian's `chromium` and fonts:
#   apt-get install -y chromium fonts-noto-core fonts-dejavu-core
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: $0 HTML_FILE OUT_PNG [WIDTHxHEIGHT]" >&2
    exit 2
fi
html=$1
out=$2
size=${3:-1240x1754}
if [[ ! -f $html ]]; then
    echo "$0: no such file: $html" >&2
    exit 2
fi
if [[ ! $size =~ ^[0-9]+x[0-9]+$ ]]; then
    echo "$0: window size must be WIDTHxHEIGHT, got: $size" >&2
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
    echo "$0: chromium not found (apt-get install -y chromium fonts-noto-core fonts-dejavu-core)" >&2
    exit 1
fi

abs_html=$(realpath "$html")
mkdir -p "$(dirname "$out")"
abs_out=$(realpath "$out")
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --force-device-scale-factor=1 \
    --user-data-dir="$profile" \
    --screenshot="$abs_out" --window-size="${size/x/,}" \
    "file://$abs_html" >/dev/null 2>"$profile/chromium.log" || {
    echo "$0: chromium failed:" >&2
    tail -20 "$profile/chromium.log" >&2
    exit 1
}
if [[ ! -s $abs_out ]]; then
    echo "$0: chromium wrote no screenshot:" >&2
    tail -20 "$profile/chromium.log" >&2
    exit 1
fi
echo "$abs_out"
