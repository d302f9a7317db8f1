#!/bin/bash
# Times two itur binaries against each other, runs interleaved (old, new, old, …), on a national
# synthetic nation, and prints the medians. Usage:
#   scripts/interleave.sh OLD_BIN NEW_BIN BENCH_DIR
# BENCH_DIR holds nation-national/ (`itur synth --scale national --seed 1 --out …`), and
# first-two-national/ and nation-nocontacts/: symbolic links to its tables, the first without
# the placement and contact tables, the second without contacts and contact_details.
# Outputs go to BENCH_DIR/runs/ and are kept (deleting thousands of files slows ext4 for minutes).
set -euo pipefail
OLD=$1; NEW=$2; B=$3
R=$B/runs/$(date +%s); mkdir -p "$R"; T=$R/times.tsv; : > "$T"
one() { # name repeats args… (OUT is replaced by a fresh output directory)
  local name=$1 n=$2; shift 2
  for i in $(seq 1 "$n"); do for bin in "$OLD" "$NEW"; do
    local tag; tag=$(basename "$bin"); local out=$R/$name-$tag-$i
    local args=("$@"); args=("${args[@]//OUT/$out}")
    /usr/bin/time -o "$R/t" -f '%e %M %U %S' "$bin" "${args[@]}" >/dev/null 2>&1 || true
    echo -e "$name\t$tag\t$(tr ' ' '\t' < "$R/t")" >> "$T"
  done; done
}
one si 7 run gifted-elementary --input "$B/first-two-national" --out OUT --phase all
one validate 5 validate gifted-elementary --input "$B/nation-national" --out OUT
one all-nocontacts 3 run gifted-elementary --input "$B/nation-nocontacts" --out OUT --phase all
one all-letters 3 run gifted-elementary --input "$B/nation-national" --out OUT --phase all
python3 - "$T" <<'PY'
import collections, statistics as st, sys
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    c, b, w, m, u, s = line.split('\t')
    d[(c, b)].append((float(w), int(m) / 1024, float(u), float(s)))
bins = list(dict.fromkeys(b for _, b in d))
for c in dict.fromkeys(c for c, _ in d):
    cells = []
    for b in bins:
        v = d[(c, b)]
        cells.append(f"{b}: {st.median(x[0] for x in v):.2f} s, {max(x[1] for x in v):,.0f} MiB, user {st.median(x[2] for x in v):.2f} s ({len(v)} runs)")
    print(f"{c}: " + " | ".join(cells))
PY
