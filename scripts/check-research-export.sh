#!/usr/bin/env bash
# Makes a research-export dataset of two school years (fixtures/small, 2027, and a small
# synthetic nation of 2026) and reads it back with polars' lazy hive scan and DuckDB
# (scripts/check_research_export.py). Needs python3 with venv and pip, and PyPI the first time.
#
#   scripts/check-research-export.sh [ITUR_BINARY]
#
# The virtual environment is kept in $ITUR_PY_CACHE (default ~/.cache/itur-py) between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
itur="${1:-${CARGO_TARGET_DIR:-target}/release/itur}"
cache="${ITUR_PY_CACHE:-$HOME/.cache/itur-py}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$itur" run gifted-elementary --input fixtures/small --out "$work/run27" -q
"$itur" synth --scale small --school-year 2026 --out "$work/nation26" -q
"$itur" run gifted-elementary --input "$work/nation26" --out "$work/run26" -q
head -c 32 /dev/urandom > "$work/key"
chmod 600 "$work/key"
"$itur" run research-export --input "$work/run27" --input "$work/run26" \
  --out "$work/dataset" --key-file "$work/key" -q

dir="$cache/research"
if [ ! -x "$dir/bin/python" ] || ! "$dir/bin/python" -c 'import polars, duckdb' 2>/dev/null; then
  python3 -m venv "$dir"
  "$dir/bin/pip" install -q --disable-pip-version-check polars duckdb
fi
"$dir/bin/python" scripts/check_research_export.py "$work/dataset" 2026 2027
