//! Page-level access to a Parquet file in memory, through the public `parquet` crate (arrow-rs):
//! its footer, the pages of a column chunk (decompressed by the crate), a page's definition
//! levels and values, and the hybrid RLE / bit-packed runs that hold levels and dictionary
//! indices (the crate keeps its own decoder of them private).
//!
//! Used by the page-header check (`parquet_read`) and by the two fast paths that read a column
//! straight from its pages (`parquet_dict`, `parquet_keys`).
use parquet::basic::{ConvertedType, Encoding, LogicalType, Type as PhysicalType};
use parquet::column::page::Page;
use parquet::errors::ParquetError;
use parquet::file::metadata::{ColumnChunkMetaData, ParquetMetaData, ParquetMetaDataReader};
use parquet::file::reader::{ChunkReader, Length};
use parquet::file::serialized_reader::SerializedPageReader;
use rayon::prelude::*;
use std::sync::Arc;

/// A Parquet file's bytes, borrowed, as the `parquet` crate reads them (its own readers take a
/// file or an owned buffer; this one copies only the pages it is asked for).
#[derive(Clone, Copy)]
pub struct Slice<'a>(pub &'a [u8]);

impl Length for Slice<'_> {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }
}

impl<'a> ChunkReader for Slice<'a> {
    type T = &'a [u8];

    fn get_read(&self, start: u64) -> parquet::errors::Result<&'a [u8]> {
        usize::try_from(start)
            .ok()
            .and_then(|start| self.0.get(start..))
            .ok_or_else(|| ParquetError::EOF(format!("offset {start} is outside the file")))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        let bytes = usize::try_from(start)
            .ok()
            .and_then(|start| self.0.get(start..start.checked_add(length)?));
        bytes.map(bytes::Bytes::copy_from_slice).ok_or_else(|| {
            ParquetError::EOF(format!("{length} bytes at {start} are outside the file"))
        })
    }
}

/// The footer of the Parquet file `data`.
pub fn metadata(data: &[u8]) -> parquet::errors::Result<ParquetMetaData> {
    ParquetMetaDataReader::new().parse_and_finish(&Slice(data))
}

/// The pages of a column chunk of `data`, read one at a time.
pub fn page_reader<'a>(
    data: &'a [u8],
    chunk: &ColumnChunkMetaData,
    rows: usize,
) -> parquet::errors::Result<SerializedPageReader<Slice<'a>>> {
    SerializedPageReader::new(Arc::new(Slice(data)), chunk, rows, None)
}

/// `decode` of each row group's chunk of column `name` of the Parquet file `data` (with the
/// group's row count), over the threads; `None` when the file cannot be read, the column is
/// not a top-level text column (UTF-8 byte arrays, as polars reads them as text), `decode`
/// gives `None` for a chunk, or the chunks do not hold the file's rows.
pub fn for_each_text_chunk<T: Send + HasRows>(
    data: &[u8],
    name: &str,
    decode: impl Fn(&ColumnChunkMetaData, usize) -> Option<T> + Sync,
) -> Option<Vec<T>> {
    let meta = metadata(data).ok()?;
    let schema = meta.file_metadata().schema_descr();
    let ci = (0..schema.num_columns()).find(|&i| {
        let c = schema.column(i);
        c.path().parts() == [name]
    })?;
    let column = schema.column(ci);
    let text = column.physical_type() == PhysicalType::BYTE_ARRAY
        && (matches!(column.logical_type_ref(), Some(LogicalType::String))
            || column.converted_type() == ConvertedType::UTF8);
    if !text {
        return None;
    }
    let chunks: Vec<(&ColumnChunkMetaData, usize)> = meta
        .row_groups()
        .iter()
        .map(|rg| Some((rg.columns().get(ci)?, usize::try_from(rg.num_rows()).ok()?)))
        .collect::<Option<_>>()?;
    let groups: Vec<T> = chunks
        .par_iter()
        .map(|&(c, rows)| decode(c, rows))
        .collect::<Option<_>>()?;
    let rows = groups.iter().map(HasRows::rows).sum::<usize>();
    (i64::try_from(rows).ok() == Some(meta.file_metadata().num_rows())).then_some(groups)
}

/// A row group's decoded values: how many rows they are.
pub trait HasRows {
    fn rows(&self) -> usize;
}

