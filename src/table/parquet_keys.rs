//! A Parquet column of Israeli ID numbers read straight into their exact digit keys.
//!
//! A roster's `student_id` column holds a distinct ID per row, so writers store it PLAIN (a
//! length and the bytes of each value). polars would make a 16-byte string view of each, the
//! ID check would then read them back, and the key check would turn each into its digit key
//! (`rules::digit_key::digits_key`). Here each value is checked and keyed as it is decoded, and no
//! text is kept: the roster's 2.4 million IDs are 19 MB of keys instead of 38 MB of views.
//! The key is that of the ID's 9-digit form (`10000016` is keyed as `010000016`), as the
//! text path normalizes IDs before keying them.
//!
//! Only the case of a column that passes is taken: every value present, PLAIN-encoded and a
//! valid Israeli ID (1–9 digits with a right check digit). Anything else is `None`, and the
//! caller reads the column with polars, which reports what is wrong with which rows.
//!
//! The pages come from the public `parquet` crate (`parquet_pages`), which decompresses them;
//! a file compressed with a codec itur does not build in (any but zstd) is left to polars too.
//! Measured on the national roster (BENCHMARKS.md), this path saves more than 10 % of a
//! screening + identification run's time or peak memory, the bar for keeping it.
use super::parquet_pages::{all_present, for_each_text_chunk, pages_of, split, HasRows};
use crate::rules::digit_key::key_of;
use crate::rules::israeli_id;
use parquet::basic::Encoding;
use parquet::column::page::{Page, PageReader};
use parquet::file::metadata::ColumnChunkMetaData;

/// Column `name` of the Parquet file `data` as each row's exact `digits_key` of the ID's
/// 9-digit form, when every value is a valid Israeli ID stored PLAIN; `None` otherwise (read
/// it with polars then).
pub fn read_id_keys(data: &[u8], name: &str) -> Option<Vec<u64>> {
    let groups: Vec<Keys> =
        for_each_text_chunk(data, name, |c, rows| decode_group(data, c, rows).map(Keys))?;
    let mut keys = Vec::with_capacity(groups.iter().map(HasRows::rows).sum());
    for g in groups {
        keys.extend(g.0);
    }
    Some(keys)
}

/// One row group's keys.
struct Keys(Vec<u64>);

impl HasRows for Keys {
    fn rows(&self) -> usize {
        self.0.len()
    }
}

/// The exact digit key of a valid Israeli ID (1–9 digits, right check digit) in its 9-digit
/// form: IDs are normalized on reading, so `10000016` and `010000016` have one key.
fn id_key(value: &[u8]) -> Option<u64> {
    let n = israeli_id::number(value).ok()?;
    Some(key_of(9, n))
}

/// Decodes one column chunk; `None` when a page is not PLAIN, a value is missing or is not a
/// valid ID.
fn decode_group(data: &[u8], chunk: &ColumnChunkMetaData, rows: usize) -> Option<Vec<u64>> {
    let (mut pages, nullable) = pages_of(data, chunk, rows)?;
    let mut keys: Vec<u64> = Vec::with_capacity(rows);
    while let Some(page) = pages.get_next_page().ok()? {
        if matches!(page, Page::DictionaryPage { .. }) {
            return None;
        }
        let page = split(&page, nullable)?;
        if page.encoding != Encoding::PLAIN {
            return None;
        }
        let n = page.num_values;
        // Every definition level must be 1 (present): a missing ID is left to polars.
        if nullable && !all_present(page.def, n) {
            return None;
        }
        let mut buf = page.values;
        for _ in 0..n {
            let (len, rest) = buf.split_first_chunk::<4>()?;
            let len = u32::from_le_bytes(*len) as usize;
            let (value, rest) = rest.split_at_checked(len)?;
            keys.push(id_key(value)?);
            buf = rest;
        }
        if !buf.is_empty() {
            return None;
        }
    }
    (keys.len() == rows).then_some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::digit_key::digits_key;
    use crate::table::parquet_dict::tests::parquet;
    use polars::prelude::*;

    /// A valid ID of `len` digits (the last one the check digit) made from `n`.
    fn valid_id(n: u64, len: usize) -> String {
        let body = format!("{:0w$}", n % 10u64.pow(len as u32 - 1), w = len - 1);
        (0..10)
            .map(|d| format!("{body}{d}"))
            .find(|v| israeli_id::check(v).is_ok())
            .expect("one check digit fits")
    }

    fn ids(n: usize) -> Vec<String> {
        (0..n as u64)
            .map(|i| valid_id(i * 7919 + 11, [9, 9, 9, 8, 5, 2][i as usize % 6]))
            .collect()
    }

    #[test]
    fn keys_are_the_digit_keys_of_the_ids_in_their_nine_digit_form() {
        let v = ids(20_000);
        assert!(
            v.iter().any(|x| x.starts_with('0') && x.len() == 9),
            "leading zeros"
        );
        assert!(v.iter().any(|x| x.len() < 9), "short IDs");
        let mut df =
            df!("student_id" => v.clone(), "n" => (0..20_000i64).collect::<Vec<_>>()).unwrap();
        let data = parquet(&mut df, 3000);
        let keys = read_id_keys(&data, "student_id").expect("valid PLAIN IDs");
        let want: Vec<u64> = v
            .iter()
            .map(|x| digits_key(&israeli_id::canonical(x)).unwrap())
            .collect();
        assert_eq!(keys, want);
        // `10000016` and `010000016` are one key.
        assert_eq!(id_key(b"10000016"), id_key(b"010000016"));
        assert_eq!(id_key(b"18"), digits_key("000000018"));
        assert!(read_id_keys(&data, "n").is_none(), "not text");
        assert!(read_id_keys(&data, "other").is_none(), "no such column");
        assert!(read_id_keys(b"PAR1", "student_id").is_none());
    }

    #[test]
    fn a_column_with_any_bad_or_missing_id_is_left_to_polars() {
        let good = ids(5000);
        let spaced = format!(" {}", good[1]);
        let cases = [
            ("check digit", 4321, Some("123456789")),
            ("letters", 17, Some("12345678a")),
            ("ten digits", 4999, Some("1234567890")),
            ("empty", 0, Some("")),
            ("missing", 2500, None),
            ("space", 1, Some(spaced.as_str())),
        ];
        for (what, row, value) in cases {
            let mut v: Vec<Option<String>> = good.iter().cloned().map(Some).collect();
            v[row] = value.map(str::to_string);
            let mut df = df!("student_id" => v).unwrap();
            let data = parquet(&mut df, 1000);
            assert!(read_id_keys(&data, "student_id").is_none(), "{what}");
        }
        // The same IDs are keyed when nothing is wrong with them.
        let mut df = df!("student_id" => good).unwrap();
        assert!(read_id_keys(&parquet(&mut df, 1000), "student_id").is_some());
    }

    #[test]
    fn dictionary_encoded_ids_are_left_to_polars() {
        // Few distinct IDs, repeated: a writer stores them with a dictionary.
        let v: Vec<String> = (0..5000).map(|i| valid_id(i % 3, 9)).collect();
        let mut df = df!("student_id" => v).unwrap();
        let data = parquet(&mut df, 1000);
        assert!(read_id_keys(&data, "student_id").is_none());
    }
}
