//! Fuzzing the two readers, CSV and Parquet, through the library (no process per case): each
//! case mutates one roster table of a seed corpus, lays it over `fixtures/tiny` in a temporary
//! input directory and runs `itur::table::validate::load_inputs` on it, as `validate` and `run`
//! do (the students table alternately whole and read a column at a time, as `run` reads it).
//!
//! Seed corpus: the CSV tables of `fixtures/tiny`, every roster CSV and Parquet file of
//! `fixtures/bad/*/`, the files of `fixtures/fuzz/`, and Parquet files written here from the
//! tiny tables (text columns, and typed columns as the schema says).
//!
//! Mutations (drawn by proptest strategies from a seeded RNG): bytes flipped, set, inserted,
//! deleted, spliced in from another seed, truncation; lines duplicated or deleted; fields set
//! to awkward values (quotes, separators, line breaks, NUL, invalid UTF-8, huge numbers, bad
//! dates, bidirectional overrides, 10,000 characters). Parquet tables are also mutated as
//! tables before they are written: cells, nulls, a column's type (int, float, bool, date,
//! binary …), columns dropped, renamed or added, rows duplicated or removed, small row groups,
//! no statistics, other compressions; then, for some cases, bytes of the written file.
//!
//! Properties of every case: no panic; an error is an input or usage error whose message is
//! one line; and when the inputs load, for every table rows read = accepted + rejected, no
//! reject names a row past the end, the accepted rows are the table's rows, and the mutated
//! table's rows read are the rows of its file (as the `csv` crate or the Parquet footer count
//! them). (Exclusions are decided by the jobs, after loading.)
//!
//! Budget: `ITUR_FUZZ_SECS` seconds per reader (default 10), e.g. `ITUR_FUZZ_SECS=600 cargo
//! test --release --test it fuzz -- --nocapture` for a long run. Each case has its own seed,
//! the first being `ITUR_FUZZ_SEED` (default 1; `random` draws one); a failing case prints its
//! seed and saves its input under `$TMPDIR/itur-fuzz/`, and `ITUR_FUZZ_SEED=<seed>` replays it
//! first. An abort (out of memory) cannot be caught: the inputs of the case being run stay in
//! `$TMPDIR/itur-fuzz/<reader>-<pid>/`, named with its seed in `case.txt` there.
use crate::support::fixtures;
use itur::table::schema::{self, ColType};
use itur::table::validate::{load_inputs, TableNeed};
use itur::table::InputSet;
use polars::prelude::*;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The tables of `fixtures/tiny`: the roster every gifted-elementary phase reads.
const TABLES: [&str; 5] = [
    "institutions",
    "classes",
    "students",
    "contacts",
    "contact_details",
];

/// A case slower than this on tiny inputs is a failure (a reader that is quadratic, or loops).
const SLOW: Duration = Duration::from_secs(10);

/// One seed input: the table it is a file of, and its bytes.
#[derive(Clone)]
struct SeedFile {
    table: String,
    origin: String,
    bytes: Vec<u8>,
}

/// A table as text cells, for the Parquet cases that are mutated as tables.
#[derive(Clone, Debug)]
struct TextTable {
    table: String,
    columns: Vec<(String, Vec<Option<String>>)>,
}

/// Awkward field values.
fn field_value() -> impl Strategy<Value = Vec<u8>> {
    let fixed: Vec<&'static [u8]> = vec![
        b"",
        b" ",
        b"\"",
        b"\"\"",
        b"\"a,b\"",
        b",",
        b"\n",
        b"\r\n",
        b"\r",
        b"\0",
        b"\xff\xfe",
        b"\xe0\xf9",
        b"0",
        b"-1",
        b"-0",
        b"1e309",
        b"NaN",
        b"inf",
        b"99999999999999999999999",
        b"-9223372036854775808",
        b"9223372036854775807",
        b"18446744073709551616",
        b"0.1",
        b"1,5",
        b"2027-02-30",
        b"2019-13-01",
        b"9999-12-31",
        b"0000-01-01",
        b"+002019-01-01",
        b"1970-01-01",
        b"true",
        b"TRUE",
        b"yes",
        b"010000016",
        b"10000016",
        b"000000000",
        b"0000000018",
        b"110001",
        b"110001-2-1",
        b"A01",
        "\u{202e}\u{5e0}\u{5d5}\u{5e2}\u{5d4}".as_bytes(),
        "\u{fb00}\u{fe0f}\u{1f600}".as_bytes(),
        b"=HYPERLINK(\"x\")",
        b"../../etc/passwd",
    ];
    prop_oneof![
        8 => proptest::sample::select(fixed).prop_map(<[u8]>::to_vec),
        1 => (1usize..10_000).prop_map(|n| vec![b'7'; n]),
        1 => proptest::collection::vec(any::<u8>(), 0..24),
    ]
}

