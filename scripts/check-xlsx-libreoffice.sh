#!/usr/bin/env bash
# Opens every spreadsheet of a run's output in LibreOffice (headless), converts it back to CSV
# and checks that every ID-like cell of the run's own CSV — digits with a leading zero, class IDs
# such as 790224-3-1 — comes back exactly (issue #17). Needs `soffice`
# (`apt-get install libreoffice-calc-nogui`).
#   scripts/check-xlsx-libreoffice.sh OUT_DIR
set -euo pipefail
out=${1:?usage: $0 OUT_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
while IFS= read -r -d '' x; do
  n=$((n + 1))
  cp "$x" "$work/f$n.xlsx"
  cp "${x%.xlsx}.csv" "$work/f$n.orig"
done < <(find "$out" -name '*.xlsx' -not -path '*/confidential/*' -print0)
(cd "$work" && soffice --headless --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76' f*.xlsx --outdir "$work" >/dev/null 2>&1)
python3 - "$work" <<'PY'
import csv, glob, sys
work = sys.argv[1]
total = kept = 0
for orig in sorted(glob.glob(f"{work}/f*.orig")):
    a = list(csv.reader(open(orig, encoding="utf-8-sig")))
    b = list(csv.reader(open(orig.replace(".orig", ".csv"), encoding="utf-8")))
    if len(a) != len(b):
        sys.exit(f"{orig}: {len(a)} rows in the CSV, {len(b)} back from LibreOffice")
    for r1, r2 in zip(a[1:], b[1:]):
        for i, x in enumerate(r1):
            digits = x.replace("-", "").replace(";", "")
            if digits.isdigit() and len(x) > 1 and (x[0] == "0" or "-" in x):
                total += 1
                kept += r2[i] == x
print(f"{len(glob.glob(work + '/f*.orig'))} spreadsheets, {total} ID-like cells, {kept} kept exactly")
sys.exit(0 if total == kept else 1)
PY
