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
use foldhash::{HashMap as FastMap, HashMapExt};
use polars::prelude::{ArrowDataType, PlSmallStr, UInt32Chunked};
use polars_arrow::array::PrimitiveArray;
use polars_arrow::bitmap::Bitmap;
use polars_buffer::Buffer;
use polars_parquet::parquet::encoding::hybrid_rle::{HybridRleChunk, HybridRleDecoder};
use polars_parquet::parquet::encoding::Encoding;
use polars_parquet::parquet::error::ParquetResult;
use polars_parquet::parquet::metadata::ColumnChunkMetadata;
use polars_parquet::parquet::page::split_buffer;
use polars_parquet::parquet::read::{get_page_iterator, read_metadata, BasicDecompressor};
use rayon::prelude::*;
use std::io::Cursor;
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
pub fn read_coded(data: &Buffer<u8>, name: &str) -> Option<(UInt32Chunked, Arc<[PlSmallStr]>)> {
    let groups: Vec<Group> = for_each_text_chunk(data, name, |c, rows| {
        decode_group(data, c, rows).ok().flatten()
    })?;
    Some(merge(name, groups))
}

/// `decode` of each row group's chunk of column `name` of the Parquet file `data` (with the
/// group's row count), over the threads; `None` when the file cannot be read, the column is
/// not a top-level text column, `decode` gives `None` for a chunk, or the chunks do not hold
/// the file's rows.
pub(super) fn for_each_text_chunk<T: Send + HasRows>(
    data: &Buffer<u8>,
    name: &str,
    decode: impl Fn(&ColumnChunkMetadata, usize) -> Option<T> + Sync,
) -> Option<Vec<T>> {
    let meta = read_metadata(&mut Cursor::new(&data[..])).ok()?;
    let schema = polars_parquet::arrow::read::infer_schema(&meta).ok()?;
    let field = schema.get(name)?;
    if !matches!(
        field.dtype,
        ArrowDataType::Utf8View | ArrowDataType::LargeUtf8 | ArrowDataType::Utf8
    ) {
        return None;
    }
    let chunks: Vec<(&ColumnChunkMetadata, usize)> = meta
        .row_groups
        .iter()
        .map(|rg| {
            let mut cols = rg.columns_under_root_iter(name)?;
            match (cols.next(), cols.next()) {
                (Some(c), None) => Some((c, rg.num_rows())),
                _ => None,
            }
        })
        .collect::<Option<_>>()?;
    let groups: Vec<T> = chunks
        .par_iter()
        .map(|&(c, rows)| decode(c, rows))
        .collect::<Option<_>>()?;
    (groups.iter().map(HasRows::rows).sum::<usize>() == meta.num_rows).then_some(groups)
}

/// A row group's decoded values: how many rows they are.
pub(super) trait HasRows {
    fn rows(&self) -> usize;
}

impl HasRows for Group {
    fn rows(&self) -> usize {
        self.indices.len()
    }
}

/// The pages of a column chunk of a top-level, non-repeated column, and whether its values
/// may be missing; `Ok(None)` for any other column.
pub(super) fn pages_of(
    data: &Buffer<u8>,
    chunk: &ColumnChunkMetadata,
) -> ParquetResult<Option<(BasicDecompressor, bool)>> {
    let descriptor = &chunk.descriptor().descriptor;
    if descriptor.max_rep_level != 0 || descriptor.max_def_level > 1 {
        return Ok(None);
    }
    let pages = get_page_iterator(chunk, Cursor::new(data.clone()), Vec::new(), usize::MAX)?;
    let nullable = descriptor.max_def_level == 1;
    Ok(Some((BasicDecompressor::new(pages, Vec::new()), nullable)))
}

