#!/usr/bin/env bash
# Runs gifted-elementary on fixtures/small and on a small synthetic nation, and opens every
# Parquet file they write (the nation's inputs too) with pyarrow 14 and the pandas of its day,
# and with the current pyarrow and pandas, each in a virtual environment of its own
# (scripts/check_parquet_readers.py says what is checked). Needs python3 with venv and pip,
# and PyPI the first time.
#
#   scripts/check-parquet-readers.sh [ITUR_BINARY]
#
# Virtual environments are kept in $ITUR_PY_CACHE (default ~/.cache/itur-py) between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
itur="${1:-${CARGO_TARGET_DIR:-target}/release/itur}"
cache="${ITUR_PY_CACHE:-$HOME/.cache/itur-py}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$itur" run gifted-elementary --input fixtures/small --out "$work/gifted" -q
"$itur" synth --scale small --out "$work/nation" -q
"$itur" run gifted-elementary --input "$work/nation" --out "$work/nation-run" -q

venv() { # NAME PACKAGES...
  local dir="$cache/$1"; shift
  if [ ! -x "$dir/bin/python" ] || ! "$dir/bin/python" -c 'import pyarrow, pandas' 2>/dev/null; then
    python3 -m venv "$dir"
    "$dir/bin/pip" install -q --disable-pip-version-check "$@"
  fi
  echo "$dir/bin/python"
}
old="$(venv pyarrow14 'pyarrow==14.0.2' 'numpy<2' 'pandas==2.1.4')"
new="$(venv pyarrow-current pyarrow pandas)"
for py in "$old" "$new"; do
  "$py" scripts/check_parquet_readers.py "$work/gifted" "$work/nation" "$work/nation-run"
done
