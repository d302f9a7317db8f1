#!/usr/bin/env python3
"""The floor of retest-review's read on this machine (BENCHMARKS.md, stop 35): the time the
fastest readers at hand take to read only the rows the job needs from a national year — the
students named by the requests, their contacts, and those contacts' details — before any rule.

Usage: python3 scripts/read-floor.py NATION_DIR   (a venv with polars and duckdb)
"""
import sys
import time

import duckdb
import polars as pl

d = sys.argv[1].rstrip("/") + "/"
con = duckdb.connect()
con.execute("set threads=2")
for _ in range(3):
    t = time.time()
    con.execute(f"""
    create or replace temp table ids as select student_id from '{d}retest_requests.parquet'
        union select student_id from '{d}absence_notices.parquet';
    create or replace temp table s as select * from '{d}students.parquet'
        where student_id in (select student_id from ids);
    create or replace temp table c as select * from '{d}contacts.parquet'
        where student_id in (select student_id from s);
    create or replace temp table cd as select * from '{d}contact_details.parquet'
        where contact_id in (select contact_id from c);
    """)
    n = [con.execute(f"select count(*) from {x}").fetchone()[0] for x in ("s", "c", "cd")]
    print("duckdb", round(time.time() - t, 3), "s", n)
for _ in range(3):
    t = time.time()
    ids = pl.concat([
        pl.read_parquet(d + "retest_requests.parquet", columns=["student_id"]),
        pl.read_parquet(d + "absence_notices.parquet", columns=["student_id"]),
    ]).unique()
    s = pl.scan_parquet(d + "students.parquet").filter(
        pl.col("student_id").is_in(ids["student_id"].implode())).collect()
    c = pl.scan_parquet(d + "contacts.parquet").filter(
        pl.col("student_id").is_in(s["student_id"].implode())).collect()
    cd = pl.scan_parquet(d + "contact_details.parquet").filter(
        pl.col("contact_id").is_in(c["contact_id"].implode())).collect()
    print("polars", round(time.time() - t, 3), "s", [len(s), len(c), len(cd)])