/// The pages of a column chunk of a top-level, non-repeated column, and whether its values
/// may be missing; `None` for any other column.
pub fn pages_of<'a>(
    data: &'a [u8],
    chunk: &ColumnChunkMetaData,
    rows: usize,
) -> Option<(SerializedPageReader<Slice<'a>>, bool)> {
    let descriptor = chunk.column_descr();
    if descriptor.max_rep_level() != 0 || descriptor.max_def_level() > 1 {
        return None;
    }
    let pages = page_reader(data, chunk, rows).ok()?;
    Some((pages, descriptor.max_def_level() == 1))
}

/// A data page of a top-level, non-repeated column, split: its value count, the encoding of
/// its values, its definition levels (hybrid RLE, bit width 1; empty for a required column)
/// and its values.
pub struct DataPage<'p> {
    pub num_values: usize,
    pub encoding: Encoding,
    pub def: &'p [u8],
    pub values: &'p [u8],
}

/// Splits a (decompressed) data page; `None` for a dictionary page, or a page whose levels are
/// not hybrid RLE or do not fit it.
pub fn split(page: &Page, nullable: bool) -> Option<DataPage<'_>> {
    match page {
        Page::DataPage {
            buf,
            num_values,
            encoding,
            def_level_encoding,
            ..
        } => {
            let n = usize::try_from(*num_values).ok()?;
            if !nullable {
                return Some(DataPage {
                    num_values: n,
                    encoding: *encoding,
                    def: &[],
                    values: buf,
                });
            }
            if *def_level_encoding != Encoding::RLE {
                return None;
            }
            // Version 1: the levels' byte length (4 bytes, little-endian), then the levels.
            let (len, rest) = buf.split_first_chunk::<4>()?;
            let (def, values) = rest.split_at_checked(u32::from_le_bytes(*len) as usize)?;
            Some(DataPage {
                num_values: n,
                encoding: *encoding,
                def,
                values,
            })
        }
        Page::DataPageV2 {
            buf,
            num_values,
            encoding,
            def_levels_byte_len,
            rep_levels_byte_len,
            ..
        } => {
            if *rep_levels_byte_len != 0 {
                return None;
            }
            let (def, values) = buf.split_at_checked(*def_levels_byte_len as usize)?;
            Some(DataPage {
                num_values: usize::try_from(*num_values).ok()?,
                encoding: *encoding,
                def: if nullable { def } else { &[] },
                values,
            })
        }
        Page::DictionaryPage { .. } => None,
    }
}

/// One run of a hybrid RLE / bit-packed stream.
enum Run<'d> {
    /// `count` copies of `value`.
    Repeated { value: u32, count: usize },
    /// Groups of 8 values of `bits` bits each, packed from the lowest bit up.
    Packed { groups: &'d [u8] },
}

/// The runs of a hybrid RLE / bit-packed stream of `bits`-bit values (`bits` ≤ 32): a ULEB128
/// header per run, whose lowest bit tells a bit-packed run (the rest: its groups of 8 values)
/// from a repeated one (the rest: its length; then its value in whole bytes). An error ends
/// the runs with `None`.
struct Runs<'d> {
    data: &'d [u8],
    bits: u32,
}

impl<'d> Runs<'d> {
    fn next_run(&mut self) -> Option<Option<Run<'d>>> {
        if self.data.is_empty() {
            return Some(None);
        }
        let mut header = 0u64;
        let mut shift = 0;
        loop {
            let (&b, rest) = self.data.split_first()?;
            self.data = rest;
            header |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 56 {
                return None;
            }
        }
        let n = usize::try_from(header >> 1).ok()?;
        if header & 1 == 1 {
            let len = n.checked_mul(self.bits as usize)?;
            let (groups, rest) = self.data.split_at_checked(len)?;
            self.data = rest;
            Some(Some(Run::Packed { groups }))
        } else {
            let width = self.bits.div_ceil(8) as usize;
            let (bytes, rest) = self.data.split_at_checked(width)?;
            self.data = rest;
            let value = bytes
                .iter()
                .rev()
                .fold(0u32, |v, &b| (v << 8) | u32::from(b));
            Some(Some(Run::Repeated { value, count: n }))
        }
    }
}

/// Appends the first `n` values of a hybrid RLE / bit-packed stream of `bits`-bit values to
/// `out`; `false` (with `out` as it was) when the stream is corrupt, too short, or `bits` > 32.
pub fn decode_into(data: &[u8], bits: u32, n: usize, out: &mut Vec<u32>) -> bool {
    let before = out.len();
    let ok = bits <= 32 && decode_runs(data, bits, n, out);
    if !ok || out.len() - before != n {
        out.truncate(before);
        return false;
    }
    true
}