/// Bytes worth inserting or setting: separators, quotes, line ends, NUL, high bytes.
fn some_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => proptest::sample::select(vec![
            b'"', b',', b'\n', b'\r', 0u8, 0xff, 0xe0, 0xef, b' ', b'0', b'-'
        ])
        .prop_map(|b| vec![b]),
        1 => proptest::collection::vec(any::<u8>(), 1..16),
        1 => field_value(),
    ]
}

/// A change to a file's bytes.
#[derive(Clone, Debug)]
enum ByteMutation {
    Flip {
        at: Index,
        bit: u8,
    },
    Set {
        at: Index,
        byte: u8,
    },
    Insert {
        at: Index,
        bytes: Vec<u8>,
    },
    Delete {
        at: Index,
        len: usize,
    },
    /// Bytes of another seed file copied over this one at `at`.
    Splice {
        at: Index,
        other: Index,
        from: Index,
        len: usize,
    },
    Truncate {
        at: Index,
    },
    DuplicateLine {
        line: Index,
        times: usize,
    },
    DeleteLine {
        line: Index,
    },
    /// Field `col` of line `line` replaced with `value` (quoted as CSV when `quote`).
    Field {
        line: Index,
        col: Index,
        value: Vec<u8>,
        quote: bool,
    },
}

fn byte_mutation() -> impl Strategy<Value = ByteMutation> {
    use ByteMutation::*;
    prop_oneof![
        2 => (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Flip { at, bit }),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Set { at, byte }),
        2 => (any::<Index>(), some_bytes()).prop_map(|(at, bytes)| Insert { at, bytes }),
        2 => (any::<Index>(), 1usize..64).prop_map(|(at, len)| Delete { at, len }),
        1 => (any::<Index>(), any::<Index>(), any::<Index>(), 1usize..256)
            .prop_map(|(at, other, from, len)| Splice { at, other, from, len }),
        1 => any::<Index>().prop_map(|at| Truncate { at }),
        2 => (any::<Index>(), 1usize..200).prop_map(|(line, times)| DuplicateLine { line, times }),
        1 => any::<Index>().prop_map(|line| DeleteLine { line }),
        4 => (any::<Index>(), any::<Index>(), field_value(), any::<bool>())
            .prop_map(|(line, col, value, quote)| Field { line, col, value, quote }),
    ]
}

fn line_spans(data: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    for i in memchr::memchr_iter(b'\n', data) {
        spans.push((start, i + 1));
        start = i + 1;
    }
    if start < data.len() {
        spans.push((start, data.len()));
    }
    spans
}

