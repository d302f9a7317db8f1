#!/bin/bash
# Runs two itur binaries on the same inputs and checks every output is byte-identical: each
# file but manifest.json, whose inputs, outputs (by path), reconciliation, warnings, exit, phase
# and pipeline must be equal (the rest records the clock and the command line). Usage:
#   scripts/compare-outputs.sh OLD_BIN NEW_BIN BENCH_DIR WORK_DIR
# BENCH_DIR as for scripts/interleave.sh; WORK_DIR receives old/ and new/.
set -uo pipefail
OLD=$1; NEW=$2; B=$3; W=$4
here=$(cd "$(dirname "$0")/.." && pwd)
outputs() { # bin dest
  mkdir -p "$2"
  "$1" run gifted-elementary --input "$here/fixtures/small" --out "$2/small" --phase all -q
  "$1" run gifted-elementary --input "$B/first-two-national" --out "$2/first-two" --phase all -q
  "$1" run gifted-elementary --input "$B/nation-nocontacts" --out "$2/nocontacts" --phase all -q
  "$1" run gifted-elementary --input "$B/nation-national" --out "$2/all" --phase all -q
  "$1" validate gifted-elementary --input "$B/nation-national" --out "$2/validate" -q
}
outputs "$OLD" "$W/old"; outputs "$NEW" "$W/new"
bad=0
for d in small first-two nocontacts all validate; do
  n=$(cd "$W/old/$d" && find . -type f | wc -l)
  diff -rq -x manifest.json "$W/old/$d" "$W/new/$d" || bad=1
  python3 - "$W/old/$d/manifest.json" "$W/new/$d/manifest.json" <<'PY' || bad=1
import json, sys
a, b = [json.load(open(p)) for p in sys.argv[1:3]]
# The outputs are listed in the order they were written; compared by path (the letters'
# bundles are written phase by phase since they are streamed, issue #24).
for m in (a, b):
    m["outputs"] = sorted(m.get("outputs", []), key=lambda o: o["path"])
for k in ("inputs", "outputs", "reconciliation", "warnings", "exit", "phase", "pipeline"):
    if a.get(k) != b.get(k):
        print("manifest differs in", k, sys.argv[1]); sys.exit(1)
PY
  echo "$d: $n files compared"
done
exit $bad
