"""Opens every Parquet file under a run's output folder with pyarrow (and pandas) and checks
what issue #17 asks of them: every reader opens them (no Arrow view types), each column carries
its description and Hebrew name in its field metadata, the table its description in the schema
metadata, and pandas sees them in `DataFrame.attrs`.

    python scripts/check_parquet_readers.py OUT_DIR [OUT_DIR ...]

Exits 1 naming each file and column that fails. `scripts/check-parquet-readers.sh` runs it
under pyarrow 14 (the oldest generation still in use) and the current pyarrow.
"""
import glob
import os
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

# The Arrow types itur writes: the oldest ones that say what a column holds.
ALLOWED = {"string", "int64", "int32", "uint32", "uint64", "double", "bool", "date32[day]",
           "list<element: string>", "list<item: string>", "null"}


def check(path):
    problems = []
    schema = pq.read_schema(path)
    table = pq.read_table(path)  # reads every column: fails on types the reader lacks
    if table.num_rows != pq.ParquetFile(path).metadata.num_rows:
        problems.append("row count differs from the footer")
    meta = schema.metadata or {}
    for key in (b"table", b"description", b"hebrew"):
        if not meta.get(key):
            problems.append(f"schema metadata has no {key.decode()}")
    for field in schema:
        if str(field.type) not in ALLOWED:
            problems.append(f"column {field.name}: type {field.type}")
        fm = field.metadata or {}
        for key in (b"description", b"hebrew"):
            if not fm.get(key):
                problems.append(f"column {field.name}: no {key.decode()} in its field metadata")
    df = pd.read_parquet(path)
    columns = df.attrs.get("columns", {})
    for name in df.columns:
        if not columns.get(name, {}).get("description"):
            problems.append(f"column {name}: no description in pandas' DataFrame.attrs")
    return problems


def main(dirs):
    files = sorted(f for d in dirs for f in glob.glob(os.path.join(d, "**", "*.parquet"), recursive=True))
    if not files:
        print(f"no Parquet files under {' '.join(dirs)}", file=sys.stderr)
        return 1
    failed = 0
    for f in files:
        for p in check(f):
            print(f"{f}: {p}", file=sys.stderr)
            failed += 1
    print(f"pyarrow {pa.__version__}, pandas {pd.__version__}: {len(files)} Parquet files read, "
          f"{failed} problems")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