fn apply_bytes(data: &mut Vec<u8>, m: &ByteMutation, corpus: &[SeedFile]) {
    use ByteMutation::*;
    let n = data.len();
    match m {
        Flip { at, bit } if n > 0 => data[at.index(n)] ^= 1 << bit,
        Set { at, byte } if n > 0 => data[at.index(n)] = *byte,
        Insert { at, bytes } => {
            let i = at.index(n + 1);
            data.splice(i..i, bytes.iter().copied());
        }
        Delete { at, len } if n > 0 => {
            let i = at.index(n);
            data.drain(i..(i + len).min(n));
        }
        Splice {
            at,
            other,
            from,
            len,
        } => {
            let src = &corpus[other.index(corpus.len())].bytes;
            if !src.is_empty() {
                let f = from.index(src.len());
                let piece = &src[f..(f + len).min(src.len())];
                let i = at.index(n + 1);
                let end = (i + piece.len()).min(n);
                data.splice(i..end, piece.iter().copied());
            }
        }
        Truncate { at } => data.truncate(at.index(n + 1)),
        DuplicateLine { line, times } => {
            let spans = line_spans(data);
            if !spans.is_empty() {
                let (a, b) = spans[line.index(spans.len())];
                let mut piece = data[a..b].to_vec();
                if piece.last() != Some(&b'\n') {
                    piece.push(b'\n');
                }
                let copies = piece.repeat(*times);
                data.splice(b..b, copies);
            }
        }
        DeleteLine { line } => {
            let spans = line_spans(data);
            if !spans.is_empty() {
                let (a, b) = spans[line.index(spans.len())];
                data.drain(a..b);
            }
        }
        Field {
            line,
            col,
            value,
            quote,
        } => {
            let spans = line_spans(data);
            if spans.is_empty() {
                return;
            }
            let (a, mut b) = spans[line.index(spans.len())];
            while b > a && matches!(data[b - 1], b'\n' | b'\r') {
                b -= 1;
            }
            let mut fields: Vec<(usize, usize)> = Vec::new();
            let mut s = a;
            for i in memchr::memchr_iter(b',', &data[a..b]) {
                fields.push((s, a + i));
                s = a + i + 1;
            }
            fields.push((s, b));
            let (fa, fb) = fields[col.index(fields.len())];
            let mut v = Vec::with_capacity(value.len() + 2);
            if *quote {
                v.push(b'"');
                for &c in value {
                    if c == b'"' {
                        v.push(b'"');
                    }
                    v.push(c);
                }
                v.push(b'"');
            } else {
                v.extend_from_slice(value);
            }
            data.splice(fa..fb, v);
        }
        _ => {}
    }
}

/// A change to a table before it is written as Parquet.
#[derive(Clone, Debug)]
enum TableMutation {
    Cell {
        col: Index,
        row: Index,
        value: Vec<u8>,
    },
    Null {
        col: Index,
        row: Index,
    },
    /// Column `col` written as `DTYPES[ty]`.
    Type {
        col: Index,
        ty: Index,
    },
    Drop {
        col: Index,
    },
    Rename {
        col: Index,
        to: Index,
    },
    Add {
        name: String,
    },
    DuplicateRows {
        row: Index,
        times: usize,
    },
    RemoveRows {
        row: Index,
        len: usize,
    },
}

/// The Parquet types a column may be written as (`None`: as the schema says).
const DTYPES: [&str; 10] = [
    "schema", "str", "i64", "i32", "u32", "f64", "f32", "bool", "date", "binary",
];

fn table_mutation() -> impl Strategy<Value = TableMutation> {
    use TableMutation::*;
    prop_oneof![
        4 => (any::<Index>(), any::<Index>(), field_value())
            .prop_map(|(col, row, value)| Cell { col, row, value }),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(col, row)| Null { col, row }),
        3 => (any::<Index>(), any::<Index>()).prop_map(|(col, ty)| Type { col, ty }),
        1 => any::<Index>().prop_map(|col| Drop { col }),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(col, to)| Rename { col, to }),
        1 => "[a-z_]{1,12}".prop_map(|name| Add { name }),
        1 => (any::<Index>(), 1usize..100).prop_map(|(row, times)| DuplicateRows { row, times }),
        1 => (any::<Index>(), 1usize..4).prop_map(|(row, len)| RemoveRows { row, len }),
    ]
}

/// How a mutated table is written: row group size, statistics, compression.
#[derive(Clone, Debug)]
struct WriteOptions {
    row_group: Option<usize>,
    statistics: bool,
    compression: u8,
}

/// One case: the seed it starts from and what is done to it.
#[derive(Clone, Debug)]
struct Case {
    seed: Index,
    table_mutations: Vec<TableMutation>,
    write: WriteOptions,
    byte_mutations: Vec<ByteMutation>,
    coded: bool,
}

