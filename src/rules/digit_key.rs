//! The digit key of an ID or code: a digit string of up to 17 digits (Israeli IDs, institution
//! and class codes) as one exact integer that keeps its length, so "007" and "7" stay distinct
//! and keys of one length sort as their texts. Tables are checked, joined and looked up by it.
use polars::prelude::PlSmallStr;

/// Digit strings of up to 17 digits (IDs, institution and class codes) as exact integers
/// tagged with their length in the top 5 bits, so leading zeros still count ("007" ≠ "7").
pub fn digits_key(v: &str) -> Option<u64> {
    let b = v.as_bytes();
    if b.is_empty() || b.len() > 17 {
        return None;
    }
    let mut n = 0u64;
    for &d in b {
        let x = d.wrapping_sub(b'0');
        if x > 9 {
            return None;
        }
        n = n * 10 + u64::from(x);
    }
    Some(key_of(b.len(), n))
}

/// Where a `digits_key` keeps its length: the bits above the number (10¹⁷ < 2⁵⁹).
const KEY_LENGTH_SHIFT: u32 = 59;

/// The `digits_key` of a string of `len` (1–17) digits that reads as the number `n`.
pub fn key_of(len: usize, n: u64) -> u64 {
    ((len as u64) << KEY_LENGTH_SHIFT) | n
}

/// How many digits the text of a `digits_key` has. Keys of one length are in the order of
/// their texts.
pub fn key_length(key: u64) -> usize {
    (key >> KEY_LENGTH_SHIFT) as usize
}

/// The text of an exact `digits_key`: its digits, with the leading zeros its length counts.
pub fn key_text(key: u64) -> PlSmallStr {
    let len = key_length(key);
    let mut n = key & ((1 << KEY_LENGTH_SHIFT) - 1);
    let mut digits = [b'0'; 17];
    for d in digits[..len].iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    PlSmallStr::from_str(std::str::from_utf8(&digits[..len]).expect("ASCII digits"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_text_is_the_text_of_a_digit_key() {
        for v in [
            "7",
            "007",
            "0",
            "000000000",
            "123456782",
            "99999999999999999",
            "01",
        ] {
            assert_eq!(key_text(digits_key(v).unwrap()).as_str(), v);
        }
    }

    #[test]
    fn digits_key_is_exact_for_digit_strings_only() {
        assert_eq!(digits_key("7"), Some((1 << 59) | 7));
        assert_ne!(digits_key("007"), digits_key("7"));
        assert_eq!(digits_key("123456782"), Some((9 << 59) | 123_456_782));
        assert_eq!(
            digits_key("99999999999999999"),
            Some((17 << 59) | 99_999_999_999_999_999)
        );
        for bad in [
            "",
            "999999999999999999",
            "12a",
            " 1",
            "+1",
            "-1",
            "1/2",
            "١٢٣",
        ] {
            assert_eq!(digits_key(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn digit_keys_keep_length_and_leading_zeros() {
        let k = |v: &str| digits_key(v).unwrap();
        assert_ne!(k("7"), k("07"));
        assert_ne!(k("1"), k("00000000000000001")); // 1 and 17 digits
        assert_ne!(k("00000000000000000"), k("0"));
        assert_eq!(k("123456782"), k("123456782"));
        assert_eq!(digits_key("123456789012345678"), None); // 18 digits: compared as text
        assert_eq!(digits_key("12a"), None);
        assert_eq!(digits_key(""), None);
    }
}