fn decode_runs(data: &[u8], bits: u32, n: usize, out: &mut Vec<u32>) -> bool {
    let end = out.len() + n;
    let mut runs = Runs { data, bits };
    let mask = if bits == 32 {
        u32::MAX
    } else {
        (1u32 << bits) - 1
    };
    while out.len() < end {
        match runs.next_run() {
            None | Some(None) => return false,
            Some(Some(Run::Repeated { value, count })) => {
                let count = count.min(end - out.len());
                out.resize(out.len() + count, value);
            }
            Some(Some(Run::Packed { groups })) => {
                let width = bits as usize;
                if width == 0 {
                    let count = (groups.len() * 8).min(end - out.len());
                    out.resize(out.len() + count, 0);
                    continue;
                }
                // A group of 8 values is `bits` bytes; each value is read from the 8 bytes at
                // its first byte (a group padded with zeros so the last ones can be).
                for group in groups.chunks_exact(width) {
                    let mut padded = [0u8; 40];
                    padded[..width].copy_from_slice(group);
                    for k in 0..8 {
                        if out.len() == end {
                            return true;
                        }
                        let bit = k * width;
                        let at = bit / 8;
                        let word = u64::from_le_bytes(
                            padded[at..at + 8].try_into().expect("8 bytes of the group"),
                        );
                        out.push((word >> (bit % 8)) as u32 & mask);
                    }
                }
            }
        }
    }
    true
}

/// Whether a page's `n` definition levels (bit width 1, hybrid RLE) are all 1 in runs: every
/// value present, as in a column without missing values (the levels are then not listed).
/// `false` when not, or not stored as runs.
pub fn all_present(levels: &[u8], n: usize) -> bool {
    let mut seen = 0usize;
    let mut runs = Runs {
        data: levels,
        bits: 1,
    };
    while seen < n {
        match runs.next_run() {
            Some(Some(Run::Repeated { value: 1, count })) => seen += count.min(n - seen),
            _ => return false,
        }
    }
    seen == n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(data: &[u8], bits: u32, n: usize) -> Option<Vec<u32>> {
        let mut out = vec![7];
        decode_into(data, bits, n, &mut out).then(|| out[1..].to_vec())
    }

    #[test]
    fn runs_decode_repeated_and_bit_packed_values() {
        // A run of 3 × 5 (header 3 << 1, value in one byte).
        assert_eq!(decoded(&[6, 5], 3, 3), Some(vec![5, 5, 5]));
        // One bit-packed group (header 1 << 1 | 1) of 3-bit values 0..8: 24 bits.
        let packed = (0..8u32).fold(0u32, |acc, v| acc | (v << (3 * v)));
        let b = packed.to_le_bytes();
        assert_eq!(
            decoded(&[3, b[0], b[1], b[2]], 3, 8),
            Some((0..8).collect())
        );
        // Only the first n of a padded group; then a run; a 300-long run (two-byte header).
        assert_eq!(
            decoded(&[3, b[0], b[1], b[2], 4, 1], 3, 7),
            Some((0..7).collect())
        );
        let two = decoded(&[3, b[0], b[1], b[2], 4, 1], 3, 10).unwrap();
        assert_eq!(two, [0, 1, 2, 3, 4, 5, 6, 7, 1, 1]);
        assert_eq!(decoded(&[0xD8, 0x04, 9], 4, 300), Some(vec![9; 300]));
        // Width 0 (a dictionary of one value), and a 17-bit value in three bytes.
        assert_eq!(decoded(&[8], 0, 4), Some(vec![0; 4]));
        assert_eq!(decoded(&[2, 0x01, 0x00, 0x01], 17, 1), Some(vec![65537]));
        // Too short, truncated, over-long header: no values, `out` untouched.
        assert_eq!(decoded(&[6, 5], 3, 4), None);
        assert_eq!(decoded(&[3, b[0]], 3, 8), None);
        assert_eq!(decoded(&[0xFF; 12], 3, 8), None);
        assert_eq!(decoded(&[6, 5], 33, 3), None);
    }

    #[test]
    fn levels_are_all_present_only_as_runs_of_ones_covering_the_page() {
        // Hybrid RLE: a run's header is its length << 1, then its value in one byte.
        assert!(all_present(&[10, 1], 5));
        assert!(all_present(&[4, 1, 6, 1], 5), "two runs");
        assert!(!all_present(&[10, 0], 5), "all missing");
        assert!(!all_present(&[4, 1, 6, 0], 5), "some missing");
        assert!(!all_present(&[8, 1], 5), "too few");
        // A bit-packed group of 8 (header 1 << 1 | 1), all ones: not a run, so listed.
        assert!(!all_present(&[3, 0xFF], 8));
    }
}
