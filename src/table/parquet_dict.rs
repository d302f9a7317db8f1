//! A dictionary-encoded Parquet text column read straight into codes.
//!
//! Parquet writers store text with few distinct values (names, institution and class codes)
//! as a dictionary per row group and, per row, an index into it. polars turns every index
//! back into a 16-byte string view, which `encode_text` then codes again; here the indices
//! become the codes directly: the same codes and distinct values (in order of first
//! appearance) as `encode_text` gives for the column polars reads.
//!
//! Only the plain case is taken: a top-level, non-repeated column that polars reads as text,
//! every data page dictionary-encoded, every dictionary value valid UTF-8. Anything else
//! (plain pages after a dictionary overflowed, binary columns, a corrupt page) is `None`, and
//! the caller reads the column with polars, which also reports what is wrong with it.
//!
//! The pages come from the public `parquet` crate (`parquet_pages`), which decompresses them;
//! a file compressed with a codec itur does not build in (any but zstd) is left to polars too.
//! Measured on the national roster (BENCHMARKS.md), this path saves more than 10 % of a
//! screening + identification run's time or peak memory, the bar for keeping it.
use super::parquet_pages::{
    all_present, decode_into, for_each_text_chunk, pages_of, split, HasRows,
};
use foldhash::{HashMap as FastMap, HashMapExt};
use parquet::basic::Encoding;
use parquet::column::page::{Page, PageReader};
use polars::prelude::*;
use rayon::prelude::*;
use std::sync::Arc;

/// A missing value among a row group's dictionary indices.
const MISSING: u32 = u32::MAX;

/// One row group of the column: its dictionary and each row's index into it.
struct Group {
    dictionary: Vec<PlSmallStr>,
    indices: Vec<u32>,
}

/// Column `name` of the Parquet file `data` as codes (UInt32, missing values missing) and its
/// distinct values in order of first appearance; `None` when the column is not a plain
/// dictionary-encoded text column (read it with polars then).
pub fn read_coded(data: &[u8], name: &str) -> Option<(UInt32Chunked, Arc<[PlSmallStr]>)> {
    let groups: Vec<Group> =
        for_each_text_chunk(data, name, |c, rows| decode_group(data, c, rows))?;
    Some(merge(name, groups))
}

impl HasRows for Group {
    fn rows(&self) -> usize {
        self.indices.len()
    }
}

/// Decodes one column chunk; `None` when it is not entirely dictionary-encoded text.
fn decode_group(
    data: &[u8],
    chunk: &parquet::file::metadata::ColumnChunkMetaData,
    rows: usize,
) -> Option<Group> {
    let (mut pages, nullable) = pages_of(data, chunk, rows)?;
    let Some(Page::DictionaryPage {
        buf, num_values, ..
    }) = pages.get_next_page().ok()?
    else {
        return None;
    };
    let dictionary = plain_strings(&buf, num_values as usize)?;
    let mut indices: Vec<u32> = Vec::with_capacity(rows);
    while let Some(page) = pages.get_next_page().ok()? {
        let page = split(&page, nullable)?;
        if !matches!(
            page.encoding,
            Encoding::RLE_DICTIONARY | Encoding::PLAIN_DICTIONARY
        ) {
            return None;
        }
        let n = page.num_values;
        let (&bits, packed) = page.values.split_first()?;
        let bits = u32::from(bits);
        if nullable && !all_present(page.def, n) {
            let mut levels = Vec::with_capacity(n);
            if !decode_into(page.def, 1, n, &mut levels) {
                return None;
            }
            let present = levels.iter().filter(|&&l| l == 1).count();
            let mut values = Vec::with_capacity(present);
            if !decode_into(packed, bits, present, &mut values) {
                return None;
            }
            let mut values = values.into_iter();
            indices.extend(levels.iter().map(|&l| match l {
                1 => values.next().unwrap_or(MISSING),
                _ => MISSING,
            }));
        } else if !decode_into(packed, bits, n, &mut indices) {
            return None;
        }
    }
    let size = dictionary.len() as u32;
    if indices.len() != rows || indices.iter().any(|&i| i != MISSING && i >= size) {
        return None;
    }
    Some(Group {
        dictionary,
        indices,
    })
}

/// The values of a PLAIN-encoded BYTE_ARRAY page (a 4-byte little-endian length before each
/// value); `None` when it does not hold `n` UTF-8 values exactly.
fn plain_strings(mut buf: &[u8], n: usize) -> Option<Vec<PlSmallStr>> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let (len, rest) = buf.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        let (value, rest) = rest.split_at_checked(len)?;
        out.push(PlSmallStr::from_str(std::str::from_utf8(value).ok()?));
        buf = rest;
    }
    buf.is_empty().then_some(out)
}