fn case_strategy(parquet: bool) -> impl Strategy<Value = Case> {
    let tables = if parquet {
        proptest::collection::vec(table_mutation(), 0..6).boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    let bytes = if parquet {
        prop_oneof![
            2 => Just(Vec::new()),
            1 => proptest::collection::vec(byte_mutation(), 1..4),
        ]
        .boxed()
    } else {
        proptest::collection::vec(byte_mutation(), 1..7).boxed()
    };
    let write = (proptest::option::of(1usize..5), any::<bool>(), 0u8..3).prop_map(
        |(row_group, statistics, compression)| WriteOptions {
            row_group,
            statistics,
            compression,
        },
    );
    (any::<Index>(), tables, write, bytes, any::<bool>()).prop_map(
        |(seed, table_mutations, write, byte_mutations, coded)| Case {
            seed,
            table_mutations,
            write,
            byte_mutations,
            coded,
        },
    )
}

fn apply_table(t: &mut TextTable, m: &TableMutation, types: &mut BTreeMap<String, &'static str>) {
    use TableMutation::*;
    let ncols = t.columns.len();
    let nrows = t.columns.first().map_or(0, |c| c.1.len());
    match m {
        Cell { col, row, value } if ncols > 0 && nrows > 0 => {
            let c = &mut t.columns[col.index(ncols)].1;
            c[row.index(nrows)] = Some(String::from_utf8_lossy(value).into_owned());
        }
        Null { col, row } if ncols > 0 && nrows > 0 => {
            t.columns[col.index(ncols)].1[row.index(nrows)] = None;
        }
        Type { col, ty } if ncols > 0 => {
            let name = t.columns[col.index(ncols)].0.clone();
            types.insert(name, DTYPES[ty.index(DTYPES.len())]);
        }
        Drop { col } if ncols > 0 => {
            t.columns.remove(col.index(ncols));
        }
        Rename { col, to } if ncols > 0 => {
            let to = t.columns[to.index(ncols)].0.clone();
            t.columns[col.index(ncols)].0 = to;
        }
        Add { name } => t
            .columns
            .push((name.clone(), vec![Some("x".into()); nrows])),
        DuplicateRows { row, times } if nrows > 0 => {
            let r = row.index(nrows);
            for (_, c) in &mut t.columns {
                let v = c[r].clone();
                c.extend(std::iter::repeat_n(v, *times));
            }
        }
        RemoveRows { row, len } if nrows > 0 => {
            let r = row.index(nrows);
            for (_, c) in &mut t.columns {
                c.drain(r..(r + len).min(nrows));
            }
        }
        _ => {}
    }
}

/// A text column as a Parquet column of type `ty` (cells that do not parse are null).
fn typed_column(name: &str, cells: &[Option<String>], ty: &str) -> PolarsResult<Column> {
    fn parsed<T: std::str::FromStr>(cells: &[Option<String>]) -> Vec<Option<T>> {
        cells
            .iter()
            .map(|c| c.as_deref().and_then(|s| s.trim().parse().ok()))
            .collect()
    }
    let name = PlSmallStr::from(name);
    let s = match ty {
        "i64" => Series::new(name, parsed::<i64>(cells)),
        "i32" => Series::new(name, parsed::<i32>(cells)),
        "u32" => Series::new(name, parsed::<u32>(cells)),
        "f64" => Series::new(name, parsed::<f64>(cells)),
        "f32" => Series::new(name, parsed::<f32>(cells)),
        "bool" => Series::new(
            name,
            cells
                .iter()
                .map(|c| match c.as_deref() {
                    Some("true" | "1") => Some(true),
                    Some("false" | "0") => Some(false),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        ),
        "date" => {
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
            let days: Vec<Option<i32>> = cells
                .iter()
                .map(|c| {
                    let d = chrono::NaiveDate::parse_from_str(c.as_deref()?, "%Y-%m-%d").ok()?;
                    i32::try_from((d - epoch).num_days()).ok()
                })
                .collect();
            Series::new(name, days).cast(&DataType::Date)?
        }
        "binary" => Series::new(name, cells.to_vec()).cast(&DataType::Binary)?,
        _ => Series::new(name, cells.to_vec()),
    };
    Ok(s.into_column())
}

/// The Parquet type of a column as the schema says (`str` when it is not a schema column).
fn schema_type(table: &str, column: &str) -> &'static str {
    let ty = schema::get(table)
        .and_then(|s| s.column(column))
        .map(|c| c.ty);
    match ty {
        Some(ColType::Int) => "i64",
        Some(ColType::Float) => "f64",
        Some(ColType::Bool) => "bool",
        Some(ColType::Date) => "date",
        _ => "str",
    }
}

fn write_parquet(
    t: &TextTable,
    types: &BTreeMap<String, &'static str>,
    typed: bool,
    o: &WriteOptions,
) -> PolarsResult<Vec<u8>> {
    let nrows = t.columns.first().map_or(0, |c| c.1.len());
    let columns = t
        .columns
        .iter()
        .map(|(name, cells)| {
            let ty = match types.get(name).copied() {
                Some("schema") | None if typed => schema_type(&t.table, name),
                Some("schema") | None => "str",
                Some(ty) => ty,
            };
            typed_column(name, cells, ty)
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    let mut df = DataFrame::new(nrows, columns)?;
    let mut buf = Vec::new();
    let compression = match o.compression {
        0 => ParquetCompression::Uncompressed,
        1 => ParquetCompression::Zstd(None),
        _ => ParquetCompression::Snappy,
    };
    let statistics = if o.statistics {
        StatisticsOptions {
            distinct_count: true,
            ..Default::default()
        }
    } else {
        StatisticsOptions {
            min_value: false,
            max_value: false,
            distinct_count: false,
            null_count: false,
            binary_statistics_truncate_length: None,
        }
    };
    ParquetWriter::new(&mut buf)
        .with_compression(compression)
        .with_statistics(statistics)
        .with_row_group_size(o.row_group)
        .finish(&mut df)?;
    Ok(buf)
}

/// A CSV file as a table of text cells (the header names the columns).
fn text_table(table: &str, bytes: &[u8]) -> TextTable {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(
        bytes
            .strip_prefix(b"\xEF\xBB\xBF".as_slice())
            .unwrap_or(bytes),
    );
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|rec| {
            rec.expect("a seed CSV")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect();
    let columns = rows[0]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let cells = rows[1..]
                .iter()
                .map(|r| Some(r[i].clone()).filter(|s| !s.is_empty()))
                .collect();
            (name.clone(), cells)
        })
        .collect();
    TextTable {
        table: table.to_string(),
        columns,
    }
}

/// The seed files of `ext` for the roster tables: `fixtures/tiny`, `fixtures/bad/*/`,
/// `fixtures/fuzz/`.
fn seed_files(ext: &str) -> Vec<SeedFile> {
    let mut dirs = vec![fixtures().join("tiny"), fixtures().join("fuzz")];
    let mut bad: Vec<PathBuf> = std::fs::read_dir(fixtures().join("bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    bad.sort();
    dirs.extend(bad);
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            if p.extension().is_some_and(|e| e == ext) && TABLES.contains(&stem.as_str()) {
                out.push(SeedFile {
                    table: stem,
                    origin: p.display().to_string(),
                    bytes: std::fs::read(&p).unwrap(),
                });
            }
        }
    }
    out
}

/// The seed of the first case: `ITUR_FUZZ_SEED` (a number, or `random`), else 1.
fn first_seed() -> u64 {
    match std::env::var("ITUR_FUZZ_SEED").ok().as_deref() {
        None | Some("") => 1,
        Some("random") => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(7, |d| d.as_nanos() as u64),
        Some(s) => s.parse().expect("ITUR_FUZZ_SEED is a number or `random`"),
    }
}

fn budget() -> Duration {
    let secs = std::env::var("ITUR_FUZZ_SECS")
        .ok()
        .map(|s| {
            s.parse::<f64>()
                .expect("ITUR_FUZZ_SECS is a number of seconds")
        })
        .unwrap_or(10.0);
    Duration::from_secs_f64(secs)
}

/// The roster needs, the students table whole (as `validate` reads it) or a column at a
/// time and narrowed to the columns the job keeps (as `run` does).
fn needs(coded: bool) -> Vec<TableNeed> {
    if coded {
        return itur::jobs::gifted::phases::ROSTER.to_vec();
    }
    TABLES.iter().map(|&t| TableNeed::new(t, true)).collect()
}

/// The rows of a file, counted independently of itur's readers: CSV records after the header
/// (the `csv` crate), or the row count of a Parquet footer (polars).
fn rows_in_file(bytes: &[u8], parquet: bool) -> Option<usize> {
    if parquet {
        return catch_unwind(AssertUnwindSafe(|| {
            ParquetReader::new(std::io::Cursor::new(bytes))
                .num_rows()
                .ok()
        }))
        .ok()
        .flatten();
    }
    let data = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(bytes);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut n = 0usize;
    for rec in r.byte_records() {
        rec.ok()?;
        n += 1;
    }
    n.checked_sub(1)
}

/// The properties of a loaded input set (see the module doc).
fn check_loaded(set: &InputSet, table: &str, expected_rows: Option<usize>) -> Result<(), String> {
    for t in set.tables.values() {
        let name = &t.schema.name;
        if t.rows_rejected > t.rows_read {
            return Err(format!(
                "{name}: {} rows rejected of {} read",
                t.rows_rejected, t.rows_read
            ));
        }
        let mut rows: Vec<u64> = set
            .rejects
            .iter()
            .filter(|r| &r.table == name)
            .map(|r| r.row_number)
            .collect();
        rows.sort_unstable();
        rows.dedup();
        if rows.len() != t.rows_rejected {
            return Err(format!(
                "{name}: {} rows rejected, but rejects name {} rows",
                t.rows_rejected,
                rows.len()
            ));
        }
        if let Some(&r) = rows.iter().find(|&&r| r == 0 || r as usize > t.rows_read) {
            return Err(format!(
                "{name}: a reject names row {r} of {} rows read",
                t.rows_read
            ));
        }
        if t.df.width() > 0 && t.df.height() != t.rows_accepted() {
            return Err(format!(
                "{name}: {} rows accepted = {} read - {} rejected, but the table holds {}",
                t.rows_accepted(),
                t.rows_read,
                t.rows_rejected,
                t.df.height()
            ));
        }
        if name == table {
            if let Some(n) = expected_rows.filter(|&n| n != t.rows_read) {
                return Err(format!(
                    "{name}: {} rows read, but the file holds {n}",
                    t.rows_read
                ));
            }
        }
    }
    Ok(())
}

/// A failure of one case, with how to replay it.
fn report(
    target: &str,
    case_seed: u64,
    input: &[u8],
    ext: &str,
    case: &Case,
    problem: &str,
) -> String {
    let dir = std::env::temp_dir().join("itur-fuzz");
    std::fs::create_dir_all(&dir).ok();
    let saved = dir.join(format!("{target}-{case_seed}.{ext}"));
    std::fs::write(&saved, input).ok();
    let mut what = format!("{case:?}");
    if what.len() > 3000 {
        what.truncate(3000);
        what.push('…');
    }
    format!(
        "fuzz {target}: case seed {case_seed} failed: {problem}\n  input saved at {}\n  replay: ITUR_FUZZ_SEED={case_seed} cargo test --release --test it fuzz_{target}\n  case: {what}",
        saved.display()
    )
}

/// Runs cases until the budget is spent; returns the failures (at most a few).
fn fuzz(target: &str, parquet: bool) -> Vec<String> {
    let ext = if parquet { "parquet" } else { "csv" };
    let mut files = seed_files(ext);
    let tables: Vec<TextTable> = seed_files("csv")
        .iter()
        .filter(|s| s.origin.contains("/tiny/") || s.origin.contains("/fuzz/"))
        .map(|s| text_table(&s.table, &s.bytes))
        .collect();
    if parquet {
        for t in &tables {
            for typed in [false, true] {
                let o = WriteOptions {
                    row_group: None,
                    statistics: true,
                    compression: 0,
                };
                let bytes = write_parquet(t, &BTreeMap::new(), typed, &o).expect("a seed Parquet");
                files.push(SeedFile {
                    table: t.table.clone(),
                    origin: format!("{} written as Parquet (typed: {typed})", t.table),
                    bytes,
                });
            }
        }
    }
    assert!(files.len() >= 5, "a seed corpus of {ext} files");
    // One input directory per table: fixtures/tiny without that table's file. They live at a
    // known place, with the case being run in `case.txt`: an abort (which no test can catch)
    // leaves its input there.
    let work = std::env::temp_dir()
        .join("itur-fuzz")
        .join(format!("{target}-{}", std::process::id()));
    std::fs::remove_dir_all(&work).ok();
    eprintln!(
        "fuzz {target}: working in {} (if the process aborts, case.txt there names the case)",
        work.display()
    );
    let dirs: BTreeMap<&str, PathBuf> = TABLES
        .iter()
        .map(|t| {
            let d = work.join(t);
            crate::support::copy_dir(&fixtures().join("tiny"), &d);
            std::fs::remove_file(d.join(format!("{t}.csv"))).unwrap();
            (*t, d)
        })
        .collect();
    let strategy = case_strategy(parquet);
    let (budget, first) = (budget(), first_seed());
    let t0 = Instant::now();
    let (mut n, mut loaded, mut failures) = (0u64, 0u64, Vec::new());
    let mut errors: BTreeMap<&'static str, u64> = BTreeMap::new();
    while t0.elapsed() < budget && failures.len() < 3 {
        let case_seed = first.wrapping_add(n);
        n += 1;
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&case_seed.to_le_bytes());
        key[8..8 + target.len()].copy_from_slice(target.as_bytes());
        let mut runner = TestRunner::new_with_rng(
            Config::default(),
            TestRng::from_seed(RngAlgorithm::ChaCha, &key),
        );
        let case = strategy.new_tree(&mut runner).expect("a case").current();
        let seed = &files[case.seed.index(files.len())];
        // Parquet seeds of the tiny tables are mutated as tables, then written.
        let mut bytes = match tables
            .iter()
            .find(|t| parquet && seed.origin.starts_with(&format!("{} written", t.table)))
        {
            Some(t) if !case.table_mutations.is_empty() => {
                let mut t = t.clone();
                let mut types = BTreeMap::new();
                for m in &case.table_mutations {
                    apply_table(&mut t, m, &mut types);
                }
                let typed = seed.origin.ends_with("(typed: true)");
                match write_parquet(&t, &types, typed, &case.write) {
                    Ok(b) => b,
                    Err(_) => continue,
                }
            }
            _ => seed.bytes.clone(),
        };
        for m in &case.byte_mutations {
            apply_bytes(&mut bytes, m, &files);
        }
        let dir = &dirs[seed.table.as_str()];
        let path = dir.join(format!("{}.{ext}", seed.table));
        std::fs::write(&path, &bytes).unwrap();
        std::fs::write(
            work.join("case.txt"),
            format!("case seed {case_seed}: {}\n", path.display()),
        )
        .unwrap();
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            load_inputs(dir, &needs(case.coded), &BTreeMap::new())
        }));
        let took = started.elapsed();
        let problem = match outcome {
            Err(payload) => Some(format!(
                "panicked: {}",
                payload
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| payload.downcast_ref::<&str>().copied())
                    .unwrap_or("?")
            )),
            Ok(Err(e)) => {
                *errors.entry(e.kind()).or_default() += 1;
                let msg = e.to_string();
                if !matches!(e.kind(), "input_file" | "usage") {
                    Some(format!("a {} error for an input file: {msg}", e.kind()))
                } else if msg.contains('\n') {
                    Some(format!("a message of several lines: {msg}"))
                } else {
                    None
                }
            }
            Ok(Ok(set)) => {
                loaded += 1;
                check_loaded(&set, &seed.table, rows_in_file(&bytes, parquet)).err()
            }
        };
        let problem = problem.or_else(|| (took > SLOW).then(|| format!("took {took:?}")));
        if let Some(p) = problem {
            failures.push(report(
                target,
                case_seed,
                &bytes,
                ext,
                &case,
                &format!("{p} (seed file {})", seed.origin),
            ));
        }
    }
    if failures.is_empty() {
        std::fs::remove_dir_all(&work).ok();
    }
    eprintln!(
        "fuzz {target}: {n} cases from seed {first} in {:.1} s ({} seed files): {loaded} loaded, errors {errors:?}, {} failed",
        t0.elapsed().as_secs_f64(),
        files.len(),
        failures.len()
    );
    failures
}

#[test]
fn fuzz_csv() {
    let failures = fuzz("csv", false);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn fuzz_parquet() {
    let failures = fuzz("parquet", true);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