/// Decodes one column chunk; `Ok(None)` when it is not entirely dictionary-encoded text.
fn decode_group(
    data: &Buffer<u8>,
    chunk: &ColumnChunkMetadata,
    rows: usize,
) -> ParquetResult<Option<Group>> {
    let Some((mut pages, nullable)) = pages_of(data, chunk)? else {
        return Ok(None);
    };
    let Some(dict) = pages.read_dict_page()? else {
        return Ok(None);
    };
    let Some(dictionary) = plain_strings(&dict.buffer, dict.num_values) else {
        return Ok(None);
    };
    let mut indices: Vec<u32> = Vec::with_capacity(rows);
    while let Some(item) = pages.next() {
        let page = item?.decompress(&mut pages)?;
        if !matches!(
            page.encoding(),
            Encoding::RleDictionary | Encoding::PlainDictionary
        ) {
            return Ok(None);
        }
        let n = page.num_values();
        let split = split_buffer(&page)?;
        let Some((&bits, packed)) = split.values.split_first() else {
            return Ok(None);
        };
        if bits > 32 {
            return Ok(None);
        }
        if nullable && page.definition_level_encoding() != Encoding::Rle {
            return Ok(None);
        }
        if nullable && !all_present(split.def, n)? {
            let levels = HybridRleDecoder::new(split.def, 1, n).collect()?;
            if levels.len() != n {
                return Ok(None);
            }
            let present = levels.iter().filter(|&&l| l == 1).count();
            let values = HybridRleDecoder::new(packed, bits as u32, present).collect()?;
            if values.len() != present {
                return Ok(None);
            }
            let mut values = values.into_iter();
            indices.extend(levels.iter().map(|&l| match l {
                1 => values.next().unwrap_or(MISSING),
                _ => MISSING,
            }));
        } else if !decode_into(packed, bits as u32, n, &mut indices)? {
            return Ok(None);
        }
        pages.reuse_page_buffer(page);
    }
    let size = dictionary.len() as u32;
    if indices.len() != rows || indices.iter().any(|&i| i != MISSING && i >= size) {
        return Ok(None);
    }
    Ok(Some(Group {
        dictionary,
        indices,
    }))
}

/// Whether a page's `n` definition levels (max level 1, hybrid RLE) are all 1 in runs: every
/// value present, as in a column without missing values (the levels are then not listed).
/// `false` when not, or not stored as runs.
pub(super) fn all_present(levels: &[u8], n: usize) -> ParquetResult<bool> {
    let mut seen = 0;
    for chunk in HybridRleDecoder::new(levels, 1, n).into_chunk_iter() {
        match chunk? {
            HybridRleChunk::Rle(1, size) => seen += size,
            _ => return Ok(false),
        }
    }
    Ok(seen == n)
}

/// Appends the `n` indices of a page's hybrid RLE / bit-packed runs to `out` (no vector of
/// its own per page); `false` when the page does not hold exactly `n`.
fn decode_into(data: &[u8], bits: u32, n: usize, out: &mut Vec<u32>) -> ParquetResult<bool> {
    let before = out.len();
    for chunk in HybridRleDecoder::new(data, bits, n).into_chunk_iter() {
        match chunk? {
            HybridRleChunk::Rle(value, size) => out.resize(out.len() + size, value),
            HybridRleChunk::Bitpacked(decoder) => decoder.collect_into(out),
        }
    }
    Ok(out.len() - before == n)
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
    let chunks: Vec<PrimitiveArray<u32>> = groups
        .into_par_iter()
        .zip(maps)
        .map(|(g, map)| {
            let mut codes = g.indices;
            let validity = codes
                .contains(&MISSING)
                .then(|| codes.iter().map(|&i| i != MISSING).collect::<Bitmap>());
            for c in codes.iter_mut() {
                *c = if *c == MISSING { 0 } else { map[*c as usize] };
            }
            PrimitiveArray::from_vec(codes).with_validity(validity)
        })
        .collect();
    let codes = UInt32Chunked::from_chunk_iter(name.into(), chunks);
    (codes, values.into())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::table::encode::encode_text;
    use polars::prelude::*;

    /// The frame as Parquet, in row groups of `row_group` rows. polars stores a text column
    /// with a dictionary only when its values repeat enough (distinct IDs are stored PLAIN).
    pub(in crate::table) fn parquet(df: &mut DataFrame, row_group: usize) -> Buffer<u8> {
        let mut buf = Vec::new();
        ParquetWriter::new(&mut buf)
            .with_compression(ParquetCompression::Zstd(None))
            .with_row_group_size(Some(row_group))
            .finish(df)
            .expect("written");
        buf.into()
    }

    /// What `encode_text` gives for the column as polars reads it.
    fn via_polars(data: &Buffer<u8>, name: &str) -> (UInt32Chunked, Arc<[PlSmallStr]>) {
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
    fn levels_are_all_present_only_as_runs_of_ones_covering_the_page() {
        // Hybrid RLE: a run's header is its length << 1, then its value in one byte.
        assert!(all_present(&[10, 1], 5).unwrap());
        assert!(all_present(&[4, 1, 6, 1], 5).unwrap(), "two runs");
        assert!(!all_present(&[10, 0], 5).unwrap(), "all missing");
        assert!(!all_present(&[4, 1, 6, 0], 5).unwrap(), "some missing");
        assert!(!all_present(&[8, 1], 5).unwrap(), "too few");
        // A bit-packed group of 8 (header 1 << 1 | 1), all ones: not a run, so listed.
        assert!(!all_present(&[3, 0xFF], 8).unwrap());
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
        assert!(read_coded(&Buffer::from(b"PAR1".to_vec()), "s").is_none());
    }
}