/// The row groups' indices as codes of the whole column, values numbered in order of first
/// appearance (as `encode_text` numbers them).
fn merge(name: &str, groups: Vec<Group>) -> (UInt32Chunked, Arc<[PlSmallStr]>) {
    // Each group's dictionary entries in order of first use, found in parallel ...
    let firsts: Vec<Vec<u32>> = groups
        .par_iter()
        .map(|g| {
            let mut seen = vec![false; g.dictionary.len()];
            let mut order = Vec::new();
            for &i in &g.indices {
                if i != MISSING && !seen[i as usize] {
                    seen[i as usize] = true;
                    order.push(i);
                }
            }
            order
        })
        .collect();
    // ... then numbered across the groups in row order ...
    let mut values: Vec<PlSmallStr> = Vec::new();
    let mut code_of: FastMap<&str, u32> = FastMap::new();
    let maps: Vec<Vec<u32>> = groups
        .iter()
        .zip(&firsts)
        .map(|(g, order)| {
            let mut map = vec![MISSING; g.dictionary.len()];
            for &i in order {
                let v = &g.dictionary[i as usize];
                map[i as usize] = *code_of.entry(v.as_str()).or_insert_with(|| {
                    values.push(v.clone());
                    (values.len() - 1) as u32
                });
            }
            map
        })
        .collect();
    drop(code_of);
    // ... and every row's index turned into its code in place (missing values to 0, masked):
    // the column keeps a chunk per row group.
    let chunks: Vec<UInt32Chunked> = groups
        .into_par_iter()
        .zip(maps)
        .map(|(g, map)| {
            let mut codes = g.indices;
            let missing = codes.contains(&MISSING).then(|| {
                codes
                    .iter()
                    .map(|&i| i == MISSING)
                    .collect::<BooleanChunked>()
            });
            for c in codes.iter_mut() {
                *c = if *c == MISSING { 0 } else { map[*c as usize] };
            }
            let codes = UInt32Chunked::from_vec(name.into(), codes);
            match missing {
                Some(missing) => codes
                    .set(&missing, None)
                    .expect("a mask of the group's length"),
                None => codes,
            }
        })
        .collect();
    let mut chunks = chunks.into_iter();
    let mut codes = chunks
        .next()
        .unwrap_or_else(|| UInt32Chunked::from_vec(name.into(), Vec::new()));
    for more in chunks {
        // Appending keeps each row group's array as a chunk of the column (no copy).
        codes.append_owned(more).expect("u32 codes of one column");
    }
    (codes, values.into())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::table::encode::encode_text;

    /// The frame as Parquet, in row groups of `row_group` rows. polars stores a text column
    /// with a dictionary only when its values repeat enough (distinct IDs are stored PLAIN).
    pub(in crate::table) fn parquet(df: &mut DataFrame, row_group: usize) -> Vec<u8> {
        let mut buf = Vec::new();
        ParquetWriter::new(&mut buf)
            .with_compression(ParquetCompression::Zstd(None))
            .with_row_group_size(Some(row_group))
            .finish(df)
            .expect("written");
        buf
    }

    /// What `encode_text` gives for the column as polars reads it.
    fn via_polars(data: &[u8], name: &str) -> (UInt32Chunked, Arc<[PlSmallStr]>) {
        let df = ParquetReader::new(std::io::Cursor::new(data[..].to_vec()))
            .finish()
            .expect("read");
        encode_text(df.column(name).unwrap().str().unwrap())
    }

    fn codes(c: &UInt32Chunked) -> Vec<Option<u32>> {
        c.iter().collect()
    }

    #[test]
    fn codes_equal_those_of_the_text_polars_reads() {
        // Values repeat across row groups in another order, some are missing, one row group
        // holds only missing values, and a value is longer than a string view's inline 12 bytes.
        let names: Vec<Option<&str>> = (0..5000)
            .map(|i| match i % 7 {
                0 => None,
                _ if (2400..3000).contains(&i) => None,
                k => Some(["דנה", "Yael", "Ahmad", "a long given name here", "", "Noa"][k - 1]),
            })
            .collect();
        let mut rev = names.clone();
        rev.reverse();
        let dense: Vec<String> = (0..5000)
            .map(|i| format!("{:06}", (i * 37) % 120))
            .collect();
        let unique: Vec<String> = (0..5000).map(|i| format!("{:09}", i * 7919)).collect();
        let mut df = df!(
            "name" => names,
            "rev" => rev,
            "dense" => dense,
            "unique" => unique,
            "n" => (0..5000i64).collect::<Vec<_>>(),
        )
        .unwrap();
        let data = parquet(&mut df, 600);
        for col in ["name", "rev", "dense"] {
            let (c, v) =
                read_coded(&data, col).unwrap_or_else(|| panic!("{col}: dictionary-encoded"));
            let (pc, pv) = via_polars(&data, col);
            assert_eq!(codes(&c), codes(&pc), "{col}");
            assert_eq!(v, pv, "{col}");
        }
        // A writer may store a column of distinct values without a dictionary: then it is
        // left to polars; if it has one, the codes are the same.
        match read_coded(&data, "unique") {
            None => {}
            Some((c, v)) => {
                let (pc, pv) = via_polars(&data, "unique");
                assert_eq!((codes(&c), v), (codes(&pc), pv));
            }
        }
        let (c, v) = read_coded(&data, "name").unwrap();
        assert_eq!(
            c.null_count(),
            codes(&c).iter().filter(|x| x.is_none()).count()
        );
        assert!(c.null_count() > 600);
        assert_eq!(v[0].as_str(), "דנה");
    }

    #[test]
    fn other_columns_and_broken_files_are_left_to_polars() {
        let mut df = df!(
            "n" => (0..100i64).collect::<Vec<_>>(),
            "s" => (0..100).map(|i| format!("v{}", i % 3)).collect::<Vec<_>>(),
        )
        .unwrap();
        let data = parquet(&mut df, 1000);
        assert!(read_coded(&data, "n").is_none(), "not text");
        assert!(read_coded(&data, "missing").is_none(), "no such column");
        assert!(read_coded(&data, "s").is_some());
        // Not a Parquet file: no codes, no panic (polars then reports the file).
        assert!(read_coded(b"PAR1", "s").is_none());
    }
}
