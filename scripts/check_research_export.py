"""Reads a research-export dataset of two school years with polars' lazy hive scan and with
DuckDB's read_parquet(hive_partitioning = true), and checks that both partitions come back
with the school year as a column (docs/research-export.md §6).

    python check_research_export.py DATASET YEAR YEAR
"""
import sys

import duckdb
import polars as pl

ds, years = sys.argv[1], sorted(int(y) for y in sys.argv[2:])
for table in ["students", "stage_a", "stage_b", "results", "placements", "enrichment", "aggregates"]:
    lf = pl.scan_parquet(f"{ds}/{table}/**/*.parquet", hive_partitioning=True)
    got = sorted(lf.select(pl.col("school_year").unique()).collect()["school_year"].to_list())
    # A partition may hold no rows (no placements in a year): compare with the folders.
    folders = sorted(
        int(p.split("=")[1]) for p in __import__("os").listdir(f"{ds}/{table}") if p.startswith("school_year=")
    )
    assert folders == years, (table, folders)
    if table in ("students", "results", "aggregates"):
        assert got == years, (table, got)
    print(f"polars  {table}: school years {got}")
rows = duckdb.sql(
    f"select school_year, count(*) from read_parquet('{ds}/results/*/*.parquet', hive_partitioning = true) group by all order by all"
).fetchall()
assert [r[0] for r in rows] == years, rows
print(f"duckdb  results: {rows}")
